"""Links to the Image page: its state in the page URL's query and back (see ``links``)."""

from __future__ import annotations

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines.latents import MAX_OFFSET, MIN_TEMPERATURE
from aigc_demo.ui import links
from aigc_demo.ui.image_state import KINDS, TRAITS, ImageState


class ImageLinks:
    def __init__(self, hub: ModelHub):
        self.hub = hub

    def link(self, state: ImageState) -> str:
        """The query of a link that opens this page on the same picture."""
        liked = state.like not in (None, "")
        return links.query(
            "image",
            {
                "model": state.model,
                "class": state.digit if state.digit not in (None, "0") else None,
                "seed": links.number(state.seed) if state.seed is not None else None,
                "s": links.numbers(state.offsets),
                **{name: links.number(state.traits[name]) for name in TRAITS if state.traits[name]},
                "like": state.like if liked else None,
                "strength": links.number(state.strength) if liked else None,
                "psi": links.number(state.truncation) if state.truncation != 1.0 else None,
                "axes": "raw" if state.raw else None,
                "start": ",".join(map(links.number, state.start)) if state.start else None,
            },
        )

    def opened(self, search: object, current: ImageState) -> ImageState | None:
        """The state a link to this page asks for, ``current``'s values kept for what it leaves out
        or gives unfit; None for a link to another page."""
        link = links.LinkReader(search, "image")
        if not link.opened:
            return None
        return ImageState(
            model=link.text("model", current.model, self.hub.names(*KINDS)),  # a link may share a model
            digit=link.text("class", current.digit),
            seed=link.whole("seed", current.seed, 0, MAX_SEED),
            start=link.code("start"),
            offsets=tuple(link.numbers("s", current.offsets, -MAX_OFFSET, MAX_OFFSET)),
            traits={
                name: link.number(name, current.traits[name], -MAX_OFFSET, MAX_OFFSET) for name in TRAITS
            },
            like=link.text("like", current.like),
            strength=link.number("strength", current.strength, -MAX_OFFSET, MAX_OFFSET),
            truncation=link.number("psi", current.truncation, MIN_TEMPERATURE, 1.0),
            axes=link.text("axes", current.axes, ("principal", "raw")),
        )
