"""Links to the Text page: the model, prompt and sampling settings in the page URL's query; a page
opened from one writes the same text at once (see ``links``)."""

from __future__ import annotations

import dataclasses

from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines import writing
from aigc_demo.pipelines.poem_form import FORM_CHOICES
from aigc_demo.text.poetry import FREE
from aigc_demo.ui import links
from aigc_demo.ui.text_state import KIND, RANGES, WHOLE, SamplingSettings, TextState


class TextLinks:
    def __init__(self, hub: ModelHub):
        self.hub = hub

    def link(self, state: TextState) -> str:
        """The query of a link that opens this page writing the same text."""
        settings = dataclasses.asdict(state.sampling)
        numbers = {key: links.number(value) for key, value in settings.items() if value is not None}
        return links.query(
            "text",
            {
                "model": state.model,
                "prompt": state.prompt,
                **numbers,
                "script": state.script if state.script == "simplified" else None,
                "form": state.form if state.form != FREE else None,
            },
        )

    def opened(self, search: object, current: TextState) -> TextState | None:
        """The state a link to this page asks for, ``current``'s values kept for what it leaves out
        or gives unfit; None for a link to another page."""
        link = links.LinkReader(search, "text")
        if not link.opened:
            return None
        asked = link.text("prompt", current.prompt)
        settings = dataclasses.asdict(current.sampling)
        read = {
            key: (link.whole if key in WHOLE else link.number)(key, value, *RANGES[key])
            for key, value in settings.items()
        }
        return TextState(
            model=link.text("model", current.model, self.hub.names(KIND)),  # a link may share a model
            prompt=asked if len(asked) <= writing.MAX_PROMPT else current.prompt,
            sampling=SamplingSettings(**read),
            script=link.text("script", current.script, ("traditional", "simplified")),
            form=link.text("form", current.form, FORM_CHOICES),
        )
