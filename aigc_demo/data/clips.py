"""A visitor's own clip for a world model to learn: an animated GIF, or a zip or folder of frames
(pictures in name order), read within limits as 64 x 64 grey frames, light on dark.

How many frames and pixels a clip holds is read from its headers before any frame is decoded;
each frame is shrunk as it is read, so one full-size frame at most is in memory.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from aigc_demo.data.archive import Limits, read_files, read_members
from aigc_demo.data.images import PICTURE_SUFFIXES, ImageFileError, read_picture
from aigc_demo.data.moving_digits import SIDE

LEAST_FRAMES, MOST_FRAMES = 30, 400
MAX_CLIP_PIXELS = 100_000_000  # all frames together, as the files hold them


def read_clip(paths: list[Path], limits: Limits) -> np.ndarray:
    """The frames of the clip the files hold: ``(T, 64, 64)`` uint8."""
    if len(paths) == 1 and paths[0].suffix.lower() == ".gif":
        ((name, data),) = read_files(paths, limits, "clips")
        return light_on_dark(gif_frames(data, name))
    if len(paths) == 1:  # a zip or a folder of frames
        named = list(read_members(paths[0], PICTURE_SUFFIXES, limits))
    else:
        named = read_files(paths, limits, "frames")
    _check_count(len(named))
    _check_pixels(sum(_pixels(data, name) for name, data in named))
    frames = np.stack([as_frame(read_picture(data, name)) for name, data in sorted(named)])
    return light_on_dark(frames)


def gif_frames(data: bytes, name: str) -> np.ndarray:
    """An animated GIF's frames, counted and sized from the file before any is decoded."""
    try:
        with Image.open(io.BytesIO(data)) as animation:
            count = getattr(animation, "n_frames", 1)
            _check_count(count)
            _check_pixels(count * animation.width * animation.height)
            frames = []
            for index in range(count):
                animation.seek(index)
                frames.append(as_frame(np.asarray(animation.convert("RGB"))))
            return np.stack(frames)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as err:
        if isinstance(err, ImageFileError):
            raise
        raise ImageFileError(f"{name} is not a readable GIF") from None


def as_frame(pixels: np.ndarray) -> np.ndarray:
    """A picture (uint8, grey or colour) as a 64 x 64 grey frame, its whole picture fitted inside."""
    grey = Image.fromarray(pixels).convert("L")
    return np.asarray(ImageOps.pad(grey, (SIDE, SIDE), Image.Resampling.LANCZOS, color=0))


def light_on_dark(frames: np.ndarray) -> np.ndarray:
    """Frames made light things on a dark ground, as the moving digits are: a clip whose edges are
    mostly bright is inverted."""
    edges = np.concatenate([frames[:, 0], frames[:, -1], frames[:, :, 0], frames[:, :, -1]], axis=1)
    return 255 - frames if np.median(edges) > 127 else frames


def windows(frames: np.ndarray, length: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` runs of ``length`` frames from random places in ``frames``."""
    starts = rng.integers(0, len(frames) - length + 1, size=count)
    return np.stack([frames[start : start + length] for start in starts])


def _pixels(data: bytes, name: str) -> int:
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.width * picture.height
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ImageFileError(f"{name} is not a readable picture") from None


def _check_count(count: int) -> None:
    if not LEAST_FRAMES <= count <= MOST_FRAMES:
        raise ImageFileError(f"a clip needs {LEAST_FRAMES} to {MOST_FRAMES} frames; this one has {count:,}")


def _check_pixels(total: int) -> None:
    if total > MAX_CLIP_PIXELS:
        raise ImageFileError(
            f"the clip's frames hold more than {MAX_CLIP_PIXELS // 1_000_000} million pixels in all; "
            "give a smaller clip (the model sees 64 x 64) or fewer frames"
        )
