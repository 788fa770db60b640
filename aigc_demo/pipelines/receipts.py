"""Content made from a receipt: the model, its checkpoint's sha256 and every setting.

The app and the CLI make labelled content only through ``make``: the settings are first turned
into plain JSON values, then the same values make the content and are written into its receipt.
So a receipt holds exactly what made its content, and ``remake`` (what ``check`` runs) takes the
same path again.
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

import aigc_demo
from aigc_demo import settings
from aigc_demo.audio.wav import to_int16
from aigc_demo.backend.hub import LoadedModel, ModelHub
from aigc_demo.labels.files import labelled_gif, labelled_wav, write_png
from aigc_demo.labels.marks import audible_cue, visible_mark
from aigc_demo.labels.xmp import Label, label_for
from aigc_demo.pipelines import image, speech, typefaces, video
from aigc_demo.pipelines.image import looping_gif


@dataclass(frozen=True)
class Picture:
    pixels: np.ndarray  # uint8, (H, W) grey or (H, W, 3) colour


@dataclass(frozen=True)
class Sound:
    wave: np.ndarray  # float32 in [-1, 1], mono
    sample_rate: int

    @property
    def samples(self) -> np.ndarray:
        """As the WAV file holds them: 16-bit PCM."""
        return to_int16(self.wave)


@dataclass(frozen=True)
class Animation:
    gif: bytes  # as written, before its label

    def frames(self) -> np.ndarray:
        return gif_frames(io.BytesIO(self.gif))


Content = Picture | Sound | Animation
MAX_FRAMES = 200
MAX_ANIMATION_PIXELS = 16_000_000  # all frames together (48 MB as RGB); the app's are ~3 million


def gif_frames(source: Any) -> np.ndarray:
    """A GIF's frames as decoded RGB pictures ``(N, H, W, 3)``, refused past ``MAX_FRAMES`` or
    ``MAX_ANIMATION_PIXELS`` in all before any frame is decoded."""
    from PIL import Image, ImageSequence

    with Image.open(source) as animation:
        pixels = animation.n_frames * animation.width * animation.height
        if animation.n_frames > MAX_FRAMES or pixels > MAX_ANIMATION_PIXELS:
            raise ValueError("the animation is larger than this app makes")
        return np.stack([np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(animation)])


@dataclass(frozen=True)
class Made:
    content: Content
    receipt: dict[str, Any]

    @property
    def label(self) -> Label:
        return label_for(self.receipt, settings.content_producer(), tool_name())


def tool_name() -> str:
    return f"AIGC Studio {aigc_demo.__version__}"


def _picture(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    return Picture(
        image.decode(
            loaded, s["seed"], s["offsets"], s["class"], s["named"], s["start"], s["truncation"], s["raw"]
        )
    )


def _samples(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    images, _ = image.sample(loaded.module, s["count"], s["seed"], s["class"])
    return Picture(image.grid(images))


def _manifold(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    images = image.manifold(loaded, s["seed"], s["across"], s["down"], s["steps"], label=s["class"])
    return Picture(image.grid(images, scale=3))


def _pad(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    return Picture(image.blend_corners(loaded, s["corners"], s["x"], s["y"], s["class"]))


def interpolation_frames(loaded: LoadedModel, s: dict[str, Any]) -> torch.Tensor:
    """Frames between two seeds, two classes (same seed) or two encoded drawings (``path``)."""
    path, label, frames, how = s["path"], s["class"], s["frames"], s["how"]
    if path == "drawings":
        drawn = s["drawn"]
        if not isinstance(drawn, list) or len(drawn) < 2:
            raise ValueError("encode two drawings first (Edit your own digit), then interpolate between them")
        return image.interpolate_codes(loaded, drawn[-2], drawn[-1], frames, how, label)
    if path == "classes":
        return image.interpolate_classes(loaded, s["seed_a"], label, s["class_b"], frames)
    if path == "seeds":
        return image.interpolate(loaded, s["seed_a"], s["seed_b"], frames, how, label)
    raise ValueError("interpolate between 'seeds' or 'classes'")


def _strip(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    return Picture(image.strip(interpolation_frames(loaded, s)))


def _animation(loaded: LoadedModel, s: dict[str, Any]) -> Animation:
    return Animation(image.gif_bytes(interpolation_frames(loaded, s)))


def interpolation(loaded: LoadedModel, **chosen: Any) -> tuple[Made, Made]:
    """The animation and the strip of one interpolation, from one set of frames."""
    plain = _plain(chosen)
    frames = interpolation_frames(loaded, plain)
    receipt = _receipt(loaded, "animation", plain)
    strip = Made(Picture(image.strip(frames)), {**receipt, "made": "strip"})
    return Made(Animation(image.gif_bytes(frames)), receipt), strip


def _speech(loaded: LoadedModel, s: dict[str, Any]) -> Sound:
    said = speech.speak(loaded, speech.parse_digits(s["digits"]), s["seed"], s["voice"], s["temperature"])
    return Sound(said.wave, said.sample_rate)


def _spectrogram(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    return Picture(speech.spectrogram_picture(_speech(loaded, s).wave))


def spectrogram_of(spoken: Made) -> Made:
    """The spectrogram picture of spoken digits, with its own receipt (made without speaking again)."""
    assert isinstance(spoken.content, Sound)
    picture = Picture(speech.spectrogram_picture(spoken.content.wave))
    return Made(picture, {**spoken.receipt, "made": "spectrogram"})


def _line(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    model = loaded.module
    text = typefaces.check_text(model, s["text"])
    code = typefaces.style_code(
        loaded, s["seed"], s["family"], s["named"], s["start"], s["temperature"], s["discovered"]
    )
    return Picture(typefaces.line_picture(model, code, text))


def _type_grid(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    model = loaded.module
    text = typefaces.check_text(model, s["text"])
    codes = typefaces.grid_codes(loaded, s["seed"], s["count"], s["temperature"])
    drawn = typefaces.glyphs(model, codes, text)
    return Picture(typefaces.stacked([typefaces.set_line(each, text) for each in drawn]))


def _type_animation(loaded: LoadedModel, s: dict[str, Any]) -> Animation:
    model = loaded.module
    text = typefaces.check_text(model, s["text"])
    start, end = (typefaces.style_code(loaded, family=name) for name in (s["family_a"], s["family_b"]))
    drawn = typefaces.glyphs(model, typefaces.between(start, end, s["frames"]), text)
    return Animation(typefaces.animation_gif([typefaces.set_line(each, text) for each in drawn]))


def last(items: Iterable[Any]) -> Any:
    """The last of ``items``, all of them made in turn (a stream run to its end)."""
    return deque(items, maxlen=1).pop()


def dreaming(loaded: LoadedModel, s: dict[str, Any]) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """(the real clip, the seen frames and those dreamed so far) after each dreamed frame."""
    movers = video.check_movers(s["movers"])
    seen, frames, temperature = video.check_lengths(s["seen"], s["frames"], s["temperature"])
    real = video.real_clip(movers, seen + frames)
    dream = list(real[:seen])
    for frame in video.dreamed(loaded.module, real[:seen], frames, temperature, s["seed"]):
        dream.append(frame)
        yield real, dream


def _video_contents(real: np.ndarray, dream: list[np.ndarray]) -> tuple[Animation, Picture]:
    """The animation (the real clip beside the dream) and the strip (real above, dream below)."""
    pictures = [video.side_by_side(a, b) for a, b in zip(real, dream, strict=True)]
    strip = video.clip_strip(real, np.stack(dream))
    return Animation(looping_gif(pictures, video.FRAME_MS, back_and_forth=False)), Picture(strip)


def _dreamed_contents(loaded: LoadedModel, s: dict[str, Any]) -> tuple[Animation, Picture]:
    return _video_contents(*last(dreaming(loaded, s)))


def _video(loaded: LoadedModel, s: dict[str, Any]) -> Animation:
    return _dreamed_contents(loaded, s)[0]


def _video_strip(loaded: LoadedModel, s: dict[str, Any]) -> Picture:
    return _dreamed_contents(loaded, s)[1]


def clip_stream(loaded: LoadedModel, **chosen: Any) -> Iterator[tuple[np.ndarray, list[np.ndarray], Any]]:
    """One clip dreamed once: ``(real clip, frames so far, None)`` after each dreamed frame, then
    ``(real clip, all frames, (animation, strip))``, the two made with their receipt."""
    plain = _plain(chosen)
    for real, dream in dreaming(loaded, plain):
        yield real, dream, None
    animation, strip = _video_contents(real, dream)
    receipt = _receipt(loaded, "video", plain)
    yield real, dream, (Made(animation, receipt), Made(strip, {**receipt, "made": "video-strip"}))


def clip(loaded: LoadedModel, **chosen: Any) -> tuple[Made, Made]:
    """The animation and the strip of one clip, from one dream."""
    return last(clip_stream(loaded, **chosen))[2]


MAKERS: dict[str, Callable[[LoadedModel, dict[str, Any]], Content]] = {
    "picture": _picture,  # the Image tab's picture: a seed, slider offsets, named amounts, truncation
    "samples": _samples,  # `image`: a grid of samples from the prior
    "manifold": _manifold,  # a grid of pictures along two directions
    "pad": _pad,  # the picture at a point of a pad blending four seeds
    "strip": _strip,  # an interpolation's frames side by side
    "animation": _animation,  # an interpolation as a GIF
    "speech": _speech,  # the Speech tab and `speech`: digits in a voice
    "spectrogram": _spectrogram,  # the Speech tab's picture of what it said
    "line": _line,  # the Type tab and `type`: a line of text in one typeface
    "type-grid": _type_grid,  # one word in many typefaces
    "type-animation": _type_animation,  # one word moving from one family to another
    "video": _video,  # the Video tab and `video --dream`: a real clip beside the world model's dream
    "video-strip": _video_strip,  # the same as a strip of frames, real above, dream below
}


def make(loaded: LoadedModel, made: str, **chosen: Any) -> Made:
    """Make content of kind ``made`` with the ``chosen`` settings, and its receipt."""
    plain = _plain(chosen)
    return Made(MAKERS[made](loaded, plain), _receipt(loaded, made, plain))


def _receipt(loaded: LoadedModel, made: str, plain: dict[str, Any]) -> dict[str, Any]:
    return {
        "made": made,
        "model": loaded.entry.name,
        "checkpoint_sha256": loaded.sha256,
        "settings": plain,
        "app": tool_name(),
        "device": loaded.device.type,
    }


def with_mark(made: Made) -> Made:
    """The content with its explicit label: a picture with the "AI-GENERATED" strip below it, a
    recording after the two-tone cue. The receipt says so, and ``remake`` adds the same mark."""
    content = made.content
    if isinstance(content, Picture):
        return Made(Picture(visible_mark(content.pixels)), {**made.receipt, "mark": "visible"})
    if isinstance(content, Sound):
        cued = np.concatenate([audible_cue(content.sample_rate), content.wave])
        return Made(Sound(cued, content.sample_rate), {**made.receipt, "mark": "audible"})
    raise ValueError("only pictures and recordings carry a mark")


def save(made: Made, path: Path) -> Path:
    """Write made content as its file — a PNG, a GIF or a WAV — with its label and receipt in it."""
    content, label = made.content, made.label
    if isinstance(content, Picture):
        return write_png(path, content.pixels, label)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Animation):
        path.write_bytes(labelled_gif(content.gif, label))
    else:
        path.write_bytes(labelled_wav(content.samples, content.sample_rate, label))
    return path


def remake(hub: ModelHub, receipt: dict[str, Any]) -> Made:
    """Make the content a receipt describes again, with the model it names.

    Raises ``ValueError`` when the receipt names a kind of content or a model this app does not
    have, or when the model's file is not the one that made the content."""
    made, model = receipt.get("made"), receipt.get("model")
    if made not in MAKERS:
        raise ValueError(f"the receipt is for {made!r}, which this version of the app cannot make")
    if not isinstance(model, str) or not isinstance(receipt.get("settings"), dict):
        raise ValueError("the receipt names no model or settings")
    loaded = hub.load(model)
    if loaded.sha256 != receipt.get("checkpoint_sha256"):
        raise ValueError(
            f"the model {model!r} here is not the file that made it (its sha256 differs): "
            "the content cannot be made again with it"
        )
    try:
        remade = make(loaded, made, **receipt["settings"])
    except (KeyError, TypeError):
        raise ValueError("the receipt's settings are not those of its kind of content") from None
    return with_mark(remade) if receipt.get("mark") in ("visible", "audible") else remade


def _plain(chosen: dict[str, Any]) -> dict[str, Any]:
    """The settings as JSON gives them back (tuples become lists, NumPy numbers Python's), each
    whole number written one way (0.0 as 0), so the same settings always make the same file."""
    plain = {}
    for key, value in chosen.items():
        try:
            plain[key] = _whole(json.loads(json.dumps(value, allow_nan=False, default=_number)))
        except (TypeError, ValueError):
            raise ValueError(f"{key} must be a finite number, text, or a list of them") from None
    return plain


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value


def _number(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)
