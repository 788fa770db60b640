"""What a drawn digit shows, as facts a sentence can carry for someone who cannot see the picture:
the digit the shipped judge (``mnist-classifier``) reads in it and which way its strokes lean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aigc_demo.models.image_classifier import ImageClassifier

JUDGE = "mnist-classifier"
SIDE = 28  # the judge reads 28 x 28 grey pictures
LEAN = 0.25  # horizontal shift per row of height beyond which strokes count as slanted (a clear slant)


@dataclass(frozen=True)
class Reading:
    digit: int
    confidence: float  # the judge's probability for that digit
    lean: str  # "left", "right" or "upright"


def shrunk(pixels: np.ndarray) -> np.ndarray | None:
    """A grey picture drawn at ``SIDE`` x ``SIDE`` and upscaled by a whole factor, back at its own
    size; None for anything else (colour, another size)."""
    if pixels.ndim != 2 or pixels.shape[0] != pixels.shape[1] or pixels.shape[0] % SIDE:
        return None
    step = pixels.shape[0] // SIDE
    return pixels[::step, ::step]


def lean_of(small: np.ndarray) -> str:
    """Which way the ink leans: the shear of its second moments (a stroke whose top lies to the right
    of its bottom leans right)."""
    ink = small.astype(np.float64)
    total = ink.sum()
    if total == 0:
        return "upright"
    rows, columns = np.mgrid[0 : small.shape[0], 0 : small.shape[1]]
    row_mean, column_mean = (rows * ink).sum() / total, (columns * ink).sum() / total
    spread = ((rows - row_mean) ** 2 * ink).sum() / total
    together = ((rows - row_mean) * (columns - column_mean) * ink).sum() / total
    shear = -together / spread if spread else 0.0  # rows grow downwards
    return "right" if shear > LEAN else "left" if shear < -LEAN else "upright"


@torch.no_grad()
def read_digit(judge: ImageClassifier, pixels: np.ndarray) -> Reading | None:
    """The judge's reading of a grey digit picture; None for a picture it cannot read."""
    small = shrunk(pixels)
    if small is None:
        return None
    judge.eval()
    device = next(judge.parameters()).device
    image = torch.from_numpy(np.ascontiguousarray(small)).float().div(255).view(1, 1, SIDE, SIDE)
    chances = judge(image.to(device)).softmax(1)[0]
    digit = int(chances.argmax())
    return Reading(digit, float(chances[digit]), lean_of(small))
