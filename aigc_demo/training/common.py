"""Pieces every training loop here shares: seeded shuffling, the learning-rate schedule, and the
monitor through which a caller watches a run and asks it to stop."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
    monitor: Monitor | None = None,
) -> torch.optim.lr_scheduler.LRScheduler:
    """Warm up to ``peak_lr`` over the ``warmup`` share of the run, then anneal to near zero.

    Stepped once per batch. A ``monitor`` that knows how far the run is by another measure (the
    app's jobs: the share of their time budget spent) moves the schedule by that instead, so a run
    the budget ends has annealed by then, however many epochs were allowed.
    """
    steps = epochs * math.ceil(examples / batch_size)
    if monitor is None or monitor.progress(0, steps) is None:
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, peak_lr, total_steps=steps, pct_start=warmup)
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] = peak_lr

    def share_of_peak(step: int) -> float:
        done = min(1.0, monitor.progress(step, steps) or 0.0)
        return one_cycle_share(done, warmup)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, share_of_peak)


def one_cycle_share(done: float, warmup: float, start: float = 1 / 25, end: float = 1e-4 / 25) -> float:
    """The one-cycle curve (as ``OneCycleLR`` draws it: cosine up from ``start`` of the peak over the
    ``warmup`` share, then cosine down to ``end``) at ``done`` of the run."""
    if done < warmup:
        up = done / warmup
        return start + (1 - start) * (1 - math.cos(math.pi * up)) / 2
    down = (done - warmup) / max(1e-9, 1 - warmup)
    return end + (1 - end) * (1 + math.cos(math.pi * down)) / 2


@contextmanager
def evaluating(model: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """``model`` in eval mode for the block (a preview mid-run), then back in the mode it was in."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def drawn_shape(model: torch.nn.Module | None) -> dict[str, int | None]:
    """Channels and side of the pictures an image model draws, as ``load_training_images`` takes
    them: pictures to fine-tune it on are made at its shape (both None: no model to follow)."""
    if model is None:
        return {"channels": None, "size": None}
    return {"channels": model.config["image_channels"], "size": model.config["size"]}


def trainable_copy(trained: torch.nn.Module, images: torch.Tensor | None = None) -> torch.nn.Module:
    """A CPU copy of a trained model to train further (resume or fine-tune), leaving the one that
    may be serving untouched. For an image model, ``images`` must be of the size it draws."""
    config = getattr(trained, "config", {})
    if images is not None and "size" in config:
        wanted = (config["image_channels"], config["size"], config["size"])
        if tuple(images.shape[1:]) != wanted:
            raise ValueError(
                f"the pictures are {tuple(images.shape[1:])} (channels, height, width); the starting "
                f"model draws {wanted}"
            )
    model = copy.deepcopy(trained).cpu().train()
    return model.requires_grad_(True)  # a served model is frozen


def image_model_for(
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    conditional: bool,
    start_from: torch.nn.Module | None,
    build: Callable[[int], torch.nn.Module],
) -> torch.nn.Module:
    """A new image model for the pictures (``build(classes)``; classes 0 unless ``conditional``),
    or a trainable copy of ``start_from``, checked against their size and classes."""
    if start_from is None:
        return build(int(train_labels.max()) + 1 if conditional else 0)
    model = trainable_copy(start_from, train_images)
    if model.classes and int(train_labels.max()) >= model.classes:
        raise ValueError(f"the starting model knows {model.classes} classes; the pictures have more")
    return model


def as_trained(settings: dict, model: torch.nn.Module) -> dict:
    """Training settings for a model card, with the architecture fields the model really has: a
    run that started from a trained model kept its architecture, whatever the settings said."""
    config = getattr(model, "config", {})
    return {key: config.get(key, value) for key, value in settings.items()}


class BestWeights:
    """A model's weights at its lowest validation loss so far: what a run keeps, so that a run that
    began to learn its examples by heart (its validation loss rising) returns its best state."""

    def __init__(self) -> None:
        self.loss, self.weights = math.inf, None

    def offer(self, model: torch.nn.Module, loss: float) -> None:
        if loss < self.loss:
            self.loss = loss
            self.weights = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def restore(self, model: torch.nn.Module) -> torch.nn.Module:
        if self.weights is not None:
            model.load_state_dict(self.weights)
        return model


class Monitor:
    """Watches a training loop. Loops call ``started`` once, ``step`` after every optimiser step,
    ``evaluated`` after every validation, and stop at the next step once ``stop_requested`` says
    so. This base class watches nothing and never stops; the Train tab's job subclasses it."""

    def started(self, model: torch.nn.Module, total: int) -> None:
        """The loop built ``model`` and will take ``total`` optimiser steps unless stopped."""

    def step(self, step: int, total: int, losses: dict[str, float]) -> None:
        """``step`` of ``total`` optimiser steps is done, with these training losses."""

    def evaluated(self, step: int, metrics: dict[str, float], model: torch.nn.Module) -> None:
        """Validation after ``step`` gave ``metrics`` for ``model`` (still training: do not keep it)."""

    def stop_requested(self) -> bool:
        return False

    def progress(self, step: int, total: int) -> float | None:
        """How much of the run is done, if the watcher measures it otherwise than by ``step`` of
        ``total`` (None: it does not)."""
        return None
