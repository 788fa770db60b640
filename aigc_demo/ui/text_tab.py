"""The Text tab: a prompt, sampling controls, streamed writing, and the probability lens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import text as writing
from aigc_demo.text.script import in_script, is_chinese
from aigc_demo.ui.handlers import load_model, shows_errors
from aigc_demo.ui.i18n import I18N, language_of
from aigc_demo.ui.i18n import text as translate

KIND = "char-rnn"
STREAM_INTERVAL = 0.04  # seconds between updates of the page while writing
EXAMPLE_PROMPTS = {"en": "ROMEO:", "zh": "春江花月夜\n張若虛\n"}


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


def write(
    hub: ModelHub, model_name: str, prompt: str, settings: tuple, lang: str, script: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Stream (page text, notes, session record) while sampling; shared by Write and Continue.
    The record names the model, so the lens and a later branch read the text with the same one."""
    model = _model(hub, model_name)
    temperature, top_k, top_p, length, seed, samples = settings
    sampling = writing.Sampling.checked(temperature, top_k, top_p)
    length, seed, samples = writing.check_request(length, seed, samples)
    prepared = writing.prepare_prompt(model, prompt)
    notes = "\n".join(f"- {note}" for note in prepared.notes)
    record = {"model": model_name, "prompt": prepared.text, "texts": [""] * samples}
    last = 0.0
    for texts in writing.stream_text(model, prepared.text, sampling, length, seed, samples):
        record["texts"] = texts
        if time.monotonic() - last >= STREAM_INTERVAL:
            last = time.monotonic()
            yield _shown(model, _joined(prepared.text, texts, lang), script), notes, record
    yield _shown(model, _joined(prepared.text, record["texts"], lang), script), notes, record


def build_text_tab(demo: gr.Blocks, hub: ModelHub) -> None:
    with gr.Row():
        with gr.Column(scale=2):
            names = [e.name for e in hub.entries(kind=KIND)]
            model = gr.Dropdown(
                label=I18N("text_model"),
                choices=names,
                value=names[0] if names else None,
                allow_custom_value=True,
                elem_id="text-model",
            )
            prompt = gr.Textbox(
                label=I18N("text_prompt"),
                placeholder=I18N("text_prompt_placeholder"),
                value="ROMEO:",
                lines=4,
                max_length=10_000,
                elem_id="text-prompt",
            )
            with gr.Row():
                go = gr.Button(I18N("text_write"), variant="primary", elem_id="text-write")
                stop = gr.Button(I18N("text_stop"), variant="stop", elem_id="text-stop")
            length = _slider(1, writing.MAX_LENGTH, 400, 1, "length")
            temperature = _slider(
                writing.MIN_TEMPERATURE, writing.MAX_TEMPERATURE, 0.8, 0.05, "temperature", True
            )
            with gr.Row():
                top_k = _slider(0, 100, 0, 1, "top_k", True)
                top_p = _slider(0.05, 1.0, 1.0, 0.05, "top_p", True)
            with gr.Row():
                seed = gr.Number(
                    label=I18N("text_seed"),
                    value=1,
                    minimum=0,
                    maximum=MAX_SEED,
                    precision=0,
                    elem_id="text-seed",
                )
                shuffle = gr.Button(I18N("text_random"), elem_id="text-random")
                samples = _slider(1, writing.MAX_SAMPLES, 1, 1, "samples")
            script = gr.Radio(
                [
                    (I18N("text_script_traditional"), "traditional"),
                    (I18N("text_script_simplified"), "simplified"),
                ],
                value="traditional",
                label=I18N("text_script"),
                visible=False,
                elem_id="text-script",
            )
        with gr.Column(scale=3):
            output = gr.Textbox(
                label=I18N("text_output"),
                lines=14,
                max_lines=30,
                interactive=False,
                buttons=["copy"],
                elem_id="text-output",
            )
            notes = gr.Markdown(elem_id="text-notes")
            lens_view = gr.HighlightedText(
                label=I18N("text_lens"),
                show_legend=False,
                show_inline_category=False,
                combine_adjacent=False,
                elem_id="text-lens",
            )
            lens_info = gr.Markdown(I18N("text_lens_pick"), elem_id="text-lens-info")
            candidates = gr.Label(
                label=I18N("text_candidates"),
                num_top_classes=writing.LENS_CANDIDATES,
                elem_id="text-candidates",
            )
            with gr.Row():
                choice = gr.Radio([], label=I18N("text_branch_choice"), elem_id="text-branch-choice", scale=3)
                branch_go = gr.Button(I18N("text_branch"), elem_id="text-branch", scale=1)
    record = gr.State({})

    sampling_inputs = [temperature, top_k, top_p, length, seed, samples]

    @shows_errors
    def stream_text(
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
    ):
        """Continue a prompt, streaming the text as it is written. Returns the prompt (as the model
        read it) plus the continuation; with several samples, each after a divider line."""
        settings = (temp, k, p, count, sample_seed, sample_count)
        yield from write(
            hub, model_name, prompt_text, settings, language_of(request), shown_script or "traditional"
        )

    writing_event = gr.on(
        [go.click, prompt.submit],
        stream_text,
        [model, prompt, *sampling_inputs, script],
        [output, notes, record],
        api_name="stream_text",
        show_progress="minimal",
    )

    @shows_errors
    def show_lens(request: gr.Request, state: dict[str, Any], shown_script: str):
        if not state.get("texts"):
            return [], translate("text_lens_pick", language_of(request)), None, gr.Radio(choices=[]), state
        loaded = _model(hub, state["model"])
        prompt_text, written = state["prompt"], state["texts"][0]
        steps = writing.lens(loaded, prompt_text + written, len(prompt_text)) if written else []
        state = {**state, "lens": [(s.char, s.probability, s.entropy, s.candidates) for s in steps]}
        # A score in [0, 1] shades a character by how sure the model was; new lines show as a mark
        # so that they can be clicked too.
        tokens = [
            ("⏎" if s.char == "\n" else _shown(loaded, s.char, shown_script or "traditional"), s.probability)
            for s in steps
        ]
        return tokens, translate("text_lens_pick", language_of(request)), None, gr.Radio(choices=[]), state

    lens_outputs = [lens_view, lens_info, candidates, choice, record]
    writing_event.then(
        show_lens, [record, script], lens_outputs, api_visibility="private", show_progress="hidden"
    )
    stop.click(None, cancels=[writing_event], api_visibility="private")

    def pick(request: gr.Request, state: dict[str, Any], event: gr.SelectData):
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

    lens_view.select(pick, [record], [lens_info, candidates, choice, record], api_visibility="private")

    @shows_errors
    def branch(
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
    ) -> Iterator[str]:
        """Rewrite from one position: keep ``text_so_far[:position]``, put ``candidate`` there
        instead of what was written, and continue (streamed) from it."""
        if not isinstance(text_so_far, str) or not text_so_far:
            raise ValueError("give the text to branch from")
        cut = writing.check_position(position, len(text_so_far))
        if not isinstance(candidate, str) or len(candidate) != 1:
            raise ValueError("the candidate must be exactly one character")
        settings = (temp, k, p, count, sample_seed, sample_count)
        lang = language_of(request)
        for page, _, _ in write(
            hub, model_name, text_so_far[:cut] + candidate, settings, lang, "traditional"
        ):
            yield page

    gr.api(branch, api_name="branch")

    @shows_errors
    def generate(
        model_name: str,
        prompt_text: str,
        temp: float = 0.8,
        k: int = 0,
        p: float = 1.0,
        count: int = 400,
        sample_seed: int = 0,
        sample_count: int = 1,
    ) -> dict[str, Any]:
        """Continue a prompt in one call (no streaming): the prompt as the model read it, notes on
        what was changed in it, and one continuation per sample."""
        loaded = _model(hub, model_name)
        sampling = writing.Sampling.checked(temp, k, p)
        length, used_seed, samples_wanted = writing.check_request(count, sample_seed, sample_count)
        prepared = writing.prepare_prompt(loaded, prompt_text)
        texts = writing.generate_text(loaded, prepared.text, sampling, length, used_seed, samples_wanted)
        return {"prompt": prepared.text, "notes": prepared.notes, "continuations": texts}

    gr.api(generate, api_name="generate")

    @shows_errors
    def branch_here(
        request: gr.Request, state: dict[str, Any], candidate: str | None, shown_script: str, *settings: float
    ):
        lang = language_of(request)
        if not state.get("lens") or "position" not in state or not candidate:
            raise ValueError("click a written character in the lens, then pick a candidate")
        text_so_far = state["prompt"] + state["texts"][0]
        cut = len(state["prompt"]) + state["position"]
        yield from write(hub, state["model"], text_so_far[:cut] + candidate, settings, lang, shown_script)

    branch_event = branch_go.click(
        branch_here,
        [record, choice, script, *sampling_inputs],
        [output, notes, record],
        api_visibility="private",
        show_progress="minimal",
    )
    branch_event.then(
        show_lens, [record, script], lens_outputs, api_visibility="private", show_progress="hidden"
    )
    stop.click(None, cancels=[branch_event], api_visibility="private")

    @shows_errors
    def lens(model_name: str, text: str, start: int) -> list[dict[str, Any]]:
        """The probability lens of ``text[start:]``: for each character, the model's probability of
        it, the entropy (bits) of the model's guess there, and its likeliest candidates."""
        loaded = _model(hub, model_name)
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        cut = writing.check_position(start, len(text))
        return [
            {"char": s.char, "probability": s.probability, "entropy": s.entropy, "candidates": s.candidates}
            for s in writing.lens(loaded, text, max(cut, 1))
        ]

    gr.api(lens, api_name="lens")

    shuffle.click(random_seed, None, seed, api_visibility="private", show_progress="hidden")

    def refresh(current: str | None, prompt_text: str):
        """Offer the installed text models; a Chinese model gets the script choice and, in place of
        an untouched example prompt, a Chinese one."""
        names = [e.name for e in hub.entries(kind=KIND)]
        chosen = current if current in names else (names[0] if names else None)
        chinese = bool(chosen) and is_chinese(hub.entry(chosen).card.config.get("vocabulary", ""))
        example = EXAMPLE_PROMPTS["zh" if chinese else "en"]
        new_prompt = example if prompt_text in EXAMPLE_PROMPTS.values() else prompt_text
        return gr.Dropdown(choices=names, value=chosen), gr.Radio(visible=chinese), new_prompt

    gr.on(
        [demo.load, model.change, model.focus],  # on focus: a model trained meanwhile is listed at once
        refresh,
        [model, prompt],
        [model, script, prompt],
        api_visibility="private",
        show_progress="hidden",
    )
