"""Checking a file against its label: read the receipt, make the content again, compare.

The verdict's ``code`` is the exit status of ``python -m aigc_demo check``: 0 reproduced, 1 the
content differs from what its receipt makes (altered after it was made), 2 the file or its receipt
cannot be used, 3 no AI-generated label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aigc_demo.backend.hub import ModelHub, UnknownModelError
from aigc_demo.labels.files import read_label
from aigc_demo.labels.xmp import Label, LabelError
from aigc_demo.pipelines.receipts import Animation, Made, Picture, Sound, gif_frames, remake

REPRODUCED, DIFFERS, UNUSABLE, UNLABELLED = 0, 1, 2, 3
MAX_CHECKED_PIXELS = 4096 * 4096
MAX_CHECKED_SAMPLES = 4_000_000  # 8 minutes at the app's 8 kHz; a file is refused before it is read
APP_MAX_PICTURES = 256  # pictures a receipt checked in the app may ask for (a 16 x 16 grid)
# How many of a model's pictures each kind of picture a receipt makes holds, by its settings.
PICTURES_ASKED = {
    "samples": lambda s: s.get("count"),
    "manifold": lambda s: s.get("steps", 0) ** 2 if isinstance(s.get("steps"), int) else None,
    "strip": lambda s: s.get("frames"),
    "picture": lambda s: 1,
    "pad": lambda s: 1,
}


@dataclass(frozen=True)
class Verdict:
    code: int
    message: str
    label: Label | None = None
    remade: Made | None = None


def check_file(hub: ModelHub, path: str | Path, most_pictures: int | None = None) -> Verdict:
    """The verdict on one file (a PNG, GIF or WAV); never raises for a bad file. What its receipt
    asks to be made is measured against the file's own size first, and against ``most_pictures``
    (the app's limit; None on the command line), before anything is made."""
    try:
        label = read_label(path)
    except (LabelError, OSError) as err:
        return Verdict(UNUSABLE, f"the file cannot be checked: {_reason(err)}")
    if label is None:
        return Verdict(UNLABELLED, "the file carries no AI-generated label")
    if label.receipt is None:
        return Verdict(UNUSABLE, "it is labelled, but has no receipt this app can make it again from", label)
    try:
        _check_cost(hub, Path(path), label.receipt, most_pictures)
        remade = remake(hub, label.receipt)
        found = _content_of(Path(path), remade)
    except (ValueError, UnknownModelError, OSError) as err:
        return Verdict(UNUSABLE, f"it cannot be made again: {_reason(err)}", label)
    difference = _difference(found, remade.content)
    if difference is None:
        return Verdict(REPRODUCED, "reproduced: identical to what its receipt makes", label, remade)
    message = f"altered: {difference} from what its receipt makes"
    made_on, here = label.receipt.get("device"), remade.receipt["device"]
    if made_on != here:
        message += f" (it was made on {made_on!s:.20}, made again here on {here}: the last bit may differ)"
    return Verdict(DIFFERS, message, label, remade)


def _check_cost(hub: ModelHub, path: Path, receipt: dict, most_pictures: int | None) -> None:
    """Refuse a receipt that asks for more pictures than ``most_pictures``, or for more pixels than
    the file itself holds (read from its header): the file cannot be what it made, and making it
    would cost the server what a file of that size never could."""
    count_of = PICTURES_ASKED.get(receipt.get("made"))
    settings = receipt.get("settings")
    if count_of is None or not isinstance(settings, dict):
        return
    asked = count_of(settings)
    if not isinstance(asked, int) or isinstance(asked, bool) or asked < 1:
        raise ValueError("its receipt does not say how many pictures it made")
    if most_pictures is not None and asked > most_pictures:
        raise ValueError(
            f"its receipt asks for {asked:,} pictures; files of up to {most_pictures} are checked here"
        )
    config = hub.entry(receipt.get("model", "")).card.config
    side = int(config.get("size", 28))
    from PIL import Image

    with Image.open(path) as picture:  # the header only
        held = picture.width * picture.height
    if asked * side * side > held:
        raise ValueError(
            f"the file holds {held:,} pixels, fewer than the {asked:,} pictures its receipt asks for"
        )


def _reason(err: Exception) -> str:
    """In words, without the paths of this machine."""
    if isinstance(err, UnknownModelError):
        return str(err.args[0])
    if isinstance(err, OSError):
        return err.strerror or "the file is damaged"
    return str(err)


def _content_of(path: Path, like: Made) -> np.ndarray | tuple[np.ndarray, int]:
    """The file's pixels or 16-bit samples, read within bounds, as the receipt's content is held."""
    if isinstance(like.content, Animation):
        return gif_frames(path)
    if isinstance(like.content, Picture):
        from PIL import Image

        with Image.open(path) as picture:
            if picture.width * picture.height > MAX_CHECKED_PIXELS:
                size = f"{picture.width} x {picture.height}"
                raise ValueError(f"the picture is {size}, larger than this app makes")
            return np.asarray(picture)
    import soundfile as sf

    with sf.SoundFile(path) as sound:
        if sound.frames > MAX_CHECKED_SAMPLES:
            raise ValueError("the recording is longer than this app makes")
        return sound.read(dtype="int16"), sound.samplerate


def _difference(found: Any, made: Picture | Sound | Animation) -> str | None:
    """None when identical, else how they differ, in words."""
    if isinstance(made, Animation):
        return _array_difference(found, made.frames(), "pixel values of its frames", " levels")
    if isinstance(made, Sound):
        samples, rate = found
        if rate != made.sample_rate:
            return f"its sample rate is {rate} Hz, not {made.sample_rate} Hz"
        return _array_difference(samples, made.samples, "samples", "")
    return _array_difference(found, made.pixels, "pixel values", " levels")


def _array_difference(found: np.ndarray, made: np.ndarray, what: str, unit: str) -> str | None:
    if found.shape != made.shape:
        return f"its shape is {found.shape}, not {made.shape}"
    changed = found != made
    if not changed.any():
        return None
    largest = int(np.abs(found.astype(np.int64) - made.astype(np.int64)).max())
    return f"{int(changed.sum())} of {changed.size} {what} differ (by up to {largest}{unit})"
