"""The Image tab's models and the values of its sliders, named (shared by its handlers and links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aigc_demo.backend.hub import ModelHub
from aigc_demo.ui.image_panels import SLIDERS, TRAITS

KINDS = ("image-vae", "image-gan")


@dataclass(frozen=True)
class Steering:
    """Where the sliders point: principal offsets, named amounts (ink, slant, width and "more like"
    a class), the truncation, and whether the sliders move along raw latent dimensions."""

    offsets: tuple
    named: dict[str, Any]
    truncation: float = 1.0
    raw: bool = False

    @classmethod
    def of(cls, values: tuple) -> Steering:
        """From the sliders' values in the order the page sends them: the principal sliders, the
        traits, "more like" and its strength, then (optionally) the truncation and the axes."""
        named = dict(zip(TRAITS, values[SLIDERS : SLIDERS + len(TRAITS)], strict=True))
        like_class, like_strength, *rest = values[SLIDERS + len(TRAITS) :]
        if like_class not in (None, ""):
            named[str(like_class)] = like_strength
        psi = rest[0] if rest and rest[0] is not None else 1.0
        return cls(tuple(values[:SLIDERS]), named, psi, len(rest) > 1 and rest[1] == "raw")


def image_models(hub: ModelHub) -> list[str]:
    return hub.names(*KINDS)
