"""Pieces every training loop here shares: seeded shuffling and the learning-rate schedule."""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch


def shuffled_batches(count: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Index tensors covering ``range(count)`` once, in an order drawn from ``generator``."""
    order = torch.randperm(count, generator=generator)
    for start in range(0, count, batch_size):
        yield order[start : start + batch_size]


def one_cycle(
    optimizer: torch.optim.Optimizer,
    peak_lr: float,
    epochs: int,
    examples: int,
    batch_size: int,
    warmup: float = 0.3,
) -> torch.optim.lr_scheduler.OneCycleLR:
    """Warm up to ``peak_lr`` over the ``warmup`` share of the run, then anneal to near zero.

    Stepped once per batch.
    """
    steps = epochs * math.ceil(examples / batch_size)
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, peak_lr, total_steps=steps, pct_start=warmup)
