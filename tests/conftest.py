"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from aigc_demo.backend.hub import ModelHub


@pytest.fixture
def hub(tmp_path: Path) -> ModelHub:
    """A hub over empty temporary shipped and user folders, on the CPU."""
    return ModelHub(tmp_path / "shipped", tmp_path / "user", device=torch.device("cpu"))
