"""The Speech page: pick digits or type a number, choose a voice, listen, download the WAV.

``SpeechHandlers`` computes over the hub and named values (``VoiceState``), so a test calls it without
a server; its public API endpoint keeps its arguments in the order callers send them. ``SpeechPage``
turns an event's values (by component) into a state and a result into ``{component: update}``;
``build_page`` lays out the components and wires them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import receipts, speech
from aigc_demo.pipelines.latents import MAX_OFFSET, MIN_TEMPERATURE
from aigc_demo.ui import links
from aigc_demo.ui.controls import (
    bring_into_view,
    model_picker,
    offset_slider,
    picture_output,
    seed_controls,
    show_as_built,
)
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of, translate
from aigc_demo.ui.visitor import browser_token, model_choices, model_names, offered_models

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

KIND = "speech-cvae"
SLIDERS = 8
MAX_DIGITS = 64  # the number box's length
FIRST_NUMBER = "2026"  # what the page says before a visitor types anything


def slider_label(index: int, info: dict | None, lang: str) -> str:
    """What a voice slider does, with how well that name fits (a share: the correlation's size for
    pitch and length, the share of the voices' spread the speakers explain, η², for a speaker), in
    the reader's language."""
    if not info or not info.get("factor"):
        return translate("voice_direction", lang, number=index + 1)
    factor = info["factor"]
    low, high = info["low"], info["high"]
    if factor != "speaker":
        low, high = translate(f"voice_{low}", lang), translate(f"voice_{high}", lang)
    return translate(
        "voice_labelled",
        lang,
        factor=translate(f"voice_factor_{factor}", lang),
        low=low,
        high=high,
        score=f"{abs(info['score']):.0%}",
    )


@dataclass(frozen=True)
class VoiceState:
    """What the page's controls say: the model, the number to say, the voice's seed, its variety
    (temperature) and the voice sliders' offsets."""

    model: str | None
    digits: str = FIRST_NUMBER
    seed: float | None = 0
    temperature: float = speech.DEFAULT_TEMPERATURE
    offsets: tuple[float, ...] = (0.0,) * SLIDERS


@dataclass(frozen=True)
class SpeechControls:
    """The components whose values make the page's ``VoiceState``, by the state's names."""

    model: gr.Dropdown
    digits: gr.Textbox
    seed: gr.Number
    temperature: gr.Slider
    sliders: tuple[gr.Slider, ...]

    def in_api_order(self) -> list[Any]:
        """The components in the order ``/speak_digits`` takes their values."""
        return [self.model, self.digits, self.seed, self.temperature, *self.sliders]

    def sent(self) -> set[Any]:
        return set(self.in_api_order())

    def state(self, values: dict[Any, Any]) -> VoiceState:
        offsets = tuple(values[slider] for slider in self.sliders)
        return VoiceState(
            values[self.model], values[self.digits], values[self.seed], values[self.temperature], offsets
        )

    def shown(self, state: VoiceState) -> dict[Any, Any]:
        return {
            self.model: state.model,
            self.digits: state.digits,
            self.seed: state.seed,
            self.temperature: state.temperature,
            **dict(zip(self.sliders, state.offsets, strict=True)),
        }


class SpeechHandlers:
    """What the Speech page computes, over one hub. ``speak_digits`` is a public API endpoint."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def speak_digits(
        self, model_name: str, digits: str, voice_seed: float, temperature: float, *offsets: float
    ):
        """Speak a number (e.g. "2026") in the voice given by a seed, a temperature (how far the
        voice strays from the typical one, 0.1-1) and the voice sliders."""
        return self.spoken(VoiceState(model_name, digits, voice_seed, temperature, offsets))

    @shows_errors
    def spoken(self, state: VoiceState) -> tuple[str, str, Any]:
        """The state's number spoken: the WAV the player plays, the one downloaded (the audible cue
        first) and the spectrogram."""
        loaded = load_model(self.hub, state.model, (KIND,), "speech")
        spoken = receipts.make(
            loaded,
            "speech",
            digits=state.digits,
            seed=state.seed,
            voice=state.offsets,
            temperature=state.temperature,
        )
        name = f"digits-{''.join(map(str, speech.parse_digits(state.digits)))}-seed{int(state.seed)}.wav"
        played = receipts.save(spoken, output_path(name))
        downloaded = receipts.save(receipts.with_mark(spoken), output_path(name))
        return str(played), str(downloaded), labelled(receipts.spectrogram_of(spoken))

    def first_recording(self) -> tuple[Any, Any, Any]:
        """What the page plays before anything is touched: its number in the first voice, made as
        the page is built so that it arrives with the page (Nones when no voice can speak)."""
        names = model_names(self.hub, None, KIND)
        if not names:
            return (None,) * 3
        try:
            return self.spoken(VoiceState(names[0]))
        except gr.Error:  # a broken file: the page opens all the same
            return (None,) * 3

    def slider_view(self, chosen: str | None, lang: str) -> list[dict[str, Any]]:
        """Each voice slider's label (what it moves, where a fit exists) and whether it shows."""
        card = self.hub.entry(chosen).card if chosen else None
        count = card.config.get("num_directions", 0) if card else 0
        infos = card.extras.get("directions", []) if card else []
        return [
            {"label": slider_label(i, infos[i] if i < len(infos) else None, lang), "visible": i < count}
            for i in range(SLIDERS)
        ]

    def link(self, state: VoiceState) -> str:
        """The query of a link that opens this page on the same recording."""
        return links.query(
            "speech",
            {
                "model": state.model,
                "digits": state.digits,
                "seed": links.number(state.seed) if state.seed is not None else None,
                "variety": links.number(state.temperature) if state.temperature is not None else None,
                "voice": links.numbers(state.offsets),
            },
        )

    def opened(self, search: object, current: VoiceState) -> VoiceState | None:
        """The state a link to this page asks for, ``current``'s values kept for what it leaves out
        or gives unfit; None for a link to another page."""
        link = links.LinkReader(search, "speech")
        if not link.opened:
            return None
        asked = link.text("digits", current.digits)
        return VoiceState(
            model=link.text("model", current.model, self.hub.names(KIND)),  # a link may share a model
            digits=asked if asked.isdigit() and len(asked) <= MAX_DIGITS else current.digits,
            seed=link.whole("seed", current.seed, 0, MAX_SEED),
            temperature=link.number("variety", current.temperature, MIN_TEMPERATURE, 1.0),
            offsets=tuple(link.numbers("voice", current.offsets, -MAX_OFFSET, MAX_OFFSET)),
        )


class SpeechPage:
    """The page's events: each takes the values of the components it names and answers
    ``{component: update}`` (a component left out is left as it is; ``gr.skip()``: nothing changes)."""

    def __init__(self, handlers: SpeechHandlers, controls: SpeechControls, ui: dict[str, Any]):
        self.handlers, self.controls, self.ui = handlers, controls, ui

    def spoken(self, state: VoiceState, play: bool = True) -> dict:
        """The state's number spoken, and with ``play`` played at once where the browser allows (after
        Say it or a change of voice; never as the page opens, nor for an API caller, who gets files)."""
        played, downloaded, picture = self.handlers.spoken(state)
        audio, download, shown = self.ui["outputs"]
        return {
            audio: gr.Audio(value=played, autoplay=True) if play else played,
            download: downloaded,
            shown: picture,
        }

    def say(self, values: dict) -> dict:
        return self.spoken(self.controls.state(values))

    def pick_digit(self, values: dict) -> dict:
        """A digit button: it becomes the number, spoken at once."""
        state = dataclasses.replace(self.controls.state(values), digits=values[self.ui["digit"]])
        return {self.controls.digits: state.digits} | self.spoken(state)

    def random_voice(self, model_name: str, digits: str, temperature: float, play: bool = False) -> dict:
        """A new random voice: a fresh seed with the sliders back at the centre (``play``: at once,
        for the page; an API caller gets the files)."""
        state = VoiceState(model_name, digits, random_seed(), temperature)
        centred = dict.fromkeys(self.controls.sliders, 0.0)
        return {self.controls.seed: state.seed} | centred | self.spoken(state, play)

    def shuffle(self, model_name: str, digits: str, temperature: float) -> dict:
        """The page's Random voice: a new voice, heard at once."""
        return self.random_voice(model_name, digits, temperature, play=True)

    def centre_sliders(self, values: dict) -> dict:
        state = dataclasses.replace(self.controls.state(values), offsets=(0.0,) * SLIDERS)
        return dict(zip(self.controls.sliders, state.offsets, strict=True)) | self.spoken(state)

    def refresh(self, request: gr.Request, values: dict, play: bool = True) -> dict:
        """The installed voices, the sliders of the chosen one named by what they move, and the
        number spoken in it."""
        state = self.controls.state(values)
        names = model_names(self.handlers.hub, values[self.ui["token"]], KIND, keep=state.model)
        chosen = state.model if state.model in names else (names[0] if names else None)
        shown = self.handlers.slider_view(chosen, language_of(request))
        updates = {self.controls.model: gr.Dropdown(choices=model_choices(names), value=chosen)}
        updates |= {
            slider: gr.Slider(**view) for slider, view in zip(self.controls.sliders, shown, strict=True)
        }
        if not chosen:
            return updates | dict.fromkeys(self.ui["outputs"])
        return updates | self.spoken(dataclasses.replace(state, model=chosen), play)

    def refresh_models(self, token: str | None, current: Any) -> gr.Dropdown:
        return offered_models(self.handlers.hub, token, KIND, keep=current)

    def open_link(self, values: dict) -> dict:
        """The controls' values a link to this page asks for (nothing for a link to another page)."""
        state = self.handlers.opened(values[self.ui["query"]], self.controls.state(values))
        return self.controls.shown(state) if state is not None else gr.skip()

    def open_refresh(self, request: gr.Request, values: dict) -> dict:
        """As the page opens: what a link to this page asks for; nothing to change otherwise, the page
        is built ready, its number already spoken."""
        if not links.LinkReader(values[self.ui["query"]], "speech").opened:
            return gr.skip()
        return self.refresh(request, values, play=False)

    def link(self, values: dict) -> str:
        return self.handlers.link(self.controls.state(values))


def build_page(site: Site) -> SpeechPage:
    """Lay out the page and wire its components to a ``SpeechPage``,
    which is returned."""
    hub = site.hub
    handlers = SpeechHandlers(hub)
    played, downloaded, spectrogram = handlers.first_recording()
    with gr.Row():
        with gr.Column(scale=2):
            names = model_names(hub, None, KIND)
            model = model_picker(names, I18N("speech_model"), "speech-model")
            digit = gr.Radio([str(d) for d in range(10)], label=I18N("speech_digit"), elem_id="speech-digit")
            with gr.Row():
                number = gr.Textbox(
                    label=I18N("speech_number"),
                    value=FIRST_NUMBER,
                    max_length=MAX_DIGITS,
                    elem_id="speech-number",
                    scale=3,
                )
                say = gr.Button(I18N("speech_say"), variant="primary", scale=1, elem_id="speech-say")
            seed, shuffle, reset = seed_controls("speech")
            variety = gr.Slider(
                MIN_TEMPERATURE,
                1.0,
                value=speech.DEFAULT_TEMPERATURE,
                step=0.05,
                label=I18N("speech_variety"),
                info=I18N("speech_variety_info"),
                elem_id="speech-variety",
                buttons=[],
            )
            sliders = [offset_slider(I18N("voice_slider"), f"voice-{i}", step=0.1) for i in range(SLIDERS)]
            if names:  # named as the first voice names them, so the page arrives ready
                views = {lang: dict(enumerate(handlers.slider_view(names[0], lang))) for lang in LANGUAGES}
                show_as_built(dict(enumerate(sliders)), views)
        with gr.Column(scale=3):
            audio = gr.Audio(
                played,
                label=I18N("speech_audio"),
                type="numpy",
                format="wav",
                interactive=False,
                buttons=["download"],
                elem_id="speech-audio",
            )
            download = gr.DownloadButton(I18N("speech_download"), downloaded, elem_id="speech-download")
            picture = picture_output(I18N("speech_spectrogram"), "speech-spectrogram", value=spectrogram)
            copy_link = links.copy_link_row("speech")
    controls = SpeechControls(model, number, seed, variety, tuple(sliders))
    ui = {"outputs": (audio, download, picture), "digit": digit, "query": site.opened.query}
    ui["token"] = browser_token(site.demo).box
    page = SpeechPage(handlers, controls, ui)
    _wire(page, site.opened, say, shuffle, reset, copy_link)
    return page


def _wire(
    page: SpeechPage, opened: links.PageOpen, say: Any, shuffle: Any, reset: Any, copy_link: Any
) -> None:
    handlers, controls, ui = page.handlers, page.controls, page.ui
    outputs, sent, sliders = list(ui["outputs"]), controls.sent(), list(controls.sliders)
    private = {"api_visibility": "private"}
    gr.on([say.click, controls.digits.submit], page.say, sent, outputs, **private)
    bring_into_view([say.click, controls.digits.submit, ui["digit"].input], "speech-audio")
    gr.on([], handlers.speak_digits, controls.in_api_order(), outputs, api_name="speak_digits")
    released = [controls.temperature.release, *(s.release for s in sliders)]
    gr.on(released, page.say, sent, outputs, trigger_mode="always_last", **private)
    ui["digit"].input(page.pick_digit, sent | {ui["digit"]}, [controls.digits, *outputs], **private)
    asked, shuffled = (
        [controls.model, controls.digits, controls.temperature],
        [controls.seed, *sliders, *outputs],
    )
    shuffle.click(page.shuffle, asked, shuffled, **private)
    gr.on([], page.random_voice, asked, shuffled, api_name="random_voice")
    reset.click(page.centre_sliders, sent, [*sliders, *outputs], **private)
    quiet = {"show_progress": "hidden", **private}
    shown = [controls.model, *sliders, *outputs]
    with_token = sent | {ui["token"]}
    with_query = with_token | {ui["query"]}
    linked = opened.event.then(page.open_link, with_query, controls.in_api_order(), **quiet)
    linked.then(page.open_refresh, with_query, shown, **quiet)
    controls.model.change(page.refresh, with_token, shown, **quiet)
    controls.model.focus(page.refresh_models, [ui["token"], controls.model], controls.model, **quiet)
    copy_link.wire(page.link, sent)
    copy_link.keep([outputs[0].change(None, None, None, **quiet)], page.link, sent)  # follows the voice
