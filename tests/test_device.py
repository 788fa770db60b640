import pytest
import torch

from aigc_demo.backend.device import describe, select_device


def test_automatic_choice_prefers_an_accelerator(monkeypatch):
    monkeypatch.delenv("AIGC_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert select_device().type == expected


def test_environment_overrides_the_choice(monkeypatch):
    monkeypatch.setenv("AIGC_DEVICE", " CPU ")
    assert select_device() == torch.device("cpu")


def test_explicit_argument_wins_over_environment(monkeypatch):
    monkeypatch.setenv("AIGC_DEVICE", "nonsense")
    assert select_device("cpu") == torch.device("cpu")


def test_unknown_device_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AIGC_DEVICE", "tpu")
    with pytest.raises(ValueError, match="AIGC_DEVICE='tpu' is not one of cuda, mps, cpu"):
        select_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_requesting_a_missing_device_fails_loudly():
    with pytest.raises(RuntimeError, match="no cuda device"):
        select_device("cuda")


def test_description_names_the_device():
    assert describe(torch.device("cpu")).startswith("CPU (")
