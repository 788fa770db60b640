"""Pick the device every model runs on: CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import os

import torch

DEVICE_ENV = "AIGC_DEVICE"
KNOWN_DEVICES = ("cuda", "mps", "cpu")  # in order of preference


def _available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return torch.backends.mps.is_available()
    return kind == "cpu"


def select_device(requested: str | None = None) -> torch.device:
    """Return the best available device, or the one named by ``requested`` / ``AIGC_DEVICE``.

    An explicit request for a device this machine lacks is an error rather than a silent
    fallback: whoever set it expects their models to run there.
    """
    choice = (requested if requested is not None else os.environ.get(DEVICE_ENV, "")).strip()
    if not choice:
        return torch.device(next(kind for kind in KNOWN_DEVICES if _available(kind)))
    kind = choice.lower()
    if kind not in KNOWN_DEVICES:
        raise ValueError(f"{DEVICE_ENV}={choice!r} is not one of {', '.join(KNOWN_DEVICES)}")
    if not _available(kind):
        raise RuntimeError(f"{DEVICE_ENV}={kind} was requested but this machine has no {kind} device")
    return torch.device(kind)


def threads_if_cpu(device: torch.device) -> int | None:
    """The CPU threads torch uses, when ``device`` is the CPU (the rest of ``describe`` has no words
    to translate)."""
    return torch.get_num_threads() if device.type == "cpu" else None


def describe(device: torch.device) -> str:
    """A short human-readable name, e.g. ``CUDA (NVIDIA H100)`` or ``CPU (2 threads)``."""
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "Apple MPS"
    return f"CPU ({torch.get_num_threads()} threads)"
