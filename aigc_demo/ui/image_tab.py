"""The Image tab: a latent-space explorer whose picture follows the sliders while they move."""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.checkpoint import ModelCard
from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.data.images import prepare_drawing
from aigc_demo.pipelines import image, latent_map
from aigc_demo.pipelines.latents import MIN_TEMPERATURE
from aigc_demo.ui.controls import model_picker, offset_slider, picture_output, seed_controls
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import load_model, shows_errors
from aigc_demo.ui.i18n import I18N, language_of, text

KINDS = ("image-vae", "image-gan")
DIRECTION_KEYS = [str(i) for i in range(1, 9)] + ["ink", "slant", "width"]
SLIDERS = 8
TRAITS = ("ink", "slant", "width")


def _image_models(hub: ModelHub) -> list[str]:
    return [e.name for kind in KINDS for e in hub.entries(kind=kind)]


def principal_label(index: int, info: dict | None, lang: str) -> str:
    """ "Direction 2", or "Direction 2 · Slant (r = 0.63)" when it tracks a trait."""
    if not info or not info.get("trait"):
        return text("image_direction_n", lang, number=index + 1)
    trait = text(f"image_trait_{info['trait']}", lang)
    return text("image_direction_named", lang, number=index + 1, trait=trait, fit=f"{info['fit']:.2f}")


def trait_label(name: str, fit: float, lang: str) -> str:
    return text("image_trait_fit", lang, trait=text(f"image_trait_{name}", lang), fit=f"{fit:.2f}")


def class_choices(card: ModelCard | None) -> list[tuple[str, str]]:
    """(shown name, value) of each class a conditional model draws: the names its card gives
    (a person's folder names), else the numbers; empty for a model that takes no class."""
    count = card.config.get("classes", 0) if card else 0
    names = card.extras.get("class_names") or [] if card else []
    return [(str(names[i]) if i < len(names) else str(i), str(i)) for i in range(count)]


def build_image_tab(demo: gr.Blocks, hub: ModelHub) -> None:
    names = _image_models(hub)
    with gr.Row():
        with gr.Column(scale=2):
            model = model_picker(names, I18N("image_model"), "image-model")
            label = gr.Dropdown(
                [str(d) for d in range(10)],
                value="0",
                label=I18N("image_class"),
                visible=False,
                allow_custom_value=True,  # the classes follow the model; check_label checks them
                elem_id="image-class",
            )
            seed, shuffle, reset = seed_controls("image")
            truncation = gr.Slider(
                MIN_TEMPERATURE,
                1.0,
                value=1.0,
                step=0.05,
                label=I18N("image_truncation"),
                elem_id="image-truncation",
                buttons=[],
            )
            axes = gr.Radio(
                [(I18N("image_axes_principal"), "principal"), (I18N("image_axes_raw"), "raw")],
                value="principal",
                label=I18N("image_axes"),
                elem_id="image-axes",
            )
            sliders = [offset_slider(I18N("image_direction"), f"latent-{i}") for i in range(SLIDERS)]
            with gr.Accordion(I18N("image_named"), open=True) as named_group:
                traits = [offset_slider(I18N(f"image_trait_{name}"), f"trait-{name}") for name in TRAITS]
                with gr.Row():
                    like = gr.Dropdown(
                        [str(d) for d in range(10)],
                        value=None,
                        label=I18N("image_like"),
                        allow_custom_value=True,
                        elem_id="image-like",
                    )
                    strength = offset_slider(I18N("image_strength"), "image-strength")
        with gr.Column(scale=2):
            picture = picture_output(I18N("image_output"), "image-output", size=300)
            with gr.Accordion(I18N("image_interpolate"), open=False):
                with gr.Row():
                    seed_b = gr.Number(
                        label=I18N("image_seed_b"),
                        value=1,
                        minimum=0,
                        maximum=MAX_SEED,
                        precision=0,
                        elem_id="interp-seed-b",
                    )
                    frames = gr.Slider(
                        2,
                        image.MAX_FRAMES,
                        value=16,
                        step=1,
                        label=I18N("image_frames"),
                        elem_id="interp-frames",
                    )
                    mode = gr.Radio(
                        ["slerp", "lerp"], value="slerp", label=I18N("image_mode"), elem_id="interp-mode"
                    )
                with gr.Row():
                    between = gr.Radio(
                        [
                            (I18N("image_between_seeds"), "seeds"),
                            (I18N("image_between_classes"), "classes"),
                            (I18N("image_between_drawings"), "drawings"),
                        ],
                        value="seeds",
                        label=I18N("image_between"),
                        elem_id="interp-between",
                    )
                    class_b = gr.Dropdown(
                        [str(d) for d in range(10)],
                        value="1",
                        label=I18N("image_class_b"),
                        allow_custom_value=True,
                        elem_id="interp-class-b",
                    )
                go = gr.Button(I18N("image_interpolate_go"), elem_id="interp-go")
                animation = gr.Image(
                    label=I18N("image_animation"),
                    interactive=False,
                    elem_id="interp-gif",
                    buttons=["download"],
                    height=224,
                    width=224,
                )
                frame_strip = picture_output(I18N("image_strip"), "interp-strip")
            with gr.Accordion(I18N("image_pad"), open=False):
                with gr.Row():
                    corners = [
                        gr.Number(
                            label=I18N(f"image_corner_{corner}"),
                            value=index,
                            minimum=0,
                            maximum=MAX_SEED,
                            precision=0,
                            elem_id=f"pad-{corner}",
                        )
                        for index, corner in enumerate(("tl", "tr", "bl", "br"))
                    ]
                pad_x = gr.Slider(
                    0, 1, value=0.5, step=0.01, label=I18N("image_pad_x"), elem_id="pad-x", buttons=[]
                )
                pad_y = gr.Slider(
                    0, 1, value=0.5, step=0.01, label=I18N("image_pad_y"), elem_id="pad-y", buttons=[]
                )
                pad_picture = picture_output(I18N("image_pad"), "pad-picture", size=224)
            with gr.Accordion(I18N("image_map"), open=False, visible=False) as map_group:
                gr.Markdown(I18N("image_map_info"))
                map_view = gr.Image(
                    format="png",
                    interactive=False,
                    show_label=False,
                    height=360,
                    width=360,
                    elem_id="latent-map",
                )
            with gr.Accordion(I18N("image_manifold"), open=False):
                with gr.Row():
                    across = gr.Dropdown(
                        DIRECTION_KEYS, value="1", label=I18N("image_across"), elem_id="grid-across"
                    )
                    down = gr.Dropdown(
                        DIRECTION_KEYS, value="2", label=I18N("image_down"), elem_id="grid-down"
                    )
                    steps = gr.Slider(
                        2, image.MAX_GRID, value=9, step=1, label=I18N("image_steps"), elem_id="grid-steps"
                    )
                draw_grid = gr.Button(I18N("image_manifold_go"), elem_id="grid-go")
                grid_picture = picture_output(I18N("image_manifold"), "grid-picture")

    with gr.Accordion(I18N("image_edit"), open=False):
        with gr.Row():
            sketch = gr.Sketchpad(
                label=I18N("image_sketch"),
                type="numpy",
                image_mode="L",
                canvas_size=(280, 280),
                height=320,
                width=320,
                layers=False,
                brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
                elem_id="edit-sketch",
            )
            upload = gr.Image(
                label=I18N("image_upload"),
                type="numpy",
                image_mode="L",
                sources=["upload"],
                height=320,
                width=320,
                elem_id="edit-upload",
            )
            prepared_view = picture_output(I18N("image_prepared"), "edit-prepared", size=224)
        encode_button = gr.Button(I18N("image_encode"), variant="primary", elem_id="edit-encode")
        code_view = gr.JSON(visible=False)
    start = gr.State(None)  # the code of an encoded drawing; None: start from the seed
    drawings = gr.State([])  # the codes of the last two drawings encoded in this page

    def loaded_image_model(model_name: str | None):
        return load_model(hub, model_name, KINDS, "image")

    @shows_errors
    def decode(
        start_code: list[float] | None,
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        *values: float | str | None,
    ):
        """Draw the picture for a seed, the principal-direction sliders, the named-direction
        sliders (ink, slant, width, "more like digit" and its strength), the truncation (1 when
        left out) and, for a class-conditional model, a class."""
        offsets, named, psi, raw = steering(values)
        loaded = loaded_image_model(model_name)
        return image.decode(loaded, latent_seed, offsets, class_label, named, start_code, psi, raw)

    def steering(values: tuple) -> tuple[tuple, dict[str, Any], float, bool]:
        """Split the slider values into principal offsets, named amounts, the truncation (1 when
        left out) and whether the sliders move along raw latent dimensions."""
        named = dict(zip(TRAITS, values[SLIDERS : SLIDERS + len(TRAITS)], strict=True))
        like_digit, like_strength, *rest = values[SLIDERS + len(TRAITS) :]
        if like_digit not in (None, ""):
            named[str(like_digit)] = like_strength
        psi = rest[0] if rest and rest[0] is not None else 1.0
        return values[:SLIDERS], named, psi, len(rest) > 1 and rest[1] == "raw"

    @shows_errors
    def draw_map(
        start_code: list[float] | None, model_name: str | None, _label: Any, latent_seed: float, *values
    ):
        """The latent map with the current position ringed; hidden for a model without one."""
        if not model_name:
            return gr.Accordion(visible=False), None
        loaded = loaded_image_model(model_name)
        if not latent_map.has_map(loaded):
            return gr.Accordion(visible=False), None
        offsets, named, psi, raw = steering(values)
        flat = latent_map.load_map(loaded)
        code = image.latent_code(loaded, latent_seed, offsets, named, start_code, psi, raw)
        here = flat.coordinates(code)
        return gr.Accordion(visible=True), latent_map.map_picture(flat, here)

    @shows_errors
    def pick_from_map(model_name: str, class_label: str | None, event: gr.SelectData):
        """Jump to the code of the test image nearest to the click; the sliders start from it."""
        loaded = loaded_image_model(model_name)
        flat = latent_map.load_map(loaded)
        x, y = event.index
        chosen = flat.nearest(x, y)
        code = flat.codes[chosen].tolist()
        picture_out = image.decode(loaded, 0, label=class_label, start=code)
        return code, *centred, picture_out, latent_map.map_picture(flat, flat.points[chosen])

    @shows_errors
    def interpolate(
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
        loaded = loaded_image_model(model_name)
        if path == "drawings":
            if not drawn or len(drawn) < 2:
                raise ValueError(
                    "encode two drawings first (Edit your own digit), then interpolate between them"
                )
            images = image.interpolate_codes(loaded, drawn[-2], drawn[-1], count, how, class_label)
            name = f"interpolation-drawings-{how}.gif"
        elif path == "classes":
            images = image.interpolate_classes(loaded, seed_a, class_label, class_b, count)
            name = f"interpolation-{int(seed_a)}-class-{class_label}-{class_b}.gif"
        elif path == "seeds":
            images = image.interpolate(loaded, seed_a, seed_b, count, how, class_label)
            name = f"interpolation-{int(seed_a)}-{int(seed_b)}-{how}.gif"
        else:
            raise ValueError("interpolate between 'seeds' or 'classes'")
        return str(image.save_gif(images, output_path(name))), image.strip(images)

    go.click(
        interpolate,
        [model, label, seed, seed_b, frames, mode, between, class_b, drawings],
        [animation, frame_strip],
        api_name="interpolate",
    )

    @shows_errors
    def manifold_grid(
        model_name: str, class_label: str | None, centre_seed: float, x_key: str, y_key: str, count: float
    ):
        """A grid of pictures around the seed's, along two directions ("1".."8", ink, slant, width)."""
        loaded = loaded_image_model(model_name)
        images = image.manifold(loaded, centre_seed, str(x_key), str(y_key), count, label=class_label)
        return image.grid(images, scale=3)

    draw_grid.click(
        manifold_grid, [model, label, seed, across, down, steps], grid_picture, api_name="manifold"
    )

    @shows_errors
    def corner_pad(model_name: str, class_label: str | None, x: float, y: float, *corner_seeds: float):
        """The picture at (x, y) of a pad blending four corner seeds (top-left, top-right,
        bottom-left, bottom-right)."""
        return image.blend_corners(loaded_image_model(model_name), corner_seeds, x, y, class_label)

    gr.on(
        [pad_x.input, pad_y.input, *(c.submit for c in corners)],
        corner_pad,
        [model, label, pad_x, pad_y, *corners],
        pad_picture,
        api_name="corner_pad",
        trigger_mode="always_last",
        show_progress="hidden",
        concurrency_limit=None,
    )

    @shows_errors
    def encode_drawing(
        model_name: str,
        class_label: str | None,
        drawing: dict | None,
        picture_in: Any,
        drawn: list | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way to report progress)
    ):
        """Encode an uploaded picture of a digit (or else the sketch): returns the picture as
        MNIST's were prepared, the model's reconstruction and the latent code, where the
        sliders then start. A GAN has no encoder: its code is searched for (a second or so)."""
        pixels = picture_in if picture_in is not None else (drawing or {}).get("composite")
        if pixels is None:
            raise ValueError("draw a digit or upload a picture of one first")
        loaded = loaded_image_model(model_name)
        prepared = prepare_drawing(pixels)

        def searching(step: int, total: int) -> None:
            if step % 20 == 0:
                progress(step / total, desc="searching for the drawing's code")

        code = image.encode(loaded, prepared, class_label, on_step=searching).tolist()
        rebuilt = image.decode(loaded, 0, label=class_label, start=code)
        return image.to_picture(prepared), rebuilt, code, code, *centred, [*(drawn or [])[-1:], code]

    inputs = [start, model, label, seed, *sliders, *traits, like, strength, truncation, axes]
    moving = [*sliders, *traits, strength]
    centred = [0.0] * len(moving)
    gr.on(
        [s.input for s in (*moving, truncation)],
        decode,
        inputs,
        picture,
        api_name="decode",
        trigger_mode="always_last",
        show_progress="hidden",
        concurrency_limit=None,
    )
    gr.on(
        [label.input, model.input, like.input],
        decode,
        inputs,
        picture,
        api_visibility="private",
        show_progress="hidden",
        concurrency_limit=None,
    )

    def from_seed(*values: Any):
        """A typed seed leaves any encoded drawing behind."""
        return decode(None, *values), None

    seed.submit(from_seed, inputs[1:], [picture, start], api_visibility="private", show_progress="hidden")

    def centred_picture(
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        start_code=None,
        psi: float = 1.0,
        along: str = "principal",
    ) -> Any:
        values = (*centred[:-1], None, 0.0, psi, along)
        return decode(start_code, model_name, class_label, latent_seed, *values)

    def random_latent(model_name: str, class_label: str | None, psi: float = 1.0, along: str = "principal"):
        """A new random seed with every slider at the centre, and its picture."""
        new_seed = random_seed()
        return new_seed, *centred, centred_picture(model_name, class_label, new_seed, None, psi, along), None

    jumped = shuffle.click(
        random_latent,
        [model, label, truncation, axes],
        [seed, *moving, picture, start],
        api_name="random",
        show_progress="hidden",
    )

    def centre(
        start_code: list[float] | None,
        model_name: str,
        class_label: str | None,
        latent_seed: float,
        psi: float = 1.0,
        along: str = "principal",
    ):
        return *centred, centred_picture(model_name, class_label, latent_seed, start_code, psi, along)

    centred_event = reset.click(
        centre,
        [start, model, label, seed, truncation, axes],
        [*moving, picture],
        api_visibility="private",
        show_progress="hidden",
    )
    encoded = encode_button.click(
        encode_drawing,
        [model, label, sketch, upload, drawings],
        [prepared_view, picture, code_view, start, *moving, drawings],
        api_name="encode",
    )

    def refresh(
        request: gr.Request,
        start_code: list[float] | None,
        current: str | None,
        class_label: str | None,
        latent_seed: float,
        *values: float | str | None,
    ) -> list[Any]:
        lang = language_of(request)
        raw = steering(values)[3]
        names = _image_models(hub)
        chosen = current if current in names else (names[0] if names else None)
        card = hub.entry(chosen).card if chosen else None
        count = card.config.get("num_directions", 0) if card else 0
        described = card.extras.get("directions", {}) if card else {}
        principal = described.get("principal", [])
        named = {d["name"]: d for d in described.get("named", [])}
        classes = [
            (f"{name} · r = {d['fit']:.2f}", name) for name, d in named.items() if d["kind"] == "class"
        ]
        # A model that takes no class keeps a hidden "0", which the endpoints then ignore.
        drawn = class_choices(card) or [("0", "0")]
        if class_label not in [value for _, value in drawn]:
            class_label = "0"
        return [
            gr.Dropdown(choices=names, value=chosen),
            gr.Dropdown(choices=drawn, value=class_label, visible=len(drawn) > 1),
            gr.Dropdown(choices=drawn, value=drawn[min(1, len(drawn) - 1)][1]),
            *(
                gr.Slider(
                    label=text("image_dimension_n", lang, number=i + 1)
                    if raw
                    else principal_label(i, principal[i] if i < len(principal) else None, lang),
                    visible=i < count,
                )
                for i in range(SLIDERS)
            ),
            gr.Accordion(visible=bool(named)),
            *(
                gr.Slider(label=trait_label(name, named[name]["fit"], lang), visible=True)
                if name in named
                else gr.Slider(visible=False)
                for name in TRAITS
            ),
            gr.Dropdown(choices=classes, visible=bool(classes)),
            gr.Slider(visible=bool(classes)),
            decode(start_code, chosen, class_label, latent_seed, *values) if chosen else None,
        ]

    quiet = {"api_visibility": "private", "show_progress": "hidden"}  # UI-only helpers
    loaded_page = gr.on(
        [demo.load, model.change, axes.change],
        refresh,
        inputs,
        [model, label, class_b, *sliders, named_group, *traits, like, strength, picture],
        api_visibility="private",
        show_progress="hidden",
    )
    # On focus: a model trained meanwhile (in the Train tab) is listed at once.
    model.focus(lambda: gr.Dropdown(choices=_image_models(hub)), None, model, **quiet)
    map_outputs = [map_group, map_view]
    for event in (loaded_page, jumped, encoded, centred_event):
        event.then(draw_map, inputs, map_outputs, **quiet)
    gr.on(
        [s.release for s in moving] + [label.input, like.input, truncation.release],
        draw_map,
        inputs,
        map_outputs,
        **quiet,
    )
    map_view.select(pick_from_map, [model, label], [start, *moving, picture, map_view], **quiet)
