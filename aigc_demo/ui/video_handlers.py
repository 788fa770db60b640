"""What the Video page computes: ``VideoState`` (the page's values by name) and ``VideoHandlers`` over
the hub, so a test calls them without a server; ``video_clip`` is a public API endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr
import numpy as np

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, check_seed
from aigc_demo.data.images import prepare_drawing, read_data_url
from aigc_demo.pipelines import receipts, video
from aigc_demo.pipelines.latents import MAX_OFFSET
from aigc_demo.ui import links
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors

KIND = "world-model"
IMAGE_MODEL = "mnist-vae"  # whose digit the page can start from (the Image page's first model)
STARTS = ("examples", "image", "drawing")
TRAITS = ("ink", "slant", "width")  # the image model's named directions the page offers
STREAM_INTERVAL = 0.05  # seconds between the strip's updates while dreaming


@dataclass(frozen=True)
class VideoState:
    """What the page's controls say: the world model, where the clip starts (held-out digits, or the
    image model's digit for a seed moved along its traits), how many digits, the clip's seed, frames
    shown and dreamed, and the dream's temperature."""

    model: str | None
    start: str = "examples"
    digits: float = 1
    seed: float = 0
    seen: float = 10
    frames: float = 20
    temperature: float = video.DREAM_TEMPERATURE
    image_seed: float = 0
    amounts: tuple[float, ...] = (0.0,) * len(TRAITS)
    drawing: str = ""  # the pad's PNG data URL, for a clip that starts from a drawing

    def settings(self, hub: ModelHub, model: Any) -> dict[str, Any]:
        """The clip's receipt settings (its moving digits as pictures): what ``receipts.clip`` takes."""
        if self.start not in STARTS:
            raise ValueError(f"a clip starts from {', '.join(STARTS)}")
        seed = check_seed(self.seed)
        if self.start == "examples":
            count = whole(self.digits, "digits", 1, video.MOST_DIGITS)
            movers = video.example_movers(model, seed, count)
        elif self.start == "drawing":
            movers = [video.random_motion(drawn_digit(self.drawing), np.random.default_rng(seed))]
        else:
            if IMAGE_MODEL not in hub.names("image-vae"):
                raise ValueError(f"starting from the Image page's digit needs the {IMAGE_MODEL} model")
            image_model = hub.load(IMAGE_MODEL)
            named = dict(zip(TRAITS, (_amount(a) for a in self.amounts), strict=True))
            digit = video.image_model_digit(image_model, check_seed(self.image_seed), named)
            movers = [video.random_motion(digit, np.random.default_rng(seed))]
        return {
            "movers": [mover.as_setting() for mover in movers],
            "seen": whole(self.seen, "seen frames", *video.SEEN),
            "frames": whole(self.frames, "frames", 1, video.MOST_FRAMES),
            "temperature": self.temperature,
            "seed": seed,
        }


def drawn_digit(drawing: Any) -> np.ndarray:
    """The pad's drawing made a 28 x 28 digit as MNIST's were (uint8)."""
    if not isinstance(drawing, str) or not drawing:
        raise ValueError("draw a digit on the pad first")
    prepared = prepare_drawing(read_data_url(drawing, "the drawing"))
    return (prepared[0] * 255).round().byte().numpy()


def whole(value: Any, name: str, low: int, high: int) -> int:
    """A whole number given as a number (never as text, as ``check_whole`` would also take)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}")
    return int(value)


def _amount(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= MAX_OFFSET:
        raise ValueError(f"a trait's amount is from {-MAX_OFFSET} to {MAX_OFFSET}")
    return float(value)


class VideoHandlers:
    """What the Video page computes, over one hub. ``video_clip`` is a public API endpoint."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def video_clip(
        self,
        model_name: str,
        start: str,
        digits: float,
        seed: float,
        seen: float,
        frames: float,
        temperature: float,
        image_seed: float,
        ink: float = 0.0,
        slant: float = 0.0,
        width: float = 0.0,
        drawing: str = "",
    ) -> tuple[str, Any]:
        """A clip of moving digits: ``seen`` frames (2-10) shown to the world model, ``frames`` (1-60)
        it dreams after them. ``start``: "examples" (1-3 held-out digits, chosen by ``seed``), "image"
        (mnist-vae's digit for ``image_seed``, moved by ink, slant and width, -3 to 3) or "drawing" (a
        PNG data URL of a drawn digit).
        Returns the animated GIF (real left, dream right) and the strip of frames (real above)."""
        amounts = (ink, slant, width)
        state = VideoState(
            model_name, start, digits, seed, seen, frames, temperature, image_seed, amounts, drawing
        )
        return self.finished(state)

    @shows_errors
    def finished(self, state: VideoState) -> tuple[str, Any]:
        """The clip's GIF (a served file) and its strip, both labelled."""
        return receipts.last(self.dream(state))

    def first_clip(self, name: str | None) -> tuple[Any, Any]:
        """What the page opens on: the first model's clip of the page's first settings."""
        try:
            return self.finished(VideoState(name)) if name else (None, None)
        except gr.Error:
            return None, None

    @shows_errors
    def dream(self, state: VideoState) -> Iterator[tuple[Any, Any]]:
        """The strip as the dream grows, a frame at a time (nothing to download yet), then the
        labelled GIF and strip: one dream."""
        loaded = load_model(self.hub, state.model, (KIND,), "world")
        last = 0.0
        for real, dream, made in receipts.clip_stream(loaded, **state.settings(self.hub, loaded.module)):
            if made is not None:
                animation, strip = made
                yield str(receipts.save(animation, output_path("dream.gif"))), labelled(strip)
            elif time.monotonic() - last >= STREAM_INTERVAL:
                last = time.monotonic()
                yield None, growing_strip(real, dream)

    def link(self, state: VideoState) -> str:
        return links.query(
            "video",
            {
                "model": state.model,
                "start": state.start,
                "digits": links.number(state.digits),
                "seed": links.number(state.seed),
                "seen": links.number(state.seen),
                "frames": links.number(state.frames),
                "temperature": links.number(state.temperature),
                "image_seed": links.number(state.image_seed),
                "traits": links.numbers(state.amounts),
            },
        )

    def opened(self, search: object, current: VideoState) -> VideoState | None:
        link = links.LinkReader(search, "video")
        if not link.opened:
            return None
        return VideoState(
            model=link.text("model", current.model, self.hub.names(KIND)),
            start=link.text("start", current.start, list(STARTS)),
            digits=link.whole("digits", current.digits, 1, video.MOST_DIGITS),
            seed=link.whole("seed", current.seed, 0, MAX_SEED),
            seen=link.whole("seen", current.seen, *video.SEEN),
            frames=link.whole("frames", current.frames, 1, video.MOST_FRAMES),
            temperature=link.number("temperature", current.temperature, 0, video.MOST_TEMPERATURE),
            image_seed=link.whole("image_seed", current.image_seed, 0, MAX_SEED),
            amounts=tuple(link.numbers("traits", current.amounts, -MAX_OFFSET, MAX_OFFSET)),
        )


def growing_strip(real: np.ndarray, dream: list[np.ndarray]) -> np.ndarray:
    """The strip while the dream is made: the real clip above, the frames dreamed so far below."""
    below = np.zeros_like(real)
    below[: len(dream)] = np.stack(dream)
    return video.clip_strip(real, below)
