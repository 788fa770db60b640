"""The Speech tab: pick digits or type a number, choose a voice, listen, download the WAV.

``SpeechHandlers`` holds every handler as a plain method over the hub, so a test calls them without
a server; ``build_page`` lays out the components and wires them to those methods.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import receipts, speech
from aigc_demo.pipelines.latents import MAX_OFFSET, MIN_TEMPERATURE
from aigc_demo.ui import links
from aigc_demo.ui.controls import model_picker, offset_slider, picture_output, seed_controls, show_as_built
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of, translate

KIND = "speech-cvae"
SLIDERS = 8
MAX_DIGITS = 64  # the number box's length
CENTRED = (0.0,) * SLIDERS
FIRST_NUMBER = "2026"  # what the page says before a visitor types anything


def slider_label(index: int, info: dict | None, lang: str) -> str:
    """What a voice slider does, with how well that name fits, in the reader's language."""
    if not info or not info.get("factor"):
        return translate("voice_direction", lang, number=index + 1)
    factor = info["factor"]
    measure = "η²" if factor == "speaker" else "r"
    low, high = info["low"], info["high"]
    if factor != "speaker":
        low, high = translate(f"voice_{low}", lang), translate(f"voice_{high}", lang)
    return translate(
        "voice_labelled",
        lang,
        factor=translate(f"voice_factor_{factor}", lang),
        low=low,
        high=high,
        measure=measure,
        score=f"{info['score']:.2f}",
    )


class SpeechHandlers:
    """Every handler of the Speech tab, over one hub. ``speak_digits`` and ``random_voice`` are public
    API endpoints; the others serve the page."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def speak_digits(
        self, model_name: str, digits: str, voice_seed: float, temperature: float, *offsets: float
    ):
        """Speak a number (e.g. "2026") in the voice given by a seed, a temperature (how far the
        voice strays from the typical one, 0.1-1) and the voice sliders."""
        loaded = load_model(self.hub, model_name, (KIND,), "speech")
        spoken = receipts.make(
            loaded, "speech", digits=digits, seed=voice_seed, voice=offsets, temperature=temperature
        )
        name = f"digits-{''.join(map(str, speech.parse_digits(digits)))}-seed{int(voice_seed)}.wav"
        played = receipts.save(spoken, output_path(name))
        # a file taken away starts with the audible cue
        downloaded = receipts.save(receipts.with_mark(spoken), output_path(name))
        return str(played), str(downloaded), labelled(receipts.spectrogram_of(spoken))

    def first_recording(self) -> tuple[Any, Any, Any]:
        """What the page plays before anything is touched: its number in the first voice, made as
        the page is built so that it arrives with the page (Nones when no voice can speak)."""
        names = self.hub.names(KIND)
        if not names:
            return (None,) * 3
        try:
            return self.speak_digits(names[0], FIRST_NUMBER, 0, speech.DEFAULT_TEMPERATURE)
        except gr.Error:  # a broken file: the page opens all the same
            return (None,) * 3

    def pick_digit(
        self, model_name: str, chosen: str, voice_seed: float, temperature: float, *offsets: float
    ):
        """A digit button: it becomes the number, spoken at once."""
        return chosen, *self.speak_digits(model_name, chosen, voice_seed, temperature, *offsets)

    def random_voice(self, model_name: str, digits: str, temperature: float):
        """A new random voice: a fresh seed with the sliders back at the centre."""
        new_seed = random_seed()
        return new_seed, *CENTRED, *self.speak_digits(model_name, digits, new_seed, temperature)

    def centre_sliders(self, model_name: str, digits: str, voice_seed: float, temperature: float):
        return *CENTRED, *self.speak_digits(model_name, digits, voice_seed, temperature)

    def link(
        self, model_name: str | None, digits: str, voice_seed: float, temperature: float, *offsets: float
    ):
        """The query of a link that opens this tab on the same recording."""
        return links.query(
            "speech",
            {
                "model": model_name,
                "digits": digits,
                "seed": links.number(voice_seed) if voice_seed is not None else None,
                "variety": links.number(temperature) if temperature is not None else None,
                "voice": links.numbers(offsets),
            },
        )

    def open_link(self, search: str, model_name: str | None, digits: str, voice_seed: float, *rest: float):
        """The controls' values a link to this tab asks for; nothing changes for another link."""
        link = links.LinkReader(search, "speech")
        if not link.opened:
            return [gr.skip()] * (3 + len(rest))
        temperature, *offsets = rest
        asked = link.text("digits", digits)
        return [
            link.text("model", model_name, self.hub.names(KIND)),
            asked if asked.isdigit() and len(asked) <= MAX_DIGITS else digits,
            link.whole("seed", voice_seed, 0, MAX_SEED),
            link.number("variety", temperature, MIN_TEMPERATURE, 1.0),
            *link.numbers("voice", offsets, -MAX_OFFSET, MAX_OFFSET),
        ]

    def refresh(
        self,
        request: gr.Request,
        current: str | None,
        digits: str,
        voice_seed: float,
        temperature: float,
        *offsets: float,
    ) -> list[Any]:
        """The installed voices, the sliders of the chosen one named by what they move, and the
        number spoken in it."""
        names = self.hub.names(KIND)
        chosen = current if current in names else (names[0] if names else None)
        sliders_shown = [gr.Slider(**shown) for shown in self.slider_view(chosen, language_of(request))]
        spoken = (
            self.speak_digits(chosen, digits, voice_seed, temperature, *offsets) if chosen else (None,) * 3
        )
        return [gr.Dropdown(choices=names, value=chosen), *sliders_shown, *spoken]

    def open_refresh(self, request: gr.Request, search: str, *inputs: Any) -> list[Any]:
        """As the page opens: what a link to this tab asks for (``refresh`` after ``open_link``);
        nothing to change otherwise, the page is built ready, its number already spoken."""
        if not links.LinkReader(search, "speech").opened:
            return [gr.skip()] * (1 + SLIDERS + 3)
        return self.refresh(request, *inputs)

    def slider_view(self, chosen: str | None, lang: str) -> list[dict[str, Any]]:
        """Each voice slider's label (what it moves, where a fit exists) and whether it shows."""
        card = self.hub.entry(chosen).card if chosen else None
        count = card.config.get("num_directions", 0) if card else 0
        infos = card.extras.get("directions", []) if card else []
        return [
            {"label": slider_label(i, infos[i] if i < len(infos) else None, lang), "visible": i < count}
            for i in range(SLIDERS)
        ]


def build_page(site: Any) -> None:
    """Lay out the page (``site``: a ``pages.Site``) and wire its components to a ``SpeechHandlers``."""
    hub, page = site.hub, site.opened
    handlers = SpeechHandlers(hub)
    played, downloaded, spectrogram = handlers.first_recording()
    with gr.Row():
        with gr.Column(scale=2):
            names = hub.names(KIND)
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
    outputs = [audio, download, picture]
    inputs = [model, number, seed, variety, *sliders]
    private = {"api_visibility": "private"}
    gr.on([say.click, number.submit], handlers.speak_digits, inputs, outputs, api_name="speak_digits")
    released = [variety.release, *(s.release for s in sliders)]
    gr.on(released, handlers.speak_digits, inputs, outputs, trigger_mode="always_last", **private)
    digit.input(handlers.pick_digit, [model, digit, seed, variety, *sliders], [number, *outputs], **private)
    shuffle.click(
        handlers.random_voice, [model, number, variety], [seed, *sliders, *outputs], api_name="random_voice"
    )
    reset.click(handlers.centre_sliders, [model, number, seed, variety], [*sliders, *outputs], **private)
    quiet = {"show_progress": "hidden", **private}
    shown = [model, *sliders, *outputs]
    linked = page.event.then(handlers.open_link, [page.query, *inputs], inputs, **quiet)
    linked.then(handlers.open_refresh, [page.query, *inputs], shown, **quiet)
    model.change(handlers.refresh, inputs, shown, **quiet)
    copy_link.wire(handlers.link, inputs)
