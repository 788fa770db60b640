"""The Type page: type a word, see it in a typeface the model makes up; start from a real family or
your own font file, move along named directions (bolder, italic, handwriting...), see one word in
many typefaces, animate from one family to another.

``TypePage`` turns an event's values into a ``TypeState`` and a result into ``{component: update}``
(the computing is ``type_handlers``); ``build_page`` lays out the components and wires them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo.backend import priority
from aigc_demo.backend.seeding import random_seed
from aigc_demo.pipelines import typefaces
from aigc_demo.ui import links
from aigc_demo.ui.controls import model_picker, offset_slider, picture_output, seed_controls, show_as_built
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of, translate
from aigc_demo.ui.type_handlers import (
    CHINESE_DIRECTIONS,
    DIRECTIONS,
    DISCOVERED,
    FIRST_CHINESE,
    FIRST_CHINESE_FAMILY,
    FIRST_TEXT,
    IN_API_ORDER,
    KIND,
    SLIDERS,
    TypeHandlers,
    TypeState,
)
from aigc_demo.ui.visitor import browser_token, model_choices, model_names, offered_models

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

LIVE = {"show_progress": "hidden", "concurrency_limit": None}  # follows a drag: never waits in line


@dataclass(frozen=True)
class TypeControls:
    """The components whose values make the page's ``TypeState``, by the state's names."""

    model: gr.Dropdown
    text: gr.Textbox
    seed: gr.Number
    family: gr.Dropdown
    sliders: tuple[gr.Slider, ...]
    font_style: gr.Textbox

    def in_api_order(self) -> list[Any]:
        return [self.model, self.text, self.seed, self.family, *self.sliders]

    def sent(self) -> set[Any]:
        return {*self.in_api_order(), self.font_style}

    def state(self, values: dict[Any, Any]) -> TypeState:
        amounts = tuple(values[slider] for slider in self.sliders)
        return TypeState(
            values[self.model],
            values[self.text],
            values[self.seed],
            values[self.family],
            amounts,
            values[self.font_style],
        )

    def shown(self, state: TypeState) -> dict[Any, Any]:
        return {
            self.model: state.model,
            self.text: state.text,
            self.seed: state.seed,
            self.family: state.family,
            **dict(zip(self.sliders, state.amounts, strict=True)),
        }


class TypePage:
    """The page's events: each takes the values of the components it names and answers
    ``{component: update}``."""

    def __init__(self, handlers: TypeHandlers, controls: TypeControls, ui: dict[str, Any]):
        self.handlers, self.controls, self.ui = handlers, controls, ui

    def write(self, request: gr.Request, values: dict) -> dict:
        """The line written; in another model when the chosen one cannot draw its script (a Chinese
        line in the Chinese model, a Latin one back in the Latin)."""
        state = self.controls.state(values)
        names = model_names(self.handlers.hub, values[self.ui["token"]], KIND, keep=state.model)
        fitting = self.handlers.model_for(state.text, state.model, names)
        if fitting != state.model:
            return self.refresh(request, values | {self.controls.model: fitting})
        return {self.ui["picture"]: self.handlers.written(state)}

    def move(self, values: dict) -> dict:
        """A slider dragged: the line redrawn in the chosen model, nothing else looked up (before the
        next character of any writing)."""
        with priority.interactive():
            return {self.ui["picture"]: self.handlers.written(self.controls.state(values))}

    def from_family(self, values: dict) -> dict:
        """A real family chosen: it replaces a brought font's style, the sliders start from it."""
        state = dataclasses.replace(self.controls.state(values), font_style="")
        return {self.controls.font_style: "", self.ui["font_note"]: gr.Markdown(visible=False)} | {
            self.ui["picture"]: self.handlers.written(state)
        }

    def random_typeface(self, values: dict) -> dict:
        """A fresh seed's made-up typeface, the sliders centred, no family or font."""
        state = TypeState(values[self.controls.model], values[self.controls.text], random_seed())
        centred = dict.fromkeys(self.controls.sliders, 0.0)
        return {
            self.controls.seed: state.seed,
            self.controls.family: "",
            self.controls.font_style: "",
            self.ui["font_note"]: gr.Markdown(visible=False),
            **centred,
            self.ui["picture"]: self.handlers.written(state),
        }

    def centre_sliders(self, values: dict) -> dict:
        state = dataclasses.replace(self.controls.state(values), amounts=(0.0,) * SLIDERS)
        return dict(zip(self.controls.sliders, state.amounts, strict=True)) | {
            self.ui["picture"]: self.handlers.written(state)
        }

    def bring_font(self, request: gr.Request, values: dict) -> dict:
        """A visitor's font: its style found, the sliders centred on it, the line written in it."""
        style, count = self.handlers.font(values[self.controls.model], values[self.ui["font"]])
        state = dataclasses.replace(
            self.controls.state(values), family="", amounts=(0.0,) * SLIDERS, font_style=style
        )
        note = translate("type_font_found", language_of(request), count=count)
        return {
            self.controls.font_style: style,
            self.controls.family: "",
            self.ui["font_note"]: gr.Markdown(note, visible=True),
            **dict.fromkeys(self.controls.sliders, 0.0),
            self.ui["picture"]: self.handlers.written(state),
        }

    def grid(self, values: dict) -> dict:
        state = self.controls.state(values)
        return {self.ui["grid"]: self.handlers.grid(state.model, state.text, state.seed)}

    def animate(self, values: dict) -> dict:
        state = self.controls.state(values)
        chosen = self.handlers.animation(
            state.model, state.text, values[self.ui["from"]], values[self.ui["to"]]
        )
        return {self.ui["animation"]: chosen}

    def refresh(self, request: gr.Request, values: dict) -> dict:
        """The visitor's models, the chosen one's sliders and families, and the line written in it."""
        state = self.controls.state(values)
        names = self.handlers.ordered(
            model_names(self.handlers.hub, values[self.ui["token"]], KIND, keep=state.model)
        )
        chosen = state.model if state.model in names else (names[0] if names else None)
        sliders, families = self.handlers.view(chosen, language_of(request))
        known = {value for _, value in families}
        family = state.family if state.family in known else ""
        updates = {
            self.controls.model: gr.Dropdown(choices=model_choices(names), value=chosen),
            self.controls.family: gr.Dropdown(choices=families, value=family),
        }
        updates |= {
            slider: gr.Slider(**view) for slider, view in zip(self.controls.sliders, sliders, strict=True)
        }
        updates |= {
            self.ui["from"]: gr.Dropdown(choices=families[1:], value=_first(families, 1)),
            self.ui["to"]: gr.Dropdown(choices=families[1:], value=_first(families, 2)),
            # a brought font's style is a point in one model's space: another model starts afresh
            self.controls.font_style: "",
            self.ui["font_note"]: gr.Markdown(visible=False),
        }
        if not chosen:
            return updates | {self.ui["picture"]: None}
        state = dataclasses.replace(state, model=chosen, family=family, font_style="")
        return updates | {self.ui["picture"]: self.handlers.written(state)}

    def refresh_models(self, token: str | None, current: Any) -> gr.Dropdown:
        return offered_models(self.handlers.hub, token, KIND, keep=current)

    def open_link(self, values: dict) -> dict:
        state = self.handlers.opened(values[self.ui["query"]], self.controls.state(values))
        return self.controls.shown(state) if state is not None else gr.skip()

    def open_refresh(self, request: gr.Request, values: dict) -> dict:
        """As the page opens: a link's model and style; else, on a Chinese page still showing the
        first word, a Chinese word in a model that draws it."""
        if links.LinkReader(values[self.ui["query"]], "type").opened:
            return self.refresh(request, values)
        if language_of(request) != "zh-CN" or values[self.controls.text] != FIRST_TEXT:
            return gr.skip()
        names = model_names(self.handlers.hub, values[self.ui["token"]], KIND)
        chinese = self.handlers.model_for(FIRST_CHINESE, None, names)
        if chinese is None:
            return gr.skip()
        opened = values | {
            self.controls.model: chinese,
            self.controls.text: FIRST_CHINESE,
            self.controls.family: FIRST_CHINESE_FAMILY,  # kept where the model learned it
        }
        return self.refresh(request, opened) | {self.controls.text: FIRST_CHINESE}

    def link(self, values: dict) -> str:
        return self.handlers.link(self.controls.state(values))


def build_page(site: Site) -> TypePage:
    """Lay out the page and wire its components to a ``TypePage``, which is returned."""
    handlers = TypeHandlers(site.hub)
    names = handlers.ordered(model_names(site.hub, None, KIND))
    views = {lang: handlers.view(names[0] if names else None, lang) for lang in LANGUAGES}
    families = [(I18N("type_made_up"), ""), *views["en"][1][1:]]  # the first choice in the page's language
    with gr.Row(elem_id="type-row"):
        with gr.Column(scale=2, elem_id="type-side"):
            model = model_picker(names, I18N("type_model"), "type-model")
            with gr.Row():
                text = gr.Textbox(
                    FIRST_TEXT,
                    label=I18N("type_text"),
                    info=I18N("type_text_info"),
                    max_length=typefaces.MAX_TEXT,
                    elem_id="type-text",
                    scale=3,
                )
                write = gr.Button(I18N("type_draw"), variant="primary", scale=1, elem_id="type-write")
            family = gr.Dropdown(families, value="", label=I18N("type_family"), elem_id="type-family")
            seed, shuffle, reset = seed_controls("type")
            laid_out = (*DIRECTIONS, *CHINESE_DIRECTIONS, *DISCOVERED)  # the API's order differs
            made = {name: offset_slider(I18N("type_slider"), f"type-{name}", step=0.1) for name in laid_out}
            sliders = [made[name] for name in IN_API_ORDER]
            show_as_built(
                dict(enumerate(sliders)), {lang: dict(enumerate(view[0])) for lang, view in views.items()}
            )
            font = gr.File(
                label=I18N("type_font"),
                file_types=[".ttf", ".otf", ".woff", ".woff2"],
                elem_id="type-font",
                height=90,
            )
            font_note = gr.Markdown(visible=False, elem_id="type-font-note")
            font_style = gr.Textbox("", visible=False)
        with gr.Column(scale=3):
            picture = picture_output(
                I18N("type_picture"), "type-view", crisp=False, value=handlers.first_picture()
            )
            copy_link = links.copy_link_row("type")
            with gr.Accordion(I18N("type_grid"), open=False):
                make_grid = gr.Button(I18N("type_grid_make"), elem_id="type-grid-make")
                grid = picture_output(I18N("type_grid_picture"), "type-grid", crisp=False)
            with gr.Accordion(I18N("type_morph"), open=False):
                with gr.Row():
                    start = gr.Dropdown(families[1:], value=_first(families, 1), label=I18N("type_from"))
                    end = gr.Dropdown(families[1:], value=_first(families, 2), label=I18N("type_to"))
                animate = gr.Button(I18N("type_animate"), elem_id="type-animate")
                animation = picture_output(I18N("type_animation"), "type-animation", crisp=False)
    controls = TypeControls(model, text, seed, family, tuple(sliders), font_style)
    ui = {
        "picture": picture,
        "grid": grid,
        "animation": animation,
        "font": font,
        "font_note": font_note,
        "from": start,
        "to": end,
        "query": site.opened.query,
        "token": browser_token(site.demo).box,
    }
    page = TypePage(handlers, controls, ui)
    _wire(page, site.opened, write, shuffle, reset, (make_grid, animate), copy_link)
    return page


def _first(families: list[tuple[str, str]], at: int) -> str | None:
    return families[at][1] if len(families) > at else None


def _wire(
    page: TypePage, opened: links.PageOpen, write: Any, shuffle: Any, reset: Any, more: Any, copy_link: Any
) -> None:
    handlers, controls, ui = page.handlers, page.controls, page.ui
    picture, sent, sliders = ui["picture"], controls.sent(), list(controls.sliders)
    private = {"api_visibility": "private"}
    quiet = {"show_progress": "hidden", **private}
    shown = [controls.model, controls.family, *sliders, ui["from"], ui["to"], controls.font_style]
    shown += [ui["font_note"], picture]
    with_token = sent | {ui["token"]}
    wrote = gr.on(
        [write.click, controls.text.submit, controls.seed.submit], page.write, with_token, shown, **private
    )
    gr.on([], handlers.type_line, controls.in_api_order(), picture, api_name="type_line")
    moved = gr.on(
        [s.input for s in sliders], page.move, sent, picture, trigger_mode="always_last", **LIVE, **private
    )
    chose = controls.family.input(
        page.from_family, sent, [controls.font_style, ui["font_note"], picture], **private
    )
    everything = [controls.seed, controls.family, controls.font_style, ui["font_note"], *sliders, picture]
    shuffled = shuffle.click(page.random_typeface, sent, everything, **private)
    reset.click(page.centre_sliders, sent, [*sliders, picture], **private)
    brought = ui["font"].upload(page.bring_font, sent | {ui["font"]}, everything, **private)
    make_grid, animate = more
    make_grid.click(page.grid, sent, ui["grid"], **private)
    animate.click(page.animate, sent | {ui["from"], ui["to"]}, ui["animation"], **private)
    word = [controls.model, controls.text]
    gr.on([], handlers.grid, [*word, controls.seed], ui["grid"], api_name="type_grid")
    gr.on([], handlers.animation, [*word, ui["from"], ui["to"]], ui["animation"], api_name="type_animation")
    with_query = with_token | {ui["query"]}
    linked = opened.event.then(page.open_link, with_query, controls.in_api_order(), **quiet)
    linked.then(page.open_refresh, with_query, [*shown, controls.text], **quiet)
    controls.model.input(page.refresh, with_token, shown, **quiet)
    controls.model.focus(page.refresh_models, [ui["token"], controls.model], controls.model, **quiet)
    copy_link.wire(page.link, sent)
    copy_link.keep([wrote, moved, chose, shuffled, brought], page.link, sent)
