"""Moving digits: MNIST digits bouncing in a 64 x 64 frame, made on the fly (no files).

The protocol of Srivastava et al. (2015), the benchmark video predictors report on: each digit
starts at a random place in the frame, moves in a random direction at a fixed speed (a tenth of
the room it has, 3.6 pixels a frame), bounces off the edges, and the digits of a clip are
combined by their brighter pixel. Clips made from the training digits train a model; clips made
from the test digits, under a fixed seed, are the held-out clips its figures are measured on.
"""

from __future__ import annotations

import math

import numpy as np

SIDE = 64  # pixels of a frame, each way
DIGIT_SIDE = 28
ROOM = SIDE - DIGIT_SIDE  # how far a digit's top-left corner can move, each way
SPEED = 0.1 * ROOM  # pixels a frame
SEEN, PREDICTED = 10, 10  # the benchmark's split of a 20-frame clip
VALIDATION_CLIPS, VALIDATION_SEED = 1000, 2015


def trajectories(count: int, frames: int, rng: np.random.Generator) -> np.ndarray:
    """``(count, frames, 2)`` top-left corners (row, column) of digits bouncing in the frame, each
    from a random place in a random direction."""
    angle = rng.uniform(0, 2 * math.pi, size=count)
    return bouncing(rng.uniform(0, ROOM, size=(count, 2)), angle, frames)


def bouncing(start: np.ndarray, angle: np.ndarray, frames: int) -> np.ndarray:
    """Top-left corners ``(count, frames, 2)`` from ``start`` ``(count, 2)`` (row, column, each in [0,
    36]) in directions ``angle`` ``(count,)`` (radians; 0 is to the right, pi/2 up)."""
    position = np.clip(start, 0, ROOM).astype(float)
    velocity = SPEED * np.stack([-np.sin(angle), np.cos(angle)], axis=1)  # rows grow downwards
    corners = np.empty((len(position), frames, 2))
    for frame in range(frames):
        corners[:, frame] = position
        position = position + velocity
        low, high = position < 0, position > ROOM
        position = np.where(low, -position, np.where(high, 2 * ROOM - position, position))
        velocity = np.where(low | high, -velocity, velocity)
    return corners


def place(digits: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """``digits`` ``(n, 28, 28)`` uint8 drawn at ``corners`` ``(n, frames, 2)`` → ``(n, frames, 64,
    64)`` uint8, each digit in its own clip."""
    count, frames = corners.shape[:2]
    clips = np.zeros((count, frames, SIDE, SIDE), dtype=np.uint8)
    rows, cols = np.rint(corners).astype(int).transpose(2, 0, 1)
    for index in range(count):
        for frame in range(frames):
            top, left = rows[index, frame], cols[index, frame]
            clips[index, frame, top : top + DIGIT_SIDE, left : left + DIGIT_SIDE] = digits[index]
    return clips


def moving_clips(
    digits: np.ndarray, count: int, frames: int = SEEN + PREDICTED, per_clip: int = 2, seed: int = 0
) -> np.ndarray:
    """``count`` clips ``(count, frames, 64, 64)`` uint8 of ``per_clip`` digits drawn from ``digits``
    ``(N, 28, 28)`` uint8 (white on black), the same for the same seed."""
    rng = np.random.default_rng(seed)
    clips = np.zeros((count, frames, SIDE, SIDE), dtype=np.uint8)
    for _ in range(per_clip):
        chosen = digits[rng.integers(0, len(digits), size=count)]
        np.maximum(clips, place(chosen, trajectories(count, frames, rng)), out=clips)
    return clips


def mixed_clips(digits: np.ndarray, count: int, frames: int, seed: int, one_digit_share: float = 0.25):
    """Clips of two digits, a ``one_digit_share`` of them of one (the page's clips): what a model
    trains on, so that it continues both."""
    ones = round(count * one_digit_share)
    clips = np.concatenate(
        [
            moving_clips(digits, ones, frames, per_clip=1, seed=seed),
            moving_clips(digits, count - ones, frames, per_clip=2, seed=seed + 1),
        ]
    )
    return clips[np.random.default_rng(seed + 2).permutation(count)]


def validation_clips(digits: np.ndarray, count: int = VALIDATION_CLIPS, per_clip: int = 2) -> np.ndarray:
    """The held-out clips figures are measured on: ``count`` two-digit clips of 20 frames made from
    the test digits under a fixed seed."""
    return moving_clips(digits, count, SEEN + PREDICTED, per_clip, seed=VALIDATION_SEED + per_clip)


def digit_moving(digit: np.ndarray, frames: int, angle: float, start: tuple[float, float]) -> np.ndarray:
    """One ``(28, 28)`` uint8 digit (a drawing, a made-up digit) bouncing from ``start`` in direction
    ``angle`` (as ``bouncing`` takes them): ``(frames, 64, 64)`` uint8."""
    corners = bouncing(np.array([start], dtype=float), np.array([angle]), frames)
    return place(digit[None], corners)[0]
