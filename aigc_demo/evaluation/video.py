"""A video model's continuations against the truth and against two baselines.

The measure is the literature's: squared error per frame summed over the 64 x 64 pixels (each in
[0, 1]), averaged over the predicted frames and the clips. The baselines need no learning:
**copy the last seen frame**, and **constant velocity**, which finds each blob of ink in the last
seen frame, how far it moved since the frame before, and moves it on by as much each frame
(bouncing off the edges, as the digits do).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

INK = 0.2  # a pixel at least this bright is part of a digit
MOST_STEP = 6  # the farthest a blob is looked for between two frames, in pixels each way


def frame_mse(predicted: torch.Tensor, truth: torch.Tensor) -> float:
    """Squared error summed over each frame's pixels, averaged over frames and clips (both ``(N, K,
    H, W)`` in [0, 1])."""
    return float((predicted.float() - truth.float()).pow(2).sum(dim=(2, 3)).mean())


def copy_last(seen: torch.Tensor, frames: int) -> torch.Tensor:
    return seen[:, -1:].expand(-1, frames, -1, -1)


def blobs(frame: torch.Tensor) -> torch.Tensor:
    """Connected blobs of ink in a ``(H, W)`` frame as labels ``(H, W)`` (0: no ink, then 1, 2, ...):
    each ink pixel takes the largest label of its eight neighbours until none changes."""
    ink = frame >= INK
    labels = torch.where(ink, torch.arange(1, ink.numel() + 1, dtype=torch.float32).view_as(frame), 0.0)
    while True:
        grown = nn.functional.max_pool2d(labels[None, None], 3, 1, 1)[0, 0] * ink
        if torch.equal(grown, labels):
            return torch.unique(labels, return_inverse=True)[1]
        labels = grown


def _shift(picture: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """``picture`` moved by whole pixels, what leaves the frame lost, zeros coming in."""
    height, width = picture.shape
    moved = torch.zeros_like(picture)
    top, left = max(rows, 0), max(cols, 0)
    source = picture[max(-rows, 0) : height - top, max(-cols, 0) : width - left]
    moved[top : top + source.shape[0], left : left + source.shape[1]] = source
    return moved


def _displacement(blob: torch.Tensor, before: torch.Tensor) -> tuple[int, int]:
    """The whole-pixel move that best takes ``before`` onto ``blob`` (least squared error where the
    blob is)."""
    where = blob > 0
    best, best_error = (0, 0), float("inf")
    for rows in range(-MOST_STEP, MOST_STEP + 1):
        for cols in range(-MOST_STEP, MOST_STEP + 1):
            error = float((_shift(before, rows, cols)[where] - blob[where]).pow(2).sum())
            if error < best_error:
                best, best_error = (rows, cols), error
    return best


def _bounced(blob: torch.Tensor, frames: int, step: tuple[int, int]) -> list[torch.Tensor]:
    """``blob`` moved on by ``step`` a frame for ``frames`` frames, its velocity reversed on any side
    where its ink would leave the frame."""
    rows_with_ink = torch.nonzero(blob.sum(1)).flatten()
    cols_with_ink = torch.nonzero(blob.sum(0)).flatten()
    box = [int(rows_with_ink[0]), int(rows_with_ink[-1]), int(cols_with_ink[0]), int(cols_with_ink[-1])]
    height, width = blob.shape
    offset, velocity, out = np.zeros(2, int), np.array(step), []
    for _ in range(frames):
        for axis, (low, high, side) in enumerate([(box[0], box[1], height), (box[2], box[3], width)]):
            if low + offset[axis] + velocity[axis] < 0 or high + offset[axis] + velocity[axis] >= side:
                velocity[axis] = -velocity[axis]
        offset = offset + velocity
        out.append(_shift(blob, int(offset[0]), int(offset[1])))
    return out


def constant_velocity(seen: torch.Tensor, frames: int) -> torch.Tensor:
    """Each blob of the last seen frame moved on by its last displacement: ``(N, frames, H, W)``."""
    clips = []
    for clip in seen.float():
        last, before = clip[-1], clip[-2]
        labels = blobs(last)
        moved = [torch.zeros_like(last) for _ in range(frames)]
        for label in range(1, int(labels.max()) + 1):
            blob = last * (labels == label)
            for index, frame in enumerate(_bounced(blob, frames, _displacement(blob, before))):
                moved[index] = torch.maximum(moved[index], frame)
        clips.append(torch.stack(moved))
    return torch.stack(clips)


@torch.no_grad()
@torch.no_grad()
def continuation_errors(
    model: torch.nn.Module, clips: np.ndarray, seen: int, batch_size: int = 100
) -> tuple[float, float]:
    """The squared error per frame of the model's mean continuations of ``clips`` ``(N, T, 64, 64)``
    uint8 after ``seen`` frames, and the same over their last frame alone; ``batch_size`` clips at a
    time on the model's device."""
    device, every, last = next(model.parameters()).device, 0.0, 0.0
    for start in range(0, len(clips), batch_size):
        frames = torch.from_numpy(np.ascontiguousarray(clips[start : start + batch_size])).to(device)
        frames = frames.float().div_(255)
        guessed, truth = model.continue_clip(frames[:, :seen], frames.shape[1] - seen), frames[:, seen:]
        every += frame_mse(guessed, truth) * len(frames)
        last += frame_mse(guessed[:, -1:], truth[:, -1:]) * len(frames)
    return every / len(clips), last / len(clips)


def continuation_figures(model: torch.nn.Module, clips: np.ndarray, seen: int) -> dict[str, float]:
    """Squared error per frame on ``clips`` ``(N, T, 64, 64)`` uint8 of the model's mean continuation
    after ``seen`` frames, beside both baselines', and the model's error on the last predicted frame."""
    frames = torch.from_numpy(clips).float() / 255
    given, truth = frames[:, :seen], frames[:, seen:]
    later = truth.shape[1]
    every, last = continuation_errors(model, clips, seen)
    return {
        "mse_model": round(every, 1),
        "mse_copy_last": round(frame_mse(copy_last(given, later), truth), 1),
        "mse_constant_velocity": round(frame_mse(constant_velocity(given, later), truth), 1),
        "mse_model_last_frame": round(last, 1),
    }


def centred_digit(frame: torch.Tensor, side: int = 28) -> torch.Tensor:
    """A ``side`` x ``side`` window of a ``(H, W)`` frame around its ink's centre of mass (how the
    digit judge, which reads MNIST's centred digits, is shown one digit of a clip)."""
    weights = frame.clamp(min=0)
    total = float(weights.sum())
    height, width = frame.shape
    if total == 0:
        return torch.zeros(side, side)
    row = float((weights.sum(1) * torch.arange(height)).sum()) / total
    col = float((weights.sum(0) * torch.arange(width)).sum()) / total
    padded = nn.functional.pad(frame, (side, side, side, side))
    top, left = round(row) + side - side // 2, round(col) + side - side // 2
    return padded[top : top + side, left : left + side]


@torch.no_grad()
def dream_readability(
    model: torch.nn.Module,
    judge: torch.nn.Module,
    seen: torch.Tensor,
    labels: torch.Tensor,
    frames: int,
    temperature: float,
    seed: int = 0,
) -> dict[str, float]:
    """The share of dreamed frames of one-digit clips in which ``judge`` reads the starting digit:
    ``seen`` ``(N, T, 64, 64)`` in [0, 1], ``labels`` ``(N,)``; overall and over the last ten frames."""
    generator = torch.Generator().manual_seed(seed)
    dreamed = model.continue_clip(seen, frames, temperature, generator)
    windows = torch.stack([centred_digit(frame) for frame in dreamed.flatten(0, 1)])
    read = judge(windows[:, None]).argmax(1).view(len(seen), frames)
    right = read == labels[:, None]
    return {
        "all": round(float(right.float().mean()), 3),
        "last_ten": round(float(right[:, -10:].float().mean()), 3),
    }
