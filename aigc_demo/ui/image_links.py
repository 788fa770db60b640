"""Links to the Image tab: its controls' values in the page URL's query and back (see ``links``)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines.latents import MAX_OFFSET, MIN_TEMPERATURE
from aigc_demo.ui import links
from aigc_demo.ui.image_panels import SLIDERS, TRAITS
from aigc_demo.ui.image_steering import Steering, image_models


class ImageLinks:
    """``link`` and ``open_link`` take the Image tab's inputs in the order its events send them."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    def link(
        self,
        start_code: list[float] | None,
        model_name: str | None,
        class_label: str | None,
        latent_seed: float,
        *values: float | str | None,
    ) -> str:
        """The query of a link that opens this tab on the same picture."""
        steer = Steering.of(values)
        like = next((name for name in steer.named if name not in TRAITS), None)
        return links.query(
            "image",
            {
                "model": model_name,
                "class": class_label if class_label not in (None, "0") else None,
                "seed": links.number(latent_seed) if latent_seed is not None else None,
                "s": links.numbers(steer.offsets),
                **{name: links.number(steer.named[name]) for name in TRAITS if steer.named[name]},
                "like": like,
                "strength": links.number(steer.named[like]) if like else None,
                "psi": links.number(steer.truncation) if steer.truncation != 1.0 else None,
                "axes": "raw" if steer.raw else None,
                "start": ",".join(map(links.number, start_code)) if start_code else None,
            },
        )

    def open_link(self, search: str, start_code: list[float] | None, *current: Any) -> list[Any]:
        """The controls' values (model, class, seed, sliders, traits, "more like" and its strength,
        truncation, axes, start code) a link asks for; nothing changes for a link to another tab."""
        link = links.LinkReader(search, "image")
        if not link.opened:
            return [gr.skip()] * (len(current) + 1)
        model, label, seed, *values = current
        sliders, traits = values[:SLIDERS], values[SLIDERS : SLIDERS + len(TRAITS)]
        like, strength, truncation, axes = values[SLIDERS + len(TRAITS) :]
        return [
            link.text("model", model, image_models(self.hub)),
            link.text("class", label),
            link.whole("seed", seed, 0, MAX_SEED),
            *link.numbers("s", sliders, -MAX_OFFSET, MAX_OFFSET),
            *(
                link.number(name, value, -MAX_OFFSET, MAX_OFFSET)
                for name, value in zip(TRAITS, traits, strict=True)
            ),
            link.text("like", like),
            link.number("strength", strength, -MAX_OFFSET, MAX_OFFSET),
            link.number("psi", truncation, MIN_TEMPERATURE, 1.0),
            link.text("axes", axes, ("principal", "raw")),
            link.code("start"),
        ]
