"""The Text tab: a prompt, sampling controls, streamed writing, and the probability lens.

``TextHandlers`` holds every handler as a plain method over the hub, so a test calls them without
a server; ``build_page`` lays out the components and wires them to those methods.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import writing
from aigc_demo.pipelines.poem_form import FORM_CHOICES, guide_for
from aigc_demo.text.poetry import FREE
from aigc_demo.text.script import in_script, is_chinese
from aigc_demo.ui import links
from aigc_demo.ui.handlers import load_model, model_in_page_language, shows_errors, speaks_chinese
from aigc_demo.ui.i18n import I18N, language_of, translate
from aigc_demo.ui.text_links import RANGES, TextLinks

KIND = "char-rnn"
STREAM_INTERVAL = 0.04  # seconds between updates of the page while writing
EXAMPLE_PROMPTS = {"en": "ROMEO:", "zh": "春江花月夜\n張若虛\n"}
QUIET = {"api_visibility": "private", "show_progress": "hidden"}  # UI-only helpers


@dataclass(frozen=True)
class SamplingSettings:
    """The sampling controls as the page sends them, in this order; ``checked`` refuses bad ones."""

    temperature: Any = 0.8
    top_k: Any = 0
    top_p: Any = 1.0
    length: Any = 400
    seed: Any = 0
    samples: Any = 1

    def checked(self) -> tuple[writing.Sampling, int, int, int]:
        """(how to draw, characters to write, seed, samples), each checked."""
        sampling = writing.Sampling.checked(self.temperature, self.top_k, self.top_p)
        return (sampling, *writing.check_request(self.length, self.seed, self.samples))


def _model(hub: ModelHub, name: str | None) -> Any:
    return load_model(hub, name, (KIND,), "text").module


def _shown(model: Any, text: str, script: str) -> str:
    return in_script(text, script) if is_chinese(model.vocabulary.chars) else text


def _joined(prompt: str, continuations: list[str], lang: str) -> str:
    """The prompt and its continuation; several samples each under a heading line."""
    if len(continuations) == 1:
        return prompt + continuations[0]
    return "\n\n".join(
        f"――――  {translate('text_sample_heading', lang, number=i)}  ――――\n\n{prompt}{continuation}"
        for i, continuation in enumerate(continuations, start=1)
    )


def _slider(low: float, high: float, value: float, step: float, key: str, info: bool = False) -> gr.Slider:
    """A sampling control labelled from the ``text_<key>`` texts, with id ``text-<key>``."""
    return gr.Slider(
        low,
        high,
        value=value,
        step=step,
        label=I18N(f"text_{key}"),
        info=I18N(f"text_{key}_info") if info else None,
        elem_id=f"text-{key.replace('_', '-')}",
    )


def _char_label(char: str, lang: str) -> str:
    return {"\n": translate("text_newline", lang), " ": translate("text_space", lang)}.get(char, char)


def _guide(
    hub: ModelHub, model_name: str, model: Any, prompt: str, form: Any, seed: int, samples: int
) -> Any:
    """The poem-form guide for a request (None when nothing is guided): ``form`` is checked, and
    free follows the mix of forms on the model's card."""
    shares = hub.entry(model_name).card.extras.get("poem_forms")
    return guide_for(model.vocabulary, prompt, form or FREE, shares, seed, samples)


def page_record(model_name: str, prompt: str, texts: list[str], form: str = FREE) -> dict[str, Any]:
    """What the page keeps of a text it shows (model, prompt as read, one text per sample, form), so
    that the lens and a later branch read the text the same way."""
    return {"model": model_name, "prompt": prompt, "texts": texts, "form": form or FREE}


def write(
    hub: ModelHub,
    model_name: str,
    prompt: str,
    settings: SamplingSettings,
    lang: str,
    script: str,
    form: str = FREE,
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Stream (page text, notes, the page's record) while sampling; shared by Write and Continue."""
    model = _model(hub, model_name)
    sampling, length, seed, samples = settings.checked()
    prepared = writing.prepare_prompt(model, prompt)
    guide = _guide(hub, model_name, model, prepared.text, form, seed, samples)
    notes = "\n".join(f"- {note}" for note in prepared.notes)
    record = page_record(model_name, prepared.text, [""] * samples, form)
    record["writing"] = True  # the page keeps this very dict while it streams: no lens of it yet
    last = 0.0
    for texts in writing.stream_text(model, prepared.text, sampling, length, seed, samples, guide):
        record["texts"] = texts
        if time.monotonic() - last >= STREAM_INTERVAL:
            last = time.monotonic()
            yield _shown(model, _joined(prepared.text, texts, lang), script), notes, record
    del record["writing"]
    yield _shown(model, _joined(prepared.text, record["texts"], lang), script), notes, record


def lens_tokens(model: Any, steps: list, script: str) -> list[tuple[str, float]]:
    """The lens as highlighted text: a score in [0, 1] shades each character by how sure the model
    was; new lines show as a mark so that they can be clicked too."""
    return [("⏎" if s.char == "\n" else _shown(model, s.char, script), s.probability) for s in steps]


class TextHandlers:
    """Every handler of the Text tab, over one hub. ``stream_text``, ``generate``, ``branch`` and
    ``lens`` are public API endpoints; the others serve the page."""

    def __init__(self, hub: ModelHub):
        self.hub = hub
        self._examples: dict[tuple, dict] = {}  # (model, file version, prompt) → the example's record

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
        settings = SamplingSettings(temp, k, p, count, sample_seed, sample_count)
        lang = language_of(request)
        script = shown_script or "traditional"
        yield from write(self.hub, model_name, prompt_text, settings, lang, script, form)

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
        sampling, length, used_seed, samples = SamplingSettings(
            temp, k, p, count, sample_seed, sample_count
        ).checked()
        prepared = writing.prepare_prompt(loaded, prompt_text)
        guide = _guide(self.hub, model_name, loaded, prepared.text, form, used_seed, samples)
        texts = writing.generate_text(loaded, prepared.text, sampling, length, used_seed, samples, guide)
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
        settings = SamplingSettings(temp, k, p, count, sample_seed, sample_count)
        lang = language_of(request)
        for page, _, _ in write(
            self.hub, model_name, text_so_far[:cut] + candidate, settings, lang, "traditional", form
        ):
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

    # The page's own events (not in the API).
    @shows_errors
    def show_lens(self, request: gr.Request, state: dict[str, Any], shown_script: str):
        """After writing: the lens over the first sample, kept in the page's record for clicks.
        Nothing while another writing still streams (a visitor who pressed Write as the page
        opened): its own lens follows it."""
        if state.get("writing"):
            return (gr.skip(),) * 5
        unpicked = translate("text_lens_pick", language_of(request)), None, gr.Radio(choices=[])
        if not state.get("texts"):
            return [], *unpicked, state
        loaded = _model(self.hub, state["model"])
        prompt_text, written = state["prompt"], state["texts"][0]
        steps = writing.lens(loaded, prompt_text + written, len(prompt_text)) if written else []
        state = {**state, "lens": [(s.char, s.probability, s.entropy, s.candidates) for s in steps]}
        return lens_tokens(loaded, steps, shown_script or "traditional"), *unpicked, state

    def pick(self, request: gr.Request, state: dict[str, Any], event: gr.SelectData):
        """A click on a character of the lens: its probability, entropy and candidates to branch to."""
        lang = language_of(request)
        steps = state.get("lens") or []
        if not isinstance(event.index, int) or not 0 <= event.index < len(steps):
            return translate("text_lens_pick", lang), None, gr.Radio(choices=[]), state
        char, probability, entropy, options = steps[event.index]
        info = translate(
            "text_lens_at",
            lang,
            position=event.index + 1,
            char=_char_label(char, lang),
            probability=f"{probability:.1%}",
            entropy=f"{entropy:.2f}",
        )
        bars = {_char_label(c, lang): q for c, q in options}
        radio = gr.Radio(choices=[(_char_label(c, lang), c) for c, _ in options], value=None)
        return info, bars, radio, {**state, "position": event.index}

    @shows_errors
    def branch_here(
        self,
        request: gr.Request,
        state: dict[str, Any],
        candidate: str | None,
        shown_script: str,
        *settings: float,
    ):
        """Continue from the clicked character of the lens with the candidate picked there."""
        if not state.get("lens") or "position" not in state or not candidate:
            raise ValueError("click a written character in the lens, then pick a candidate")
        text_so_far = state["prompt"] + state["texts"][0]
        cut = len(state["prompt"]) + state["position"]
        lang = language_of(request)
        yield from write(
            self.hub,
            state["model"],
            text_so_far[:cut] + candidate,
            SamplingSettings(*settings),
            lang,
            shown_script,
            state.get("form", FREE),
        )

    def open_page(self, request: gr.Request, search: str, current: str | None, prompt_text: str, state: dict):
        """On load: the model of a link to this tab (which then writes its own text), else the model
        in the page's language (Tang poems for a Chinese page), its example, and what the page's
        settings write from it, kept as the page's record so that the lens explains it at once. A
        visitor who pressed Write before the page finished opening keeps their own text."""
        unchanged = gr.skip(), gr.skip()
        if links.LinkReader(search, "text").opened:
            return *self.refresh(current, prompt_text), *unchanged
        names = self.hub.names(KIND)
        chosen = model_in_page_language(self.hub, names, request)
        *choices, prompt = self.refresh(chosen, prompt_text)
        if not chosen or prompt not in EXAMPLE_PROMPTS.values() or state.get("texts"):
            return *choices, prompt, *unchanged
        try:
            record = self.example_record(chosen, prompt)
        except gr.Error:  # a model that cannot write (a broken file): the page opens all the same
            return *choices, prompt, *unchanged
        shown = record["prompt"] + record["texts"][0]
        return *choices, prompt, shown, {**record, "texts": [*record["texts"]]}  # the page's own copy

    def example_record(self, model_name: str, prompt: str) -> dict[str, Any]:
        """The page's record of the example prompt and what the page's default settings write after
        it (the same as pressing Write), made once per version of the model and kept."""
        key = (model_name, self.hub.entry(model_name).stamp, prompt)
        if key not in self._examples:
            defaults = SamplingSettings(seed=1)  # the page's seed box starts at 1
            written = self.generate(model_name, prompt, *dataclasses.astuple(defaults))
            if len(self._examples) >= 16:  # models come and go; keep a handful
                self._examples.clear()
            self._examples[key] = page_record(model_name, written["prompt"], written["continuations"])
        return self._examples[key]

    def refresh(self, current: str | None, prompt_text: str):
        """Offer the installed text models; a Chinese model gets the script and poem-form choices
        and, in place of an untouched example prompt, a Chinese one."""
        names = self.hub.names(KIND)
        chosen = current if current in names else (names[0] if names else None)
        chinese = speaks_chinese(self.hub, chosen)
        example = EXAMPLE_PROMPTS["zh" if chinese else "en"]
        new_prompt = example if prompt_text in EXAMPLE_PROMPTS.values() else prompt_text
        chooser = gr.Dropdown(choices=names, value=chosen)
        return chooser, gr.Radio(visible=chinese), gr.Radio(visible=chinese), new_prompt


def build_page(site: Any) -> None:
    """Lay out the page (``site``: a ``pages.Site``) and wire its components to a ``TextHandlers``."""
    hub = site.hub
    with gr.Row():
        with gr.Column(scale=2):
            ui = _controls(hub.names(KIND))
        with gr.Column(scale=3):
            ui |= _results()
    ui["record"] = gr.State({})
    _wire(TextHandlers(hub), ui, site.opened)


def _controls(names: list[str]) -> dict[str, Any]:
    """The model, prompt, buttons and sampling controls."""
    ui: dict[str, Any] = {
        "model": gr.Dropdown(
            label=I18N("text_model"),
            choices=names,
            value=names[0] if names else None,
            allow_custom_value=True,
            elem_id="text-model",
        ),
        "prompt": gr.Textbox(
            label=I18N("text_prompt"),
            placeholder=I18N("text_prompt_placeholder"),
            value="ROMEO:",
            lines=4,
            max_length=10_000,
            elem_id="text-prompt",
        ),
        "form": gr.Radio(
            [(I18N(f"text_form_{form.replace('-', '_')}"), form) for form in FORM_CHOICES],
            value=FREE,
            label=I18N("text_form"),
            info=I18N("text_form_info"),
            visible=False,
            elem_id="text-form",
        ),
    }
    with gr.Row():
        ui["go"] = gr.Button(I18N("text_write"), variant="primary", elem_id="text-write")
        ui["stop"] = gr.Button(I18N("text_stop"), variant="stop", elem_id="text-stop")
    ui["length"] = _slider(*RANGES["length"], 400, 1, "length")
    ui["temperature"] = _slider(*RANGES["temperature"], 0.8, 0.05, "temperature", True)
    with gr.Row():
        ui["top_k"] = _slider(*RANGES["top_k"], 0, 1, "top_k", True)
        ui["top_p"] = _slider(*RANGES["top_p"], 1.0, 0.05, "top_p", True)
    with gr.Row():
        ui["seed"] = gr.Number(
            label=I18N("text_seed"), value=1, minimum=0, maximum=MAX_SEED, precision=0, elem_id="text-seed"
        )
        ui["shuffle"] = gr.Button(I18N("text_random"), elem_id="text-random")
        ui["samples"] = _slider(*RANGES["samples"], 1, 1, "samples")
    ui["script"] = gr.Radio(
        [(I18N("text_script_traditional"), "traditional"), (I18N("text_script_simplified"), "simplified")],
        value="traditional",
        label=I18N("text_script"),
        visible=False,
        elem_id="text-script",
    )
    return ui


def _results() -> dict[str, Any]:
    """The written text, notes on the prompt, and the probability lens with its branch controls."""
    ui: dict[str, Any] = {
        "output": gr.Textbox(
            label=I18N("text_output"),
            lines=14,
            max_lines=30,
            interactive=False,
            buttons=["copy"],
            elem_id="text-output",
        ),
        "notes": gr.Markdown(elem_id="text-notes"),
    }
    ui["copy_link"] = links.copy_link_row("text")
    ui |= {
        "lens": gr.HighlightedText(
            label=I18N("text_lens"),
            show_legend=False,
            show_inline_category=False,
            combine_adjacent=False,
            elem_id="text-lens",
        ),
        "lens_info": gr.Markdown(I18N("text_lens_pick"), elem_id="text-lens-info"),
        "candidates": gr.Label(
            label=I18N("text_candidates"), num_top_classes=writing.LENS_CANDIDATES, elem_id="text-candidates"
        ),
    }
    with gr.Row():
        ui["choice"] = gr.Radio([], label=I18N("text_branch_choice"), elem_id="text-branch-choice", scale=3)
        ui["branch"] = gr.Button(I18N("text_branch"), elem_id="text-branch", scale=1)
    return ui


def _wire(handlers: TextHandlers, ui: dict[str, Any], page: links.PageOpen) -> None:
    sampling = [ui[n] for n in ("temperature", "top_k", "top_p", "length", "seed", "samples")]
    record, script = ui["record"], ui["script"]
    written = [ui["output"], ui["notes"], record]
    lens_outputs = [ui["lens"], ui["lens_info"], ui["candidates"], ui["choice"], record]
    writing_event = gr.on(
        [ui["go"].click, ui["prompt"].submit],
        handlers.stream_text,
        [ui["model"], ui["prompt"], *sampling, script, ui["form"]],
        written,
        api_name="stream_text",
        show_progress="minimal",
    )
    branch_event = ui["branch"].click(
        handlers.branch_here,
        [record, ui["choice"], script, *sampling],
        written,
        api_visibility="private",
        show_progress="minimal",
    )
    for event in (writing_event, branch_event):
        event.then(handlers.show_lens, [record, script], lens_outputs, **QUIET)
        ui["stop"].click(None, cancels=[event], api_visibility="private")
    ui["lens"].select(
        handlers.pick,
        [record],
        [ui["lens_info"], ui["candidates"], ui["choice"], record],
        api_visibility="private",
    )
    for endpoint in (handlers.branch, handlers.generate, handlers.lens):
        gr.api(endpoint, api_name=endpoint.__name__)
    ui["shuffle"].click(random_seed, None, ui["seed"], **QUIET)
    linking = TextLinks(handlers.hub, KIND, handlers.stream_text)
    controls = [ui["model"], ui["prompt"], *sampling, script, ui["form"]]
    linked = page.event.then(linking.open_link, [page.query, *controls], controls, **QUIET)
    opened = linked.then(
        handlers.open_page,
        [page.query, ui["model"], ui["prompt"], record],
        [ui["model"], script, ui["form"], ui["prompt"], ui["output"], record],
        **QUIET,
    )
    opened.then(linking.write_linked, [page.query, *controls], written, **QUIET).then(
        handlers.show_lens, [record, script], lens_outputs, **QUIET
    )
    ui["copy_link"].wire(linking.link, controls)
    gr.on(
        [ui["model"].change, ui["model"].focus],  # on focus: a model trained meanwhile is listed
        handlers.refresh,
        [ui["model"], ui["prompt"]],
        [ui["model"], script, ui["form"], ui["prompt"]],
        **QUIET,
    )
