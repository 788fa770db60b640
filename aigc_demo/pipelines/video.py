"""Clips of a world model: digits set in motion (a held-out digit it carries, a digit another model
made, a drawing), the frames that really follow, and the frames the model dreams after seeing the
first few; side by side as pictures and animated GIFs.

A digit is 28 x 28 grey levels; in a receipt it is written as base64 text (about 1 kB), so a clip
is remade from its receipt alone, whatever the digit came from.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from aigc_demo.backend.seeding import check_seed
from aigc_demo.data.moving_digits import DIGIT_SIDE, ROOM, SIDE, digit_moving

MOST_DIGITS = 3
SEEN = (2, 10)  # the fewest and most frames the model is shown
MOST_FRAMES = 60  # dreamed after them
MOST_TEMPERATURE = 1.5
DREAM_TEMPERATURE = 0.0  # the page's: the mean guess (drawn at 0.5 a dream is speckled, no more readable)
GAP = 2  # pixels between the real clip and the dream
FRAME_MS = 100  # a clip's GIF: ten frames a second
MAX_CLIPS = 10_000  # continued by one command


@dataclass(frozen=True)
class Mover:
    """A digit and how it moves: the top-left corner it starts at (row, column, each 0-36) and its
    direction (radians; 0 is to the right)."""

    digit: np.ndarray  # (28, 28) uint8, white on black
    start: tuple[float, float]
    angle: float

    def as_setting(self) -> dict[str, Any]:
        text = base64.b64encode(self.digit.astype(np.uint8).tobytes()).decode("ascii")
        return {"digit": text, "start": [round(v, 3) for v in self.start], "angle": round(self.angle, 4)}

    @classmethod
    def from_setting(cls, setting: Any) -> Mover:
        """A mover from its receipt's or its caller's form, every part checked before it is used."""
        if not isinstance(setting, dict) or set(setting) != {"digit", "start", "angle"}:
            raise ValueError("each moving digit is {digit, start, angle}")
        text = setting["digit"]
        if not isinstance(text, str) or len(text) != 4 * math.ceil(DIGIT_SIDE**2 / 3):
            raise ValueError("a moving digit's picture must be 28 x 28 grey levels as base64")
        try:
            digit = np.frombuffer(base64.b64decode(text, validate=True), dtype=np.uint8)
        except ValueError:
            raise ValueError("a moving digit's picture is not base64") from None
        start = setting["start"]
        if not (isinstance(start, list) and len(start) == 2 and all(_finite(v) for v in start)):
            raise ValueError("a moving digit's start is [row, column]")
        if not _finite(setting["angle"]):
            raise ValueError("a moving digit's angle is a number of radians")
        clipped = (min(max(float(start[0]), 0.0), ROOM), min(max(float(start[1]), 0.0), ROOM))
        return cls(digit.reshape(DIGIT_SIDE, DIGIT_SIDE).copy(), clipped, float(setting["angle"]))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_movers(settings: Any) -> list[Mover]:
    if not isinstance(settings, list) or not 1 <= len(settings) <= MOST_DIGITS:
        raise ValueError(f"a clip moves 1 to {MOST_DIGITS} digits")
    return [Mover.from_setting(each) for each in settings]


def example_movers(model: torch.nn.Module, seed: int, count: int) -> list[Mover]:
    """``count`` of the held-out digits a model carries, each from a random place in a random
    direction, the same for the same seed."""
    examples = model.example_digits
    if len(examples) == 0:
        raise ValueError("this world model carries no example digits: start from a digit or a drawing")
    rng = np.random.default_rng(check_seed(seed))
    chosen = rng.choice(len(examples), size=count, replace=False)
    return [random_motion(examples[i].cpu().numpy(), rng) for i in chosen]


def random_motion(digit: np.ndarray, rng: np.random.Generator) -> Mover:
    start = rng.uniform(0, ROOM, size=2)
    return Mover(digit, (float(start[0]), float(start[1])), float(rng.uniform(0, 2 * math.pi)))


def real_clip(movers: Sequence[Mover], frames: int) -> np.ndarray:
    """What really happens: the digits moving by the rules the model learned from, ``(frames, 64,
    64)`` uint8."""
    clip = np.zeros((frames, SIDE, SIDE), dtype=np.uint8)
    for mover in movers:
        np.maximum(clip, digit_moving(mover.digit, frames, mover.angle, mover.start), out=clip)
    return clip


def check_lengths(seen: Any, frames: Any, temperature: Any) -> tuple[int, int, float]:
    if not (isinstance(seen, int) and SEEN[0] <= seen <= SEEN[1]):
        raise ValueError(f"the model is shown {SEEN[0]} to {SEEN[1]} frames")
    if not (isinstance(frames, int) and 1 <= frames <= MOST_FRAMES):
        raise ValueError(f"a dream is 1 to {MOST_FRAMES} frames long")
    if not (_finite(temperature) and 0 <= temperature <= MOST_TEMPERATURE):
        raise ValueError(f"the temperature is from 0 to {MOST_TEMPERATURE}")
    return seen, frames, float(temperature)


@torch.inference_mode()
def dreamed(
    model: torch.nn.Module, seen: np.ndarray, frames: int, temperature: float, seed: int
) -> Iterator[np.ndarray]:
    """The frames a model dreams after ``seen`` ``(T, 64, 64)`` uint8, one ``(64, 64)`` uint8 at a
    time as each is made; the same for the same seed."""
    device = next(model.parameters()).device
    given = torch.from_numpy(seen).to(device).float().div(255)[None]
    generator = torch.Generator().manual_seed(check_seed(seed))
    for frame in model.dream(given, frames, temperature, generator):
        yield (frame[0, 0] * 255).round().to(torch.uint8).cpu().numpy()


@torch.inference_mode()
def continue_clips(
    model: torch.nn.Module, seen: np.ndarray, frames: int, temperature: float = 0.0, seed: int = 0
) -> np.ndarray:
    """``seen`` ``(N, T, 64, 64)`` uint8 → the ``frames`` after each ``(N, frames, 64, 64)`` uint8, in
    batches of 100; the mean guess at temperature 0."""
    if seen.ndim != 4 or seen.shape[2:] != (SIDE, SIDE) or seen.dtype != np.uint8:
        raise ValueError("the seen frames must be uint8 of shape (clips, frames, 64, 64)")
    if not 1 <= len(seen) <= MAX_CLIPS or not 1 <= seen.shape[1] <= 100:
        raise ValueError(f"give 1 to {MAX_CLIPS:,} clips of 1 to 100 seen frames")
    device, out = next(model.parameters()).device, []
    generator = torch.Generator().manual_seed(check_seed(seed))
    for start in range(0, len(seen), 100):
        given = torch.from_numpy(seen[start : start + 100]).to(device).float().div(255)
        guessed = model.continue_clip(given, frames, temperature, generator)
        out.append((guessed * 255).round().to(torch.uint8).cpu().numpy())
    return np.concatenate(out)


def side_by_side(real: np.ndarray, dream: np.ndarray, scale: int = 3) -> np.ndarray:
    """One frame of the real clip beside the dream's, a grey gap between, upscaled: ``(H, W)`` uint8."""
    gap = np.full((SIDE, GAP), 96, dtype=np.uint8)
    joined = np.concatenate([real, gap, dream], axis=1)
    return joined.repeat(scale, axis=0).repeat(scale, axis=1)


def clip_strip(real: np.ndarray, dream: np.ndarray, columns: int = 10) -> np.ndarray:
    """Two clips ``(K, 64, 64)`` as one picture: rows of ``columns`` frames, each row of the real clip
    above the same frames of the dream, a wider gap between the pairs of rows."""
    pairs = -(-len(real) // columns)
    step, pair_height = SIDE + GAP, 2 * (SIDE + GAP) + 2 * GAP
    sheet = np.full((pairs * pair_height - 3 * GAP, columns * step - GAP), 96, dtype=np.uint8)
    for index, frames in enumerate(zip(real, dream, strict=True)):
        top, left = (index // columns) * pair_height, (index % columns) * step
        for row, frame in enumerate(frames):
            sheet[top + row * step : top + row * step + SIDE, left : left + SIDE] = frame
    return sheet


@torch.inference_mode()
def image_model_digit(loaded: Any, seed: int, named: dict[str, float]) -> np.ndarray:
    """The 28 x 28 digit an image VAE draws for ``seed`` moved along its ``named`` directions (the
    Image page's picture), as uint8: a start the Image page and this one share."""
    from aigc_demo.pipelines import image

    model = loaded.module
    if loaded.entry.card.kind != "image-vae" or model.config["size"] != DIGIT_SIDE or model.classes:
        raise ValueError("the digit comes from a 28 x 28 image model that needs no class, like mnist-vae")
    code = image.latent_code(loaded, seed, named=named)
    return image.to_picture(model.decode(code[None])[0], scale=1)
