"""The Image tab: a latent-space explorer whose picture follows the sliders while they move.

``ImageHandlers`` holds every handler as a plain method over the hub, so a test calls them without
a server; ``build_image_tab`` lays out the components and wires them to those methods. The
sliders' values arrive as one flat list (Gradio sends each component's value); ``Steering`` names
them at once.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.hub import LoadedModel, ModelHub, UnknownModelError
from aigc_demo.backend.seeding import random_seed
from aigc_demo.data.images import prepare_drawing, read_data_url
from aigc_demo.labels.files import read_label
from aigc_demo.pipelines import describe, image, latent_map, receipts
from aigc_demo.pipelines.receipts import Made
from aigc_demo.ui import links
from aigc_demo.ui.controls import picture_output, show_as_built
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors
from aigc_demo.ui.i18n import I18N, TRANSLATIONS, language_of, text, translated
from aigc_demo.ui.image_links import ImageLinks
from aigc_demo.ui.image_panels import (
    SLIDERS,
    TRAITS,
    edit_panel,
    explorer,
    interpolation_panel,
    manifold_panel,
    map_panel,
    pad_panel,
)
from aigc_demo.ui.image_steering import KINDS, VIEW_KINDS, Steering, image_models, model_view

CENTRED = (0.0,) * (SLIDERS + len(TRAITS) + 1)  # every moving slider at the centre (the last: strength)
QUIET = {"api_visibility": "private", "show_progress": "hidden"}  # UI-only helpers


def marked_file(made: Made) -> str:
    """A made picture as the download button gives it, with the visible "AI-GENERATED" strip (the
    live picture stays unmarked), saved to a file of its own."""
    return str(receipts.save(receipts.with_mark(made), output_path("ai-generated-picture.png")))


class ImageHandlers:
    """Every handler of the Image tab, over one hub. ``decode``, ``random_latent``,
    ``interpolate``, ``manifold_grid``, ``corner_pad`` and ``encode_drawing`` are public API
    endpoints; the others serve the page."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    def loaded(self, model_name: str | None) -> LoadedModel:
        return load_model(self.hub, model_name, KINDS, "image")

    @shows_errors
    def decode(
        self,
        start_code: list[float] | None,
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        *values: float | str | None,
    ):
        """Draw the picture for a seed, the principal-direction sliders, the named-direction
        sliders (ink, slant, width, "more like digit" and its strength), the truncation (1 when
        left out) and, for a class-conditional model, a class."""
        return labelled(self.made_picture(start_code, model_name, class_label, latent_seed, *values))

    def made_picture(self, start_code, model_name: str, class_label, latent_seed: float, *values) -> Made:
        steer = Steering.of(values)
        return receipts.make(
            self.loaded(model_name),
            "picture",
            seed=latent_seed,
            offsets=steer.offsets,
            **{"class": class_label},
            named=steer.named,
            start=start_code,
            truncation=steer.truncation,
            raw=steer.raw,
        )

    def from_seed(self, *values: Any):
        """A typed seed leaves any encoded drawing behind."""
        return self.decode(None, *values), None

    def centred_picture(
        self,
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        start_code=None,
        psi: float = 1.0,
        along: str = "principal",
    ) -> Any:
        values = (*CENTRED[:-1], None, 0.0, psi, along)
        return self.decode(start_code, model_name, class_label, latent_seed, *values)

    def first_picture(self) -> tuple[Any, Any, str | None]:
        """What the page shows before anything is moved: the first model's picture at seed 0, its
        description in each language and its marked download, made as the page is built so that
        they arrive with the page (Nones when no model can draw)."""
        names = image_models(self.hub)
        if not names:
            return None, None, None
        try:
            made = self.made_picture(None, names[0], "0", 0, *CENTRED[:-1], None, 0.0)
        except (ValueError, OSError, UnknownModelError):  # a broken file: the page opens all the same
            return None, None, None
        described = translated({lang: self.description(made, names[0], lang) for lang in TRANSLATIONS})
        return labelled(made), described, marked_file(made)

    def random_latent(
        self, model_name: str, class_label: str | None, psi: float = 1.0, along: str = "principal"
    ):
        """A new random seed with every slider at the centre, and its picture."""
        new_seed = random_seed()
        picture = self.centred_picture(model_name, class_label, new_seed, None, psi, along)
        return new_seed, *CENTRED, picture, None

    def centre(
        self,
        start_code: list[float] | None,
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        psi: float = 1.0,
        along: str = "principal",
    ):
        return *CENTRED, self.centred_picture(model_name, class_label, latent_seed, start_code, psi, along)

    @shows_errors
    def draw_map(
        self,
        shown: bool,
        start_code: list[float] | None,
        model_name: str | None,
        _label: Any,
        latent_seed: float,
        *values,
    ):
        """The latent map with the current position ringed, drawn while its panel is open (``shown``);
        the panel hidden for a model without a map."""
        if not model_name:
            return gr.Accordion(visible=False), None
        loaded = self.loaded(model_name)
        if not latent_map.has_map(loaded):
            return gr.Accordion(visible=False), None
        if not shown:
            return gr.Accordion(visible=True), gr.skip()
        steer = Steering.of(values)
        flat = latent_map.load_map(loaded)
        code = image.latent_code(
            loaded, latent_seed, steer.offsets, steer.named, start_code, steer.truncation, steer.raw
        )
        return gr.Accordion(visible=True), latent_map.map_picture(flat, flat.coordinates(code))

    @shows_errors
    def pick_from_map(self, model_name: str, class_label: str | None, event: gr.SelectData):
        """Jump to the code of the test image nearest to the click; the sliders start from it."""
        loaded = self.loaded(model_name)
        flat = latent_map.load_map(loaded)
        chosen = flat.nearest(*event.index)
        code = flat.codes[chosen].tolist()
        picture = self.centred_picture(model_name, class_label, 0, code)
        return code, *CENTRED, picture, latent_map.map_picture(flat, flat.points[chosen])

    @shows_errors
    def interpolate(
        self,
        model_name: str,
        class_label: str | None,
        seed_a: float,
        seed_b: float,
        count: float,
        how: str,
        path: str = "seeds",
        class_b: str | None = "1",
        drawn: list | None = None,
    ):
        """Frames from seed A's picture to seed B's (lerp or slerp); with ``path`` "classes", from
        the seed's digit ``class_label`` to digit ``class_b``; with "drawings", between the last
        two drawings encoded in this page. Returns an animated GIF and a strip."""
        animation, strip = receipts.interpolation(
            self.loaded(model_name),
            path=path,
            how=how,
            frames=count,
            seed_a=seed_a,
            seed_b=seed_b,
            drawn=(drawn or [])[-2:] if path == "drawings" else None,
            **{"class": class_label, "class_b": class_b},
        )
        return str(receipts.save(animation, output_path(f"interpolation-{path}.gif"))), labelled(strip)

    @shows_errors
    def manifold_grid(
        self,
        model_name: str,
        class_label: str | None,
        centre_seed: float,
        x_key: str,
        y_key: str,
        count: float,
    ):
        """A grid of pictures around the seed's, along two directions ("1".."8", ink, slant, width)."""
        made = receipts.make(
            self.loaded(model_name),
            "manifold",
            seed=centre_seed,
            across=str(x_key),
            down=str(y_key),
            steps=count,
            **{"class": class_label},
        )
        return labelled(made)

    @shows_errors
    def corner_pad(self, model_name: str, class_label: str | None, x: float, y: float, *corner_seeds: float):
        """The picture at (x, y) of a pad blending four corner seeds (top-left, top-right,
        bottom-left, bottom-right)."""
        made = receipts.make(
            self.loaded(model_name), "pad", corners=corner_seeds, x=x, y=y, **{"class": class_label}
        )
        return labelled(made)

    @shows_errors
    def encode_drawing(
        self,
        model_name: str,
        class_label: str | None,
        drawing: str | None,
        picture_in: Any,
        drawn: list | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way to report progress)
    ):
        """Encode an uploaded picture of a digit (or else the drawing, a PNG data URL): returns the
        picture as MNIST's were prepared, the model's reconstruction and the latent code, where the
        sliders then start. A GAN has no encoder: its code is searched for (a second or so)."""
        if drawing is not None and not isinstance(drawing, str):
            raise ValueError("the drawing must be a PNG picture as a data URL")
        pixels = picture_in
        if pixels is None and drawing:
            pixels = read_data_url(drawing, "the drawing")
        if pixels is None:
            raise ValueError("draw a digit or upload a picture of one first")
        loaded = self.loaded(model_name)
        prepared = prepare_drawing(pixels)

        def searching(step: int, total: int) -> None:
            if step % 20 == 0:
                progress(step / total, desc="searching for the drawing's code")

        code = image.encode(loaded, prepared, class_label, on_step=searching).tolist()
        rebuilt = self.centred_picture(model_name, class_label, 0, code)
        return image.to_picture(prepared), rebuilt, code, code, *CENTRED, [*(drawn or [])[-1:], code]

    @shows_errors
    def marked_download(self, request: gr.Request, served: str | None) -> tuple[Any, Any]:
        """The shown picture made again from its receipt, with the visible "AI-GENERATED" strip, as
        the file the download button gives (the live picture stays unmarked); and the picture's
        description for people who cannot see it, in the page's language."""
        if not isinstance(served, str) or not served:
            return gr.DownloadButton(value=None), gr.skip()
        label = read_label(served)
        if label is None or label.receipt is None:
            return gr.DownloadButton(value=None), gr.skip()
        made = receipts.remake(self.hub, label.receipt)
        return gr.DownloadButton(value=marked_file(made)), gr.Image(
            alt_text=self.description(made, label.receipt["model"], language_of(request))
        )

    def description(self, made: Made, model_name: str, lang: str) -> str:
        """A short description of a picture: the digit the shipped judge reads in it and its lean,
        where the judge can read it; else which model drew it."""
        try:
            judge = self.hub.load(describe.JUDGE).module
        except UnknownModelError:
            judge = None
        reading = describe.read_digit(judge, made.content.pixels) if judge is not None else None
        if reading is None or reading.confidence < 0.5:
            return text("image_alt", lang, model=model_name)
        lean = "" if reading.lean == "upright" else text(f"image_alt_lean_{reading.lean}", lang)
        return text("image_alt_digit", lang, digit=reading.digit, lean=lean, model=model_name)

    def refresh_models(self) -> gr.Dropdown:
        """On focus: a model trained meanwhile (in the Train tab) is listed at once."""
        return gr.Dropdown(choices=image_models(self.hub))

    def refresh(
        self,
        request: gr.Request,
        start_code: list[float] | None,
        current: str | None,
        class_label: str | None,
        latent_seed: float,
        *values: float | str | None,
    ) -> list[Any]:
        """The controls for the chosen model (its classes, its directions' names and fits) and its
        picture; the first model when none is chosen or the chosen one is gone."""
        names = image_models(self.hub)
        chosen = current if current in names else (names[0] if names else None)
        view = model_view(self.hub, chosen, class_label, Steering.of(values).raw, language_of(request))
        class_label = view[0]["value"]
        return [
            gr.Dropdown(choices=names, value=chosen),
            *(kind(**props) for kind, props in zip(VIEW_KINDS, view, strict=True)),
            self.decode(start_code, chosen, class_label, latent_seed, *values) if chosen else None,
        ]

    def open_refresh(self, request: gr.Request, search: str, *inputs: Any) -> list[Any]:
        """As the page opens: the controls and picture a link to this tab asks for (``refresh``
        after ``ImageLinks.open_link``); nothing to change otherwise, the page is built ready."""
        if not links.LinkReader(search, "image").opened:
            return [gr.skip()] * (1 + len(VIEW_KINDS) + 1)
        return self.refresh(request, *inputs)


def build_image_tab(hub: ModelHub, page: links.PageOpen) -> None:
    """Lay out the tab and wire its components to an ``ImageHandlers``."""
    ui: dict[str, Any] = {}
    handlers = ImageHandlers(hub)
    # On a narrow screen the CSS (ui/app.py) lifts "image-view" above the controls and keeps it in
    # view while they scroll; a wide screen shows the columns side by side.
    with gr.Row(elem_id="image-row"):
        with gr.Column(scale=2, elem_id="image-controls"):
            ui |= explorer(image_models(hub))
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
    ui |= edit_panel()
    ui["start"] = gr.State(None)  # the code of an encoded drawing; None: start from the seed
    ui["drawings"] = gr.State([])  # the codes of the last two drawings encoded in this page
    ui["map_shown"] = gr.State(False)  # whether the latent map's panel is open
    _open_on_the_first_model(handlers, ui)
    _wire(handlers, ui, page)


def _open_on_the_first_model(handlers: ImageHandlers, ui: dict[str, Any]) -> None:
    """Set the controls as ``refresh`` sets them for the first model, in every language, so the page
    arrives ready: nothing to ask the server as it opens."""
    names = image_models(handlers.hub)
    if not names:
        return
    viewed = [ui["label"], ui["class_b"], *ui["sliders"], ui["named_group"], *ui["traits"]]
    views = {lang: model_view(handlers.hub, names[0], "0", False, lang) for lang in TRANSLATIONS}
    show_as_built([*viewed, ui["like"], ui["strength"]], views)
    ui["map_group"].visible = latent_map.has_map(handlers.loaded(names[0]))


def _wire(handlers: ImageHandlers, ui: dict[str, Any], page: links.PageOpen) -> None:
    model, label, seed, picture, start = ui["model"], ui["label"], ui["seed"], ui["picture"], ui["start"]
    moving = [*ui["sliders"], *ui["traits"], ui["strength"]]
    inputs = [start, model, label, seed, *ui["sliders"], *ui["traits"], ui["like"], ui["strength"]]
    inputs += [ui["truncation"], ui["axes"]]
    live = {"show_progress": "hidden", "concurrency_limit": None}  # follows a drag: never waits in line
    gr.on(
        [s.input for s in (*moving, ui["truncation"])],
        handlers.decode,
        inputs,
        picture,
        api_name="decode",
        trigger_mode="always_last",
        **live,
    )
    gr.on(
        [label.input, model.input, ui["like"].input],
        handlers.decode,
        inputs,
        picture,
        api_visibility="private",
        **live,
    )
    seed.submit(handlers.from_seed, inputs[1:], [picture, start], **QUIET)
    how = [ui["truncation"], ui["axes"]]
    jumped = ui["shuffle"].click(
        handlers.random_latent,
        [model, label, *how],
        [seed, *moving, picture, start],
        api_name="random",
        show_progress="hidden",
    )
    centred = ui["reset"].click(
        handlers.centre, [start, model, label, seed, *how], [*moving, picture], **QUIET
    )
    encoded = ui["encode"].click(
        handlers.encode_drawing,
        [model, label, ui["sketch"], ui["upload"], ui["drawings"]],
        [ui["prepared"], picture, ui["code"], start, *moving, ui["drawings"]],
        api_name="encode",
    )
    ui["go"].click(
        handlers.interpolate,
        [
            model,
            label,
            seed,
            ui["seed_b"],
            ui["frames"],
            ui["mode"],
            ui["between"],
            ui["class_b"],
            ui["drawings"],
        ],
        [ui["animation"], ui["frame_strip"]],
        api_name="interpolate",
    )
    ui["draw_grid"].click(
        handlers.manifold_grid,
        [model, label, seed, ui["across"], ui["down"], ui["steps"]],
        ui["grid_picture"],
        api_name="manifold",
    )
    gr.on(
        [ui["pad_x"].input, ui["pad_y"].input, *(c.submit for c in ui["corners"])],
        handlers.corner_pad,
        [model, label, ui["pad_x"], ui["pad_y"], *ui["corners"]],
        ui["pad_picture"],
        api_name="corner_pad",
        trigger_mode="always_last",
        **live,
    )
    opened, switched = _wire_page(handlers, ui, page, inputs)
    map_inputs, map_outputs = [ui["map_shown"], *inputs], [ui["map_group"], ui["map_view"]]
    for event in (opened, switched, jumped, encoded, centred):
        event.then(handlers.draw_map, map_inputs, map_outputs, **QUIET)
    released = [s.release for s in moving] + [label.input, ui["like"].input, ui["truncation"].release]
    gr.on(released, handlers.draw_map, map_inputs, map_outputs, **QUIET)
    ui["map_group"].expand(lambda: True, None, ui["map_shown"], **QUIET).then(
        handlers.draw_map, map_inputs, map_outputs, **QUIET
    )
    ui["map_group"].collapse(lambda: False, None, ui["map_shown"], **QUIET)
    ui["map_view"].select(
        handlers.pick_from_map, [model, label], [start, *moving, picture, ui["map_view"]], **QUIET
    )


def _wire_page(handlers: ImageHandlers, ui: dict[str, Any], page: links.PageOpen, inputs: list) -> tuple:
    """What the page does with the tab as a whole: opens it from a link (or as it is), shows the
    controls of the model chosen, keeps the marked download and the link up to date. Returns the
    opening and the model-switching events (the latent map follows both)."""
    model, picture = ui["model"], ui["picture"]
    refreshed = [model, ui["label"], ui["class_b"], *ui["sliders"], ui["named_group"], *ui["traits"]]
    shown = [*refreshed, ui["like"], ui["strength"], picture]
    linking = ImageLinks(handlers.hub)
    linked = page.event.then(linking.open_link, [page.query, *inputs], [*inputs[1:], ui["start"]], **QUIET)
    opened = linked.then(handlers.open_refresh, [page.query, *inputs], shown, **QUIET)
    switched = gr.on([model.change, ui["axes"].change], handlers.refresh, inputs, shown, **QUIET)
    picture.change(
        handlers.marked_download, picture, [ui["download"], picture], trigger_mode="always_last", **QUIET
    )
    ui["copy_link"].wire(linking.link, inputs)
    model.focus(handlers.refresh_models, None, model, **QUIET)
    return opened, switched
