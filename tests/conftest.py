"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from aigc_demo.backend.hub import ModelHub, default_hub


@pytest.fixture
def hub(tmp_path: Path) -> ModelHub:
    """A hub over empty temporary shipped and user folders, on the CPU."""
    return ModelHub(tmp_path / "shipped", tmp_path / "user", device=torch.device("cpu"))


@pytest.fixture(autouse=True)
def fresh_default_hub():
    """The CLI's process-wide hub read anew in each test, as each run of the command reads it
    (``AIGC_HOME`` differs between tests)."""
    default_hub.cache_clear()
    yield
    default_hub.cache_clear()
