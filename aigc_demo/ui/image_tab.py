"""The Image page: a latent-space explorer whose picture follows the sliders while they move.

What it computes is ``ImageHandlers`` (``image_handlers.py``), over named values (``ImageState``).
``ImagePage`` turns an event's values (by component) into a state and a result into
``{component: update}``; ``build_page`` lays out the components and wires them.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import gradio as gr

from aigc_demo.backend.seeding import random_seed
from aigc_demo.ui import links
from aigc_demo.ui.controls import picture_output, show_as_built
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of
from aigc_demo.ui.image_handlers import ImageHandlers
from aigc_demo.ui.image_links import ImageLinks
from aigc_demo.ui.image_panels import (
    ImageControls,
    edit_panel,
    explorer,
    interpolation_panel,
    manifold_panel,
    map_panel,
    pad_panel,
)
from aigc_demo.ui.image_state import KINDS, ImageState, model_view
from aigc_demo.ui.visitor import browser_token, model_choices, model_names, offered_models

if TYPE_CHECKING:
    from aigc_demo.ui.pages import Site

QUIET = {"api_visibility": "private", "show_progress": "hidden"}  # UI-only helpers
LIVE = {"show_progress": "hidden", "concurrency_limit": None}  # follows a drag: never waits in line


class ImagePage:
    """The page's events: each takes the values of the components it names and answers
    ``{component: update}`` (a component left out is left as it is; ``gr.skip()``: nothing changes)."""

    def __init__(self, handlers: ImageHandlers, controls: ImageControls, ui: dict[str, Any]):
        self.handlers, self.controls, self.ui = handlers, controls, ui
        self.linking = ImageLinks(handlers.hub)

    def viewed(self) -> dict[str, Any]:
        """The components ``model_view`` describes, by its names."""
        controls, ui = self.controls, self.ui
        return {
            "digit": controls.digit,
            "digit_b": ui["digit_b"],
            "between": ui["between"],
            **{f"direction_{n}": slider for n, slider in enumerate(controls.directions, start=1)},
            "named_group": ui["named_group"],
            **{f"trait_{name}": slider for name, slider in controls.traits.items()},
            "like": controls.like,
            "strength": controls.strength,
        }

    def slide(self, values: dict) -> dict:
        return {self.ui["picture"]: self.handlers.picture(self.controls.state(values))}

    def from_seed(self, values: dict) -> dict:
        """A typed seed leaves any encoded drawing behind."""
        state = dataclasses.replace(self.controls.state(values), start=None)
        return {self.ui["picture"]: self.handlers.picture(state), self.controls.start: None}

    def showing(self, state: ImageState) -> dict:
        """The moving sliders and start code of ``state``, and its picture."""
        shown = self.controls.shown(state)
        kept = [*self.controls.moving, self.controls.start]
        return {component: shown[component] for component in kept} | {
            self.ui["picture"]: self.handlers.picture(state)
        }

    def centre(self, values: dict) -> dict:
        return self.showing(self.controls.state(values).centred())

    def random_latent(self, model_name: Any, class_label: Any, psi: float = 1.0, along: str = "principal"):
        """A new random seed with every slider at the centre (and no drawing), and its picture."""
        state = ImageState(model_name, class_label, random_seed(), truncation=psi, axes=along)
        return self.showing(state) | {self.controls.seed: state.seed}

    def encode_drawing(
        self,
        model_name: str,
        class_label: str | None,
        drawing: str | None,
        picture_in: Any,
        drawn: list | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way to report progress)
    ) -> dict:
        """Encode an uploaded picture of a digit (or else the drawing, a PNG data URL): returns the
        picture as MNIST's were prepared, the model's reconstruction and the latent code, where the
        sliders then start."""

        def searching(step: int, total: int) -> None:
            if step % 20 == 0:
                progress(step / total, desc="searching for the drawing's code")

        encoded = self.handlers.encode(model_name, class_label, drawing, picture_in, searching)
        state = ImageState(model_name, class_label, 0, start=encoded.code)
        return self.showing(state) | {
            self.ui["prepared"]: encoded.prepared,
            self.ui["code"]: encoded.code,
            self.ui["drawings"]: [*(drawn or [])[-1:], encoded.code],
        }

    def draw_map(self, values: dict) -> dict:
        """The latent map with the current position ringed, drawn while its panel is open; the panel
        hidden for a model without a map."""
        state = self.controls.state(values)
        group, view = self.ui["map_group"], self.ui["map_view"]
        if not self.handlers.has_map(state.model):
            return {group: gr.Accordion(visible=False), view: None}
        if not values[self.ui["map_shown"]]:
            return {group: gr.Accordion(visible=True)}
        return {group: gr.Accordion(visible=True), view: self.handlers.latent_map(state)}

    def pick_from_map(self, values: dict, event: gr.SelectData) -> dict:
        """Jump to the code of the test image nearest to the click; the sliders start from it."""
        picked, drawn_map = self.handlers.picked_from_map(self.controls.state(values), tuple(event.index))
        return self.showing(picked) | {self.ui["map_view"]: drawn_map}

    def marked_download(self, request: gr.Request, served: Any) -> dict:
        path, described = self.handlers.marked_download(served, language_of(request))
        shown = {self.ui["download"]: gr.DownloadButton(value=path)}
        return shown | ({self.ui["picture"]: gr.Image(alt_text=described)} if described else {})

    def refresh_models(self, token: str | None, current: Any) -> gr.Dropdown:
        return offered_models(self.handlers.hub, token, *KINDS, keep=current)

    def refresh(self, request: gr.Request, values: dict) -> dict:
        """The controls for the chosen model (its classes, its directions' names and fits) and its
        picture; the first model when none is chosen or the chosen one is gone."""
        state = self.controls.state(values)
        names = model_names(self.handlers.hub, values[self.ui["token"]], *KINDS, keep=state.model)
        chosen = state.model if state.model in names else (names[0] if names else None)
        view = model_view(self.handlers.hub, chosen, state.digit, state.raw, language_of(request))
        updates = {self.controls.model: gr.Dropdown(choices=model_choices(names), value=chosen)}
        for name, component in self.viewed().items():
            updates[component] = type(component)(**view[name])
        state = dataclasses.replace(state, model=chosen, digit=view["digit"]["value"])
        return updates | {self.ui["picture"]: self.handlers.picture(state) if chosen else None}

    def open_link(self, values: dict) -> dict:
        """The controls' values a link to this page asks for (nothing for a link to another page)."""
        state = self.linking.opened(values[self.ui["query"]], self.controls.state(values))
        return self.controls.shown(state) if state is not None else gr.skip()

    def open_refresh(self, request: gr.Request, values: dict) -> dict:
        """As the page opens: the controls and picture a link to this page asks for; nothing to
        change otherwise, the page is built ready."""
        if not links.LinkReader(values[self.ui["query"]], "image").opened:
            return gr.skip()
        return self.refresh(request, values)

    def link(self, values: dict) -> str:
        return self.linking.link(self.controls.state(values))


def build_page(site: Site) -> ImagePage:
    """Lay out the page and wire its components to an ``ImagePage``,
    which is returned."""
    handlers = ImageHandlers(site.hub)
    # On a narrow screen the CSS (ui/app.py) lifts "image-view" above the controls and keeps it in
    # view while they scroll; a wide screen shows the columns side by side, the picture kept at the
    # top of its column as the page scrolls.
    with gr.Row(elem_id="image-row"):
        with gr.Column(scale=2, elem_id="image-controls"):
            controls, ui = explorer(model_names(site.hub, None, *KINDS))
        with gr.Column(scale=2, elem_id="image-side"):
            with gr.Column(elem_id="image-view"):
                first, described, marked = handlers.first_picture()
                ui["picture"] = picture_output(
                    I18N("image_output"), "image-output", size=300, download=False, value=first, alt=described
                )
                ui["download"] = gr.DownloadButton(
                    I18N("image_download_marked"), value=marked, size="sm", elem_id="image-download"
                )
            with gr.Column(elem_id="image-panels"):
                ui["copy_link"] = links.copy_link_row("image")
                ui |= interpolation_panel()
                ui |= pad_panel()
                ui |= map_panel()
                ui |= manifold_panel()
                ui |= edit_panel()  # in the picture's column: what a drawing becomes stays in view
    ui["drawings"] = gr.State([])  # the codes of the last two drawings encoded in this page
    ui["map_shown"] = gr.State(False)  # whether the latent map's panel is open
    ui["query"] = site.opened.query
    ui["token"] = browser_token(site.demo).box
    page = ImagePage(handlers, controls, ui)
    _open_on_the_first_model(page)
    _wire(page, site.opened)
    return page


def _open_on_the_first_model(page: ImagePage) -> None:
    """Set the controls as ``refresh`` sets them for the first model, in every language, so the page
    arrives ready: nothing to ask the server as it opens."""
    hub = page.handlers.hub
    names = model_names(hub, None, *KINDS)
    if not names:
        return
    show_as_built(page.viewed(), {lang: model_view(hub, names[0], "0", False, lang) for lang in LANGUAGES})
    page.ui["map_group"].visible = page.handlers.has_map(names[0])


def _wire(page: ImagePage, opened: links.PageOpen) -> None:
    handlers, controls, ui = page.handlers, page.controls, page.ui
    sent, picture = controls.sent(), ui["picture"]
    moving = controls.moving
    gr.on(
        [s.input for s in (*moving, controls.truncation)],
        page.slide,
        sent,
        picture,
        trigger_mode="always_last",
        **LIVE,
        api_visibility="private",
    )
    gr.on(
        [controls.digit.input, controls.model.input, controls.like.input],
        page.slide,
        sent,
        picture,
        api_visibility="private",
        **LIVE,
    )
    gr.on([], handlers.decode, controls.in_decode_order(), picture, api_name="decode", **LIVE)
    controls.seed.submit(page.from_seed, sent, [picture, controls.start], **QUIET)
    shown = [controls.seed, *moving, picture, controls.start]
    jumped = ui["shuffle"].click(
        page.random_latent,
        [controls.model, controls.digit, controls.truncation, controls.axes],
        shown,
        api_name="random",
        show_progress="hidden",
    )
    centred = ui["reset"].click(page.centre, sent, [*moving, picture, controls.start], **QUIET)
    encoded = ui["encode"].click(
        page.encode_drawing,
        [controls.model, controls.digit, ui["sketch"], ui["upload"], ui["drawings"]],
        [ui["prepared"], picture, ui["code"], controls.start, *moving, ui["drawings"]],
        api_name="encode",
        show_progress_on=[picture],  # a GAN's search shows its progress once, on the picture
    )
    _wire_panels(page)
    opened_then, switched = _wire_page(page, opened)
    with_map = sent | {ui["map_shown"]}
    map_outputs = [ui["map_group"], ui["map_view"]]
    for event in (opened_then, switched, jumped, encoded, centred):
        event.then(page.draw_map, with_map, map_outputs, **QUIET)
    released = [s.release for s in moving] + [controls.digit.input, controls.like.input]
    gr.on([*released, controls.truncation.release], page.draw_map, with_map, map_outputs, **QUIET)
    ui["map_group"].expand(lambda: True, None, ui["map_shown"], **QUIET).then(
        page.draw_map, with_map, map_outputs, **QUIET
    )
    ui["map_group"].collapse(lambda: False, None, ui["map_shown"], **QUIET)
    picked = [*moving, picture, controls.start, ui["map_view"]]
    ui["map_view"].select(page.pick_from_map, sent, picked, **QUIET)


def _wire_panels(page: ImagePage) -> None:
    """The panels whose endpoints take their own values: interpolation, manifold grid, corner pad."""
    handlers, controls, ui = page.handlers, page.controls, page.ui
    model, digit = controls.model, controls.digit
    ui["go"].click(
        handlers.interpolate,
        [
            model,
            digit,
            controls.seed,
            *(ui[n] for n in ("seed_b", "frames", "mode", "between", "digit_b")),
            ui["drawings"],
        ],
        [ui["animation"], ui["frame_strip"]],
        api_name="interpolate",
    )
    ui["draw_grid"].click(
        handlers.manifold_grid,
        [model, digit, controls.seed, ui["across"], ui["down"], ui["steps"]],
        ui["grid_picture"],
        api_name="manifold",
    )
    gr.on(
        [ui["pad_x"].input, ui["pad_y"].input, *(c.submit for c in ui["corners"])],
        handlers.corner_pad,
        [model, digit, ui["pad_x"], ui["pad_y"], *ui["corners"]],
        ui["pad_picture"],
        api_name="corner_pad",
        trigger_mode="always_last",
        **LIVE,
    )


def _wire_page(page: ImagePage, opened: links.PageOpen) -> tuple:
    """What the page does with itself as a whole: opens from a link (or as it is), shows the
    controls of the model chosen, keeps the marked download and the link up to date. Returns the
    opening and the model-switching events (the latent map follows both)."""
    controls, ui = page.controls, page.ui
    sent, picture = controls.sent(), ui["picture"]
    sent = sent | {ui["token"]}
    with_query = sent | {ui["query"]}
    shown = [controls.model, *page.viewed().values(), picture]
    linked = opened.event.then(page.open_link, with_query, controls.in_decode_order(), **QUIET)
    opened_then = linked.then(page.open_refresh, with_query, shown, **QUIET)
    switched = gr.on([controls.model.change, controls.axes.change], page.refresh, sent, shown, **QUIET)
    marked = picture.change(
        page.marked_download, picture, [ui["download"], picture], trigger_mode="always_last", **QUIET
    )
    ui["copy_link"].wire(page.link, sent)
    ui["copy_link"].keep([marked], page.link, sent)  # the address follows the picture shown
    controls.model.focus(page.refresh_models, [ui["token"], controls.model], controls.model, **QUIET)
    return opened_then, switched
