"""Links to the Text tab: the model, prompt and sampling settings in the page URL's query; a page
opened from one writes the same text at once (see ``links``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines import writing
from aigc_demo.pipelines.poem_form import FORM_CHOICES
from aigc_demo.text.poetry import FREE
from aigc_demo.ui import links

SAMPLING = ("temperature", "top_k", "top_p", "length", "seed", "samples")  # the order the page sends
RANGES = {  # also the page's sliders' ranges
    "temperature": (writing.MIN_TEMPERATURE, writing.MAX_TEMPERATURE),
    "top_k": (0, 100),
    "top_p": (0.05, 1.0),
    "length": (1, writing.MAX_LENGTH),
    "seed": (0, MAX_SEED),
    "samples": (1, writing.MAX_SAMPLES),
}
WHOLE = {"top_k", "length", "seed", "samples"}


class TextLinks:
    def __init__(self, hub: ModelHub, kind: str, write: Any):
        self.hub, self.kind, self.write = hub, kind, write  # write: the tab's streaming handler

    def link(self, model_name: str | None, prompt: str, *values: Any) -> str:
        """The query of a link that opens this tab writing the same text."""
        *sampling, script, form = values
        numbers = {key: links.number(v) for key, v in zip(SAMPLING, sampling, strict=True) if v is not None}
        return links.query(
            "text",
            {
                "model": model_name,
                "prompt": prompt,
                **numbers,
                "script": script if script == "simplified" else None,
                "form": form if form != FREE else None,
            },
        )

    def open_link(self, search: str, model_name: str | None, prompt: str, *values: Any) -> list[Any]:
        """The controls' values a link to this tab asks for; nothing changes for another link."""
        link = links.LinkReader(search, "text")
        if not link.opened:
            return [gr.skip()] * (2 + len(values))
        *sampling, script, form = values
        asked = link.text("prompt", prompt)
        read = [
            (link.whole if key in WHOLE else link.number)(key, v, *RANGES[key])
            for key, v in zip(SAMPLING, sampling, strict=True)
        ]
        return [
            link.text("model", model_name, self.hub.names(self.kind)),
            asked if len(asked) <= writing.MAX_PROMPT else prompt,
            *read,
            link.text("script", script, ("traditional", "simplified")),
            link.text("form", form, FORM_CHOICES),
        ]

    def write_linked(self, request: gr.Request, search: str, *values: Any) -> Iterator[Any]:
        """When the page was opened from a link to this tab, write its text (streamed) at once."""
        if not links.LinkReader(search, "text").opened:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        yield from self.write(request, *values)
