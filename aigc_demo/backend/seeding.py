"""Seeded randomness that gives the same numbers on every device.

Random numbers are always drawn on a CPU ``torch.Generator`` and then moved: CUDA and MPS
generators produce different streams for the same seed, so drawing there would make a
seed mean different pictures on different machines.
"""

from __future__ import annotations

import secrets

import torch

MAX_SEED = 2**32 - 1


def check_seed(seed: int | float | str) -> int:
    """Return ``seed`` as an int in ``[0, MAX_SEED]`` or raise a ``ValueError`` saying why."""
    if isinstance(seed, bool):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if isinstance(seed, int):
        value = seed
    else:
        try:
            as_float = float(seed)
        except (TypeError, ValueError):
            raise ValueError(f"seed must be a whole number, got {seed!r}") from None
        if not as_float.is_integer():
            raise ValueError(f"seed must be a whole number, got {seed!r}")
        value = int(as_float)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}, got {value}")
    return value


def random_seed() -> int:
    """A fresh seed for a "Random" button; show it so the result can be reproduced."""
    return secrets.randbelow(MAX_SEED + 1)


def cpu_generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(check_seed(seed))


def seeded_randn(
    shape: tuple[int, ...],
    seed: int,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """Standard-normal noise of ``shape`` for ``seed``, identical on every device."""
    noise = torch.randn(shape, generator=cpu_generator(seed), dtype=torch.float32)
    return noise.to(device=device, dtype=dtype)
