"""What the Text page computes, over the hub: writings streamed from a named state, the lens of a
written text, a branch from one of its characters, and the public API endpoints (``stream_text``,
``generate``, ``branch``, ``lens``), which keep their arguments in the order callers send them. A test
calls them without a server."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines import streams, writing
from aigc_demo.pipelines.poem_form import guide_for
from aigc_demo.text.poetry import FREE
from aigc_demo.text.script import in_script, is_chinese
from aigc_demo.ui.handlers import load_model, shows_errors
from aigc_demo.ui.i18n import language_of, translate
from aigc_demo.ui.text_state import KIND, SamplingSettings, TextState, Written

STREAM_INTERVAL = 0.04  # seconds between updates of the page while writing, at the least
# Updates the server sends a second for all writings together, at the most: each costs the server's one
# event loop a millisecond or two, which the writings' own steps wait on when many visitors write.
UPDATES_PER_SECOND = 100


def _model(hub: ModelHub, name: str | None) -> Any:
    return load_model(hub, name, (KIND,), "text").module


def shown_in(model: Any, text: str, script: str) -> str:
    """A text as the page shows it: a Chinese model's in the script the visitor chose."""
    return in_script(text, script) if is_chinese(model.vocabulary.chars) else text


def _joined(prompt: str, continuations: tuple[str, ...], lang: str) -> str:
    """The prompt and its continuation; several samples each under a heading line."""
    if len(continuations) == 1:
        return prompt + continuations[0]
    return "\n\n".join(
        f"――――  {translate('text_sample_heading', lang, number=i)}  ――――\n\n{prompt}{continuation}"
        for i, continuation in enumerate(continuations, start=1)
    )


def lens_tokens(model: Any, steps: list, script: str) -> list[tuple[str, float]]:
    """The lens as highlighted text: a score in [0, 1] shades each character by how sure the model
    was; new lines show as a mark so that they can be clicked too."""
    return [("⏎" if s.char == "\n" else shown_in(model, s.char, script), s.probability) for s in steps]


class TextHandlers:
    """What the Text page computes, over one hub."""

    def __init__(self, hub: ModelHub):
        self.hub = hub
        self._examples: dict[tuple, Written] = {}  # (model, file version, prompt) → the example written

    def guide(self, model_name: str, model: Any, prompt: str, form: Any, seed: int, samples: int) -> Any:
        """The poem-form guide for a request (None when nothing is guided): ``form`` is checked, and
        free follows the mix of forms on the model's card."""
        shares = self.hub.entry(model_name).card.extras.get("poem_forms")
        return guide_for(model.vocabulary, prompt, form or FREE, shares, seed, samples)

    @shows_errors
    def write(self, state: TextState, lang: str) -> Iterator[tuple[str, str, Written]]:
        """Stream (page text, notes on the prompt, the page's record) while sampling; the record says
        it is still being written until the last."""
        model = _model(self.hub, state.model)
        sampling, length, seed, samples = state.sampling.checked()
        prepared = writing.prepare_prompt(model, state.prompt)
        guide = self.guide(state.model, model, prepared.text, state.form, seed, samples)
        notes = "\n".join(f"- {note}" for note in prepared.notes)
        record = Written(state.model, prepared.text, ("",) * samples, state.form or FREE, writing=True)
        last = 0.0
        together = streams.scheduler_for(model)  # stepped beside every other visitor's writing
        for texts in writing.stream_text(
            model, prepared.text, sampling, length, seed, samples, guide, together
        ):
            record = dataclasses.replace(record, texts=tuple(texts))
            interval = max(STREAM_INTERVAL, together.live_streams / UPDATES_PER_SECOND)
            if time.monotonic() - last >= interval:
                last = time.monotonic()
                yield shown_in(model, _joined(prepared.text, record.texts, lang), state.script), notes, record
        record = dataclasses.replace(record, writing=False)
        yield shown_in(model, _joined(prepared.text, record.texts, lang), state.script), notes, record

    @shows_errors
    def stream_text(
        self,
        request: gr.Request,
        model_name: str,
        prompt_text: str,
        temp: float,
        k: float,
        p: float,
        count: float,
        sample_seed: float,
        sample_count: float,
        shown_script: str,
        form: str = FREE,
    ):
        """Continue a prompt, streaming the text as it is written. Returns the prompt (as the model
        read it) plus the continuation; with several samples, each after a divider line. ``form``
        (Chinese poem models): free, quatrain-5, quatrain-7, regulated-5 or regulated-7."""
        sampling = SamplingSettings(temp, k, p, count, sample_seed, sample_count)
        state = TextState(model_name, prompt_text, sampling, shown_script or "traditional", form)
        yield from self.write(state, language_of(request))

    @shows_errors
    def generate(
        self,
        model_name: str,
        prompt_text: str,
        temp: float = 0.8,
        k: int = 0,
        p: float = 1.0,
        count: int = 400,
        sample_seed: int = 0,
        sample_count: int = 1,
        form: str = FREE,
    ) -> dict[str, Any]:
        """Continue a prompt in one call (no streaming): the prompt as the model read it, notes on
        what was changed in it, and one continuation per sample (a poem in ``form``, see
        ``stream_text``)."""
        loaded = _model(self.hub, model_name)
        settings = SamplingSettings(temp, k, p, count, sample_seed, sample_count)
        sampling, length, used_seed, samples = settings.checked()
        prepared = writing.prepare_prompt(loaded, prompt_text)
        guide = self.guide(model_name, loaded, prepared.text, form, used_seed, samples)
        together = streams.scheduler_for(loaded)
        texts = writing.generate_text(
            loaded, prepared.text, sampling, length, used_seed, samples, guide, together
        )
        return {"prompt": prepared.text, "notes": prepared.notes, "continuations": texts}

    @shows_errors
    def branch(
        self,
        request: gr.Request,
        model_name: str,
        text_so_far: str,
        position: float,
        candidate: str,
        temp: float,
        k: float,
        p: float,
        count: float,
        sample_seed: float,
        sample_count: float,
        form: str = FREE,
    ) -> Iterator[str]:
        """Rewrite from one position: keep ``text_so_far[:position]``, put ``candidate`` there
        instead of what was written, and continue (streamed) from it (a poem in ``form``)."""
        if not isinstance(text_so_far, str) or not text_so_far:
            raise ValueError("give the text to branch from")
        cut = writing.check_position(position, len(text_so_far))
        if not isinstance(candidate, str) or len(candidate) != 1:
            raise ValueError("the candidate must be exactly one character")
        sampling = SamplingSettings(temp, k, p, count, sample_seed, sample_count)
        state = TextState(model_name, text_so_far[:cut] + candidate, sampling, form=form)
        for page, _, _ in self.write(state, language_of(request)):
            yield page

    @shows_errors
    def lens(self, model_name: str, text: str, start: int) -> list[dict[str, Any]]:
        """The probability lens of ``text[start:]``: for each character, the model's probability of
        it, the entropy (bits) of the model's guess there, and its likeliest candidates."""
        loaded = _model(self.hub, model_name)
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        cut = writing.check_position(start, len(text))
        return [
            {"char": s.char, "probability": s.probability, "entropy": s.entropy, "candidates": s.candidates}
            for s in writing.lens(loaded, text, max(cut, 1))
        ]

    @shows_errors
    def lens_of(self, record: Written, script: str) -> tuple[list[tuple[str, float]], Written]:
        """The lens over a record's first sample as highlighted text, and the record keeping it."""
        loaded = _model(self.hub, record.model)
        written = record.texts[0]
        steps = writing.lens(loaded, record.first(), len(record.prompt)) if written else []
        kept = tuple((s.char, s.probability, s.entropy, s.candidates) for s in steps)
        return lens_tokens(loaded, steps, script or "traditional"), dataclasses.replace(
            record, lens=kept, position=None
        )

    @shows_errors
    def branched(self, record: Written, candidate: Any, state: TextState, lang: str) -> Iterator[tuple]:
        """Continue from the clicked character of the record's lens with the candidate picked there."""
        if not record.lens or record.position is None or not candidate:
            raise ValueError("click a written character in the lens, then pick a candidate")
        cut = len(record.prompt) + record.position
        again = dataclasses.replace(
            state, model=record.model, prompt=record.first()[:cut] + candidate, form=record.form
        )
        yield from self.write(again, lang)

    @shows_errors
    def page_text(self, record: Written, script: str, lang: str) -> str:
        """A record's text as the page shows it: every sample, in the script chosen."""
        model = _model(self.hub, record.model)
        return shown_in(model, _joined(record.prompt, record.texts, lang), script or "traditional")

    def example(self, model_name: str, prompt: str) -> Written:
        """The record of the example prompt and what the page's default settings write after it (the
        same as pressing Write), made once per version of the model and kept."""
        key = (model_name, self.hub.entry(model_name).stamp, prompt)
        if key not in self._examples:
            defaults = SamplingSettings(seed=1)  # the page's seed box starts at 1
            written = self.generate(model_name, prompt, *dataclasses.astuple(defaults))
            if len(self._examples) >= 16:  # models come and go; keep a handful
                self._examples.clear()
            self._examples[key] = Written(model_name, written["prompt"], tuple(written["continuations"]))
        return self._examples[key]
