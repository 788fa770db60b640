"""Train a world model on clips: each step shows it a batch of clips, the first ``seen`` frames of
each given, and asks it to redraw every frame from its code and to continue the clip from its own
guesses (``WorldModel.loss``). Clips come from a function, so the moving digits are made fresh for
every step (no clip is seen twice) and a visitor's own clip gives windows of itself.

A run keeps its best state by the squared error of its continuations of the held-out clips, the
figure the benchmark reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aigc_demo.data.moving_digits import SEEN
from aigc_demo.evaluation.video import continuation_errors
from aigc_demo.models.world_model import WorldModel
from aigc_demo.training.common import BestWeights, Monitor, trainable_copy
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]
ClipMaker = Callable[[int, int, np.random.Generator], np.ndarray]  # (count, frames, rng) → uint8 clips
CLIPS_PER_EPOCH = 1000  # the moving digits never run out: an epoch is this many clips
EVALUATED_CLIPS = 200  # of the held-out clips, measured every ``evaluate_every`` steps


@dataclass
class WorldTrainingConfig:
    epochs: int = 100
    batch_size: int = 16
    minutes: float | None = None  # a time budget; the run ends at whichever comes first
    seen: int = 10  # frames given; the rest of each clip is guessed
    frames: int = 20  # of each training clip (the held-out clips are the benchmark's 10 + 10)
    learning_rate: float = 2e-3
    max_grad_norm: float = 5_000.0
    beta: float = 1.0
    channels: int = 32
    code_channels: int = 8
    hidden: int = 64
    layers: int = 2
    evaluate_every: int = 250
    seed: int = 0


def as_frames(clips: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 clips → float frames in [0, 1] on ``device``."""
    return torch.from_numpy(np.ascontiguousarray(clips)).to(device).float().div_(255)


def continuation_mse(model: WorldModel, clips: np.ndarray) -> float:
    """The squared error per frame of the model's continuations of held-out clips, 10 seen."""
    return continuation_errors(model, clips, SEEN)[0]


def train_world_model(
    make_clips: ClipMaker,
    valid: np.ndarray,
    config: WorldTrainingConfig,
    log: Log = print,
    monitor: Monitor | None = None,
    start_from: WorldModel | None = None,
    placement: Placement | None = None,
    on_improved: Callable[[torch.nn.Module, dict[str, float]], None] | None = None,
) -> tuple[WorldModel, dict[str, float]]:
    """Train; return the model (on the CPU, its best state by held-out error) and its figures."""
    monitor, placement = monitor or Monitor(), placement or Placement.choose()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = trainable_copy(start_from) if start_from is not None else new_model(config)
    model.to(placement.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-5)
    steps = max(1, config.epochs * CLIPS_PER_EPOCH // config.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.learning_rate, total_steps=steps)
    monitor.started(model, steps)
    checked = valid[:EVALUATED_CLIPS]
    started, best = time.monotonic(), BestWeights()
    deadline = started + 60 * config.minutes if config.minutes else float("inf")
    for step in range(1, steps + 1):
        model.train()
        clips = as_frames(make_clips(config.batch_size, config.frames, rng), placement.device)
        with placement.autocast():
            losses = model.loss(clips, config.seen, beta=config.beta)
        optimizer.zero_grad(set_to_none=True)
        losses["objective"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
        optimizer.step()
        schedule.step()
        monitor.step(
            step, steps, {"train": losses["objective"].item(), "predicted": losses["predicted"].item()}
        )
        finished = step == steps or time.monotonic() > deadline or monitor.stop_requested()
        if step % config.evaluate_every == 0 or finished:
            measured = continuation_mse(model.eval(), checked)
            if on_improved is not None and measured < best.loss:
                on_improved(
                    model,
                    {"valid_mse": round(measured, 2), "epoch": step * config.batch_size // CLIPS_PER_EPOCH},
                )
            best.offer(model, measured)
            monitor.evaluated(step, {"valid_loss": measured}, model)
            log(
                f"step {step}  train {losses['objective'].item():.0f}  predicted "
                f"{losses['predicted'].item():.0f}  held-out MSE {measured:.1f}  "
                f"({time.monotonic() - started:.0f} s)"
            )
        if finished:
            break
    model = best.restore(model).cpu().eval()
    metrics = {
        "valid_mse": round(continuation_mse(model, valid), 2),
        "train_seconds": round(time.monotonic() - started, 1),
    }
    return model, metrics


def new_model(config: WorldTrainingConfig) -> WorldModel:
    return WorldModel(
        channels=config.channels,
        code_channels=config.code_channels,
        hidden=config.hidden,
        layers=config.layers,
    )
