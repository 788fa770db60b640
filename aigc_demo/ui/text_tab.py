"""The Text page: a prompt, sampling controls, streamed writing, and the probability lens.

What it computes is ``TextHandlers`` (``text_handlers.py``), over named values (``TextState``,
``Written``). ``TextPage`` turns an event's values (by component) into a state and a result into
``{component: update}``; ``build_page`` lays out the components and wires them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo import settings
from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines import writing
from aigc_demo.pipelines.poem_form import FORM_CHOICES
from aigc_demo.text.poetry import FREE
from aigc_demo.ui import links
from aigc_demo.ui.controls import bring_into_view
from aigc_demo.ui.copies_note import copies_note
from aigc_demo.ui.handlers import model_in_page_language, shows_errors, speaks_chinese
from aigc_demo.ui.i18n import I18N, language_of, translate
from aigc_demo.ui.lens_panel import char_label, lens_panel
from aigc_demo.ui.text_handlers import TextHandlers
from aigc_demo.ui.text_links import TextLinks
from aigc_demo.ui.text_state import KIND, NAMES, RANGES, SamplingSettings, TextState, Written
from aigc_demo.ui.visitor import browser_token, model_choices, model_names

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

EXAMPLE_PROMPTS = {"en": "ROMEO:", "zh": "春江花月夜\n張若虛\n"}
QUIET = {"api_visibility": "private", "show_progress": "hidden"}  # UI-only helpers


@dataclass(frozen=True)
class TextControls:
    """The components whose values make the page's ``TextState``, by the state's names."""

    model: gr.Dropdown
    prompt: gr.Textbox
    sampling: dict[str, gr.Slider | gr.Number]  # by ``SamplingSettings``' names
    script: gr.Radio
    form: gr.Radio

    def in_api_order(self) -> list[Any]:
        """The components in the order ``/stream_text`` takes their values."""
        return [self.model, self.prompt, *(self.sampling[name] for name in NAMES), self.script, self.form]

    def sent(self) -> set[Any]:
        return set(self.in_api_order())

    def state(self, values: dict[Any, Any]) -> TextState:
        sampling = SamplingSettings(**{name: values[control] for name, control in self.sampling.items()})
        return TextState(
            values[self.model], values[self.prompt], sampling, values[self.script], values[self.form]
        )

    def shown(self, state: TextState) -> dict[Any, Any]:
        settings = dataclasses.asdict(state.sampling)
        return {
            self.model: state.model,
            self.prompt: state.prompt,
            **{control: settings[name] for name, control in self.sampling.items()},
            self.script: state.script,
            self.form: state.form,
        }


DRAW_SEED = f"(keep, seed) => keep ? seed : Math.floor(Math.random() * {MAX_SEED + 1})"


class TextPage:
    """The page's events: each takes the values of the components it names and answers
    ``{component: update}`` (a component left out is left as it is; ``gr.skip()``: nothing changes)."""

    def __init__(self, handlers: TextHandlers, controls: TextControls, ui: dict[str, Any]):
        self.handlers, self.controls, self.ui = handlers, controls, ui
        self.linking = TextLinks(handlers.hub)

    def written(self, page_text: str, notes: str, record: Written) -> dict:
        return {self.ui["output"]: page_text, self.ui["notes"]: notes, self.ui["record"]: record}

    def branch_here(self, request: gr.Request, values: dict) -> Iterator[dict]:
        """Continue from the clicked character of the lens with the candidate picked there."""
        state, record = self.controls.state(values), values[self.ui["record"]]
        for shown in self.handlers.branched(record, values[self.ui["choice"]], state, language_of(request)):
            yield self.written(*shown)

    def show_lens(self, request: gr.Request, values: dict) -> dict:
        """After writing: the lens over the first sample, kept in the page's record for clicks.
        Nothing while another writing still streams (a visitor who pressed Write as the page
        opened): its own lens follows it."""
        record, ui = values[self.ui["record"]], self.ui
        if record.writing:
            return gr.skip()
        unpicked = {
            ui["lens_info"]: translate("text_lens_pick", language_of(request)),
            ui["candidates"]: None,
            ui["choice"]: gr.Radio(choices=[]),
        }
        if not record.texts:
            return unpicked | {ui["lens"]: [], ui["copies"]: ""}
        tokens, record = self.handlers.lens_of(record, values[self.controls.script])
        checked = copies_note(self.handlers.hub, record.model, record.texts[0], language_of(request))
        return unpicked | {ui["lens"]: tokens, ui["record"]: record, ui["copies"]: checked}

    def pick(self, request: gr.Request, values: dict, event: gr.SelectData) -> dict:
        """A click on a character of the lens: its probability, entropy and candidates to branch to."""
        lang, record, ui = language_of(request), values[self.ui["record"]], self.ui
        if not isinstance(event.index, int) or not 0 <= event.index < len(record.lens):
            return {
                ui["lens_info"]: translate("text_lens_pick", lang),
                ui["candidates"]: None,
                ui["choice"]: gr.Radio(choices=[]),
            }
        char, probability, entropy, options = record.lens[event.index]
        info = translate(
            "text_lens_at",
            lang,
            position=event.index + 1,
            char=char_label(char, lang),
            probability=f"{probability:.1%}",
            entropy=f"{entropy:.2f}",
        )
        return {
            ui["lens_info"]: info,
            ui["candidates"]: {char_label(c, lang): q for c, q in options},
            ui["choice"]: gr.Radio(choices=[(char_label(c, lang), c) for c, _ in options], value=None),
            ui["record"]: dataclasses.replace(record, position=event.index),
        }

    def refresh(self, values: dict) -> dict:
        """Offer the installed text models; a Chinese model gets the script and poem-form choices
        and, in place of an untouched example prompt, a Chinese one."""
        hub, controls = self.handlers.hub, self.controls
        current, prompt = values[controls.model], values[controls.prompt]
        names = model_names(hub, values[self.ui["token"]], KIND, keep=current)
        chosen = current if current in names else (names[0] if names else None)
        chinese = speaks_chinese(hub, chosen)
        example = EXAMPLE_PROMPTS["zh" if chinese else "en"]
        return {
            controls.model: gr.Dropdown(choices=model_choices(names), value=chosen),
            controls.script: gr.Radio(visible=chinese),
            controls.form: gr.Radio(visible=chinese),
            controls.prompt: example if prompt in EXAMPLE_PROMPTS.values() else prompt,
        }

    def open_page(self, request: gr.Request, values: dict) -> dict:
        """On load: the model of a link to this page (which then writes its own text), else the
        model in the page's language (Tang poems for a Chinese page), its example, and what the
        page's settings write from it, kept as the page's record so that the lens explains it at
        once. A visitor who pressed Write before the page finished opening keeps their own text."""
        controls, hub = self.controls, self.handlers.hub
        if links.LinkReader(values[self.ui["query"]], "text").opened:
            return self.refresh(values)
        chosen = model_in_page_language(hub, model_names(hub, None, KIND), request)
        shown = self.refresh(values | {controls.model: chosen})
        prompt = shown[controls.prompt]
        if not chosen or prompt not in EXAMPLE_PROMPTS.values() or values[self.ui["record"]].texts:
            return shown
        try:
            record = self.handlers.example(chosen, prompt)
        except gr.Error:  # a model that cannot write (a broken file): the page opens all the same
            return shown
        lang = language_of(request)
        script = "simplified" if lang == "zh-CN" else values[controls.script]  # as a Chinese page reads
        shown[controls.script] = gr.Radio(visible=speaks_chinese(hub, chosen), value=script)
        return shown | {
            self.ui["output"]: self.handlers.page_text(record, script, lang),
            self.ui["record"]: record,
        }

    def after_stop(self, request: gr.Request, values: dict) -> dict:
        """Stop ends a writing where it is: what was written by then is the page's text, and its lens
        is made (the lens that follows a writing never comes for one stopped)."""
        record = values[self.ui["record"]]
        if not record.writing:
            return gr.skip()
        finished = dataclasses.replace(record, writing=False)
        shown = self.show_lens(request, values | {self.ui["record"]: finished})
        return {self.ui["record"]: finished} | shown  # the record with its lens, where it has one

    def convert(self, request: gr.Request, values: dict) -> dict:
        """Another script chosen: the text shown and its lens in it (nothing while a text is written)."""
        record = values[self.ui["record"]]
        if record.writing or not record.texts:
            return gr.skip()
        lang, script = language_of(request), values[self.controls.script]
        return self.show_lens(request, values) | {
            self.ui["output"]: self.handlers.page_text(record, script, lang)
        }

    def open_link(self, values: dict) -> dict:
        """The controls' values a link to this page asks for (nothing for a link to another page)."""
        state = self.linking.opened(values[self.ui["query"]], self.controls.state(values))
        return self.controls.shown(state) if state is not None else gr.skip()

    @shows_errors
    def write_linked(self, request: gr.Request, values: dict) -> Iterator[dict]:
        """When the page was opened from a link to this page, write its text (streamed) at once."""
        if not links.LinkReader(values[self.ui["query"]], "text").opened:
            yield gr.skip()
            return
        for shown in self.handlers.write(self.controls.state(values), language_of(request)):
            yield self.written(*shown)

    def link(self, values: dict) -> str:
        return self.linking.link(self.controls.state(values))


def build_page(site: Site) -> TextPage:
    """Lay out the page and wire its components to a ``TextPage``,
    which is returned."""
    with gr.Row():
        with gr.Column(scale=2):
            controls, ui = _controls(model_names(site.hub, None, KIND))
        with gr.Column(scale=3):
            ui |= _results()
    ui["record"] = gr.State(Written())
    ui["query"] = site.opened.query
    ui["token"] = browser_token(site.demo).box
    page = TextPage(TextHandlers(site.hub), controls, ui)
    _wire(page, site.opened)
    return page


def _controls(names: list[str]) -> tuple[TextControls, dict[str, Any]]:
    """The model, prompt, sampling controls, script and form; and the buttons."""
    ui: dict[str, Any] = {
        "model": gr.Dropdown(
            label=I18N("text_model"),
            choices=model_choices(names),
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
        ui["keep_seed"] = gr.Checkbox(False, label=I18N("text_keep_seed"), elem_id="text-keep-seed")
        ui["samples"] = _slider(*RANGES["samples"], 1, 1, "samples")
    ui["script"] = gr.Radio(
        [(I18N("text_script_traditional"), "traditional"), (I18N("text_script_simplified"), "simplified")],
        value="traditional",
        label=I18N("text_script"),
        visible=False,
        elem_id="text-script",
    )
    sampling = {name: ui.pop(name) for name in NAMES}
    controls = TextControls(ui.pop("model"), ui.pop("prompt"), sampling, ui.pop("script"), ui.pop("form"))
    return controls, ui


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
        "copies": gr.Markdown(elem_id="text-copies"),
    }
    ui["copy_link"] = links.copy_link_row("text")
    ui |= lens_panel("text", "text-branch-choice", writing.LENS_CANDIDATES)
    return ui


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


def _wire(page: TextPage, opened: links.PageOpen) -> None:
    handlers, controls, ui = page.handlers, page.controls, page.ui
    # Writings are stepped together (``pipelines.streams``): many run at once, as one group.
    together = {"concurrency_id": "writing", "concurrency_limit": settings.streams_limit()}
    record, sent = ui["record"], controls.sent() | {ui["token"]}
    written = [ui["output"], ui["notes"], record]
    lens_outputs = [ui["lens"], ui["lens_info"], ui["candidates"], ui["choice"], record, ui["copies"]]
    with_record = sent | {record}
    gr.on([], handlers.stream_text, controls.in_api_order(), written, api_name="stream_text", **together)
    seed = controls.sampling["seed"]
    # Each Write draws a new seed (shown in the seed box) unless the visitor keeps theirs: in the
    # browser, so that writing starts as soon as it would have.
    drawn = gr.on(
        [ui["go"].click, controls.prompt.submit], None, [ui["keep_seed"], seed], seed, js=DRAW_SEED, **QUIET
    )
    writing_event = drawn.then(
        handlers.stream_text,
        controls.in_api_order(),
        written,
        api_visibility="private",
        show_progress="minimal",
        **together,
    )
    branch_event = ui["branch"].click(
        page.branch_here,
        with_record | {ui["choice"]},
        written,
        api_visibility="private",
        show_progress="minimal",
        **together,
    )
    bring_into_view([ui["go"].click, controls.prompt.submit, ui["branch"].click], "text-output")
    for event in (writing_event, branch_event):
        event.then(page.show_lens, with_record, lens_outputs, **QUIET)
    stopped = ui["stop"].click(None, cancels=[writing_event, branch_event], api_visibility="private")
    after_stop = stopped.then(page.after_stop, with_record, lens_outputs, **QUIET)
    ui["copy_link"].keep([writing_event, branch_event, after_stop], page.link, sent)
    ui["lens"].select(page.pick, {record}, lens_outputs[1:], api_visibility="private")
    for endpoint in (handlers.branch, handlers.generate):
        gr.api(endpoint, api_name=endpoint.__name__, **together)
    gr.api(handlers.lens, api_name="lens")
    with_query = with_record | {ui["query"]}
    linked = opened.event.then(page.open_link, with_query, controls.in_api_order(), **QUIET)
    shown = [controls.model, controls.script, controls.form, controls.prompt, ui["output"], record]
    opening = linked.then(page.open_page, with_query, shown, **QUIET)
    opening.then(page.write_linked, with_query, written, **QUIET).then(
        page.show_lens, with_record, lens_outputs, **QUIET
    )
    ui["copy_link"].wire(page.link, sent)
    converted = [ui["output"], *lens_outputs]
    controls.script.change(page.convert, with_record, converted, **QUIET)
    refreshed = [controls.model, controls.script, controls.form, controls.prompt]
    # On focus too: a model trained meanwhile is listed.
    gr.on([controls.model.change, controls.model.focus], page.refresh, sent, refreshed, **QUIET)
