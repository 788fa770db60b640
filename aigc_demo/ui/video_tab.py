"""The Video page: a world model is shown the first frames of a clip of moving digits and dreams the
rest, frame by frame, beside what really happens.

``VideoPage`` turns an event's values into a ``VideoState`` and a result into ``{component: update}``
(the computing is ``video_handlers``); ``build_page`` lays out the components and wires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import video
from aigc_demo.ui import links
from aigc_demo.ui.controls import bring_into_view, model_picker, offset_slider, picture_output
from aigc_demo.ui.drawing_pad import drawing_pad
from aigc_demo.ui.i18n import I18N
from aigc_demo.ui.video_handlers import KIND, TRAITS, VideoHandlers, VideoState
from aigc_demo.ui.visitor import browser_token, model_names, offered_models

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site


@dataclass(frozen=True)
class VideoControls:
    """The components whose values make the page's ``VideoState``, by the state's names."""

    model: gr.Dropdown
    start: gr.Radio
    digits: gr.Radio
    seed: gr.Number
    seen: gr.Slider
    frames: gr.Slider
    temperature: gr.Slider
    image_seed: gr.Number
    traits: tuple[gr.Slider, ...]
    drawing: gr.HTML

    def in_api_order(self) -> list[Any]:
        return [
            self.model,
            self.start,
            self.digits,
            self.seed,
            self.seen,
            self.frames,
            self.temperature,
            self.image_seed,
            *self.traits,
            self.drawing,
        ]

    def state(self, values: dict[Any, Any]) -> VideoState:
        plain = [values[component] for component in self.in_api_order()]
        return VideoState(*plain[:8], tuple(plain[8:-1]), plain[-1] or "")

    def shown(self, state: VideoState) -> dict[Any, Any]:
        values = [state.model, state.start, state.digits, state.seed, state.seen, state.frames]
        values += [state.temperature, state.image_seed, *state.amounts]
        return dict(zip(self.in_api_order()[:-1], values, strict=True))  # a link carries no drawing


class VideoPage:
    def __init__(self, handlers: VideoHandlers, controls: VideoControls, ui: dict[str, Any]):
        self.handlers, self.controls, self.ui = handlers, controls, ui

    def dream(self, values: dict) -> Any:
        for animation, strip in self.handlers.dream(self.controls.state(values)):
            yield {self.ui["strip"]: strip} | ({self.ui["clip"]: animation} if animation else {})

    def random_clip(self, values: dict) -> Any:
        seed = random_seed()
        yield {self.controls.seed: seed}
        yield from self.dream(values | {self.controls.seed: seed})

    def starts_from(self, start: str) -> dict:
        """The controls of the chosen start shown, the others' hidden."""
        return {
            self.controls.digits: gr.Radio(visible=start == "examples"),
            self.ui["image_row"]: gr.Column(visible=start == "image"),
            self.ui["drawing_row"]: gr.Column(visible=start == "drawing"),
        }

    def open_link(self, values: dict) -> dict:
        state = self.handlers.opened(values[self.ui["query"]], self.controls.state(values))
        if state is None:
            return gr.skip()
        return self.controls.shown(state) | self.starts_from(state.start)

    def refresh_models(self, token: str | None, current: Any) -> gr.Dropdown:
        return offered_models(self.handlers.hub, token, KIND, keep=current)

    def link(self, values: dict) -> str:
        return self.handlers.link(self.controls.state(values))


def build_page(site: Site) -> VideoPage:
    """Lay out the page and wire its components to a ``VideoPage``, which is returned."""
    handlers = VideoHandlers(site.hub)
    names = model_names(site.hub, None, KIND)
    with gr.Row(elem_id="video-row"):
        with gr.Column(scale=2, elem_id="video-side"):
            model = model_picker(names, I18N("video_model"), "video-model")
            start = gr.Radio(
                [
                    (I18N("video_start_examples"), "examples"),
                    (I18N("video_start_image"), "image"),
                    (I18N("video_start_drawing"), "drawing"),
                ],
                value="examples",
                label=I18N("video_start"),
                elem_id="video-start",
            )
            digits = gr.Radio([1, 2, 3], value=1, label=I18N("video_digits"), elem_id="video-digits")
            with gr.Column(visible=False, elem_id="video-image-start") as image_row:
                image_seed = gr.Number(
                    0, label=I18N("video_image_seed"), minimum=0, maximum=MAX_SEED, precision=0
                )
                traits = tuple(
                    offset_slider(I18N(f"video_{name}"), f"video-{name}", step=0.1) for name in TRAITS
                )
            with gr.Column(visible=False, elem_id="video-drawing-start") as drawing_row:
                drawing = drawing_pad("video-sketch")
            with gr.Row():
                seed = gr.Number(
                    0,
                    label=I18N("video_seed"),
                    minimum=0,
                    maximum=MAX_SEED,
                    precision=0,
                    elem_id="video-seed",
                )
                shuffle = gr.Button(I18N("video_random"), elem_id="video-random")
            dream = gr.Button(I18N("video_dream"), variant="primary", elem_id="video-dream")
            seen = gr.Slider(*video.SEEN, value=10, step=1, label=I18N("video_seen"), elem_id="video-seen")
            frames = gr.Slider(
                1, video.MOST_FRAMES, value=20, step=1, label=I18N("video_frames"), elem_id="video-frames"
            )
            temperature = gr.Slider(
                0,
                video.MOST_TEMPERATURE,
                value=video.DREAM_TEMPERATURE,
                step=0.05,
                label=I18N("video_temperature"),
                info=I18N("video_temperature_info"),
                elem_id="video-temperature",
            )
        with gr.Column(scale=3):
            first_clip, first_strip = handlers.first_clip(names[0] if names else None)
            clip = picture_output(I18N("video_clip"), "video-clip", value=first_clip)
            strip = picture_output(I18N("video_strip"), "video-strip", value=first_strip)
            gr.Markdown(I18N("video_how"))
            copy_link = links.copy_link_row("video")
    controls = VideoControls(
        model, start, digits, seed, seen, frames, temperature, image_seed, traits, drawing
    )
    ui = {
        "clip": clip,
        "strip": strip,
        "image_row": image_row,
        "drawing_row": drawing_row,
        "query": site.opened.query,
        "token": browser_token(site.demo).box,
    }
    page = VideoPage(handlers, controls, ui)
    _wire(page, site.opened, dream, shuffle, copy_link)
    return page


def _wire(page: VideoPage, opened: links.PageOpen, dream: Any, shuffle: Any, copy_link: Any) -> None:
    handlers, controls, ui = page.handlers, page.controls, page.ui
    sent = set(controls.in_api_order())
    private = {"api_visibility": "private"}
    outputs = [ui["clip"], ui["strip"]]
    bring_into_view([dream.click, shuffle.click], "video-clip")
    dreamt = dream.click(page.dream, sent, outputs, **private)
    shuffled = shuffle.click(page.random_clip, sent, [controls.seed, *outputs], **private)
    gr.on([], handlers.video_clip, controls.in_api_order(), outputs, api_name="video_clip")
    start_rows = [controls.digits, ui["image_row"], ui["drawing_row"]]
    controls.start.change(page.starts_from, controls.start, start_rows, **private)
    quiet = {"show_progress": "hidden", **private}
    opened.event.then(
        page.open_link,
        sent | {ui["query"]},
        [*controls.in_api_order()[:-1], *start_rows],
        **quiet,
    )
    controls.model.focus(page.refresh_models, [ui["token"], controls.model], controls.model, **quiet)
    copy_link.wire(page.link, sent)
    copy_link.keep([dreamt, shuffled], page.link, sent)
