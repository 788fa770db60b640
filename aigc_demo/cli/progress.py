"""A terminal progress bar (tqdm) that watches a training loop through its monitor."""

from __future__ import annotations

import sys

import torch
from tqdm import tqdm

from aigc_demo.training.common import Monitor

SHOW_EVERY = 10  # steps between loss updates on the bar


class ProgressBar(Monitor):
    """Steps done, the pace, the time left and the latest losses; off when stderr is not a
    terminal (a log file gets the loops' per-epoch lines only). A process that is not the main
    one of a torchrun group (``shown=False``) shows nothing, log lines included."""

    def __init__(self, description: str, shown: bool = True):
        self.description, self.shown = description, shown
        self.bar: tqdm | None = None

    def started(self, model: torch.nn.Module, total: int) -> None:
        self.close()
        if self.shown:
            self.bar = tqdm(total=total, desc=self.description, unit="step", file=sys.stderr, disable=None)

    def step(self, step: int, total: int, losses: dict[str, float]) -> None:
        if self.bar is None:
            return
        self.bar.update(step - self.bar.n)
        if step % SHOW_EVERY == 0 or step == total:
            self.bar.set_postfix({name: f"{value:.4g}" for name, value in losses.items()}, refresh=False)

    def write(self, line: str) -> None:
        """A log line printed above the bar instead of through it."""
        if self.shown:
            tqdm.write(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
