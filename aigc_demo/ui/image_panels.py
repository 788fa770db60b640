"""The Image page's layout: the controls whose values make an ``ImageState`` (``ImageControls``) and
its panels of components, each returned by name for the wiring in ``image_tab``. No handlers and no
model logic here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines.image import MAX_FRAMES, MAX_GRID
from aigc_demo.pipelines.latents import MIN_TEMPERATURE
from aigc_demo.ui.controls import model_picker, offset_slider, picture_output, seed_controls
from aigc_demo.ui.drawing_pad import drawing_pad
from aigc_demo.ui.i18n import I18N
from aigc_demo.ui.image_state import DIRECTIONS, TRAITS, ImageState

DIRECTION_KEYS = [str(i) for i in range(1, DIRECTIONS + 1)] + list(TRAITS)


@dataclass(frozen=True)
class ImageControls:
    """The components whose values make the page's ``ImageState``, by the state's names."""

    model: gr.Dropdown
    digit: gr.Dropdown
    seed: gr.Number
    start: gr.State  # the code of an encoded drawing; None: start from the seed
    directions: tuple[gr.Slider, ...]
    traits: dict[str, gr.Slider]
    like: gr.Dropdown
    strength: gr.Slider
    truncation: gr.Slider
    axes: gr.Radio

    @property
    def moving(self) -> list[gr.Slider]:
        """The sliders that move the picture away from its seed, which Centre brings back."""
        return [*self.directions, *self.traits.values(), self.strength]

    def in_decode_order(self) -> list[Any]:
        """The components in the order ``/decode`` takes their values (the start code first)."""
        named = [*self.traits.values(), self.like, self.strength, self.truncation, self.axes]
        return [self.start, self.model, self.digit, self.seed, *self.directions, *named]

    def sent(self) -> set[Any]:
        """Every component of the state: an event with these as its inputs gets their values by name."""
        return set(self.in_decode_order())

    def state(self, values: dict[Any, Any]) -> ImageState:
        """The state from an event's values (``sent()`` as its inputs)."""
        return ImageState(
            model=values[self.model],
            digit=values[self.digit],
            seed=values[self.seed],
            start=values[self.start],
            offsets=tuple(values[slider] for slider in self.directions),
            traits={name: values[slider] for name, slider in self.traits.items()},
            like=values[self.like],
            strength=values[self.strength],
            truncation=values[self.truncation],
            axes=values[self.axes],
        )

    def shown(self, state: ImageState) -> dict[Any, Any]:
        """The values that show ``state``, for an event's outputs."""
        return {
            self.model: state.model,
            self.digit: state.digit,
            self.seed: state.seed,
            self.start: state.start,
            **dict(zip(self.directions, state.offsets, strict=True)),
            **{slider: state.traits[name] for name, slider in self.traits.items()},
            self.like: state.like,
            self.strength: state.strength,
            self.truncation: state.truncation,
            self.axes: state.axes,
        }


def _class_dropdown(value: str | None, label: Any, elem_id: str, **more: Any) -> gr.Dropdown:
    # Custom values allowed: the classes follow the model; the pipelines check them.
    choices = [str(d) for d in range(10)]
    return gr.Dropdown(choices, value=value, label=label, allow_custom_value=True, elem_id=elem_id, **more)


def explorer(names: list[str]) -> tuple[ImageControls, dict[str, Any]]:
    """The model, digit, seed, truncation and the sliders; and the seed's buttons and the named group."""
    model = model_picker(names, I18N("image_model"), "image-model")
    digit = _class_dropdown("0", I18N("image_class"), "image-class", visible=False)
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
        info=I18N("image_axes_info"),
        elem_id="image-axes",
    )
    directions = tuple(offset_slider(I18N("image_direction"), f"latent-{i}") for i in range(DIRECTIONS))
    # Closed at first: the principal directions that track a trait are named already, and a closed
    # panel costs a phone nothing to build until it is opened.
    with gr.Accordion(I18N("image_named"), open=False) as named_group:
        traits = {name: offset_slider(I18N(f"image_trait_{name}"), f"trait-{name}") for name in TRAITS}
        with gr.Row():
            like = _class_dropdown(None, I18N("image_like"), "image-like")
            strength = offset_slider(I18N("image_strength"), "image-strength")
    start = gr.State(None)
    controls = ImageControls(model, digit, seed, start, directions, traits, like, strength, truncation, axes)
    return controls, {"shuffle": shuffle, "reset": reset, "named_group": named_group}


def interpolation_panel() -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Accordion(I18N("image_interpolate"), open=False):
        with gr.Row():
            ui["seed_b"] = gr.Number(
                label=I18N("image_seed_b"),
                value=1,
                minimum=0,
                maximum=MAX_SEED,
                precision=0,
                elem_id="interp-seed-b",
            )
            ui["frames"] = gr.Slider(
                2, MAX_FRAMES, value=16, step=1, label=I18N("image_frames"), elem_id="interp-frames"
            )
            ui["mode"] = gr.Radio(
                [(I18N("image_mode_slerp"), "slerp"), (I18N("image_mode_lerp"), "lerp")],
                value="slerp",
                label=I18N("image_mode"),
                elem_id="interp-mode",
            )
        with gr.Row():
            ui["between"] = gr.Radio(
                [
                    (I18N("image_between_seeds"), "seeds"),
                    (I18N("image_between_classes"), "classes"),
                    (I18N("image_between_drawings"), "drawings"),
                ],
                value="seeds",
                label=I18N("image_between"),
                elem_id="interp-between",
            )
            ui["digit_b"] = _class_dropdown("1", I18N("image_class_b"), "interp-class-b")
        ui["go"] = gr.Button(I18N("image_interpolate_go"), elem_id="interp-go")
        ui["animation"] = gr.Image(
            label=I18N("image_animation"),
            interactive=False,
            elem_id="interp-gif",
            elem_classes="picture-output",
            buttons=["download"],
            height=224,
            width=224,
        )
        ui["frame_strip"] = picture_output(I18N("image_strip"), "interp-strip")
    return ui


def pad_panel() -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Accordion(I18N("image_pad"), open=False):
        with gr.Row():
            ui["corners"] = [
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
        for axis in ("x", "y"):
            ui[f"pad_{axis}"] = gr.Slider(
                0, 1, value=0.5, step=0.01, label=I18N(f"image_pad_{axis}"), elem_id=f"pad-{axis}", buttons=[]
            )
        ui["pad_picture"] = picture_output(I18N("image_pad"), "pad-picture", size=224)
    return ui


def map_panel() -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Accordion(I18N("image_map"), open=False, visible=False) as ui["map_group"]:
        gr.HTML(I18N("image_map_info"), elem_classes="prose")
        ui["map_view"] = gr.Image(
            format="png", interactive=False, show_label=False, height=360, width=360, elem_id="latent-map"
        )
    return ui


def manifold_panel() -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Accordion(I18N("image_manifold"), open=False):
        with gr.Row():
            ui["across"] = gr.Dropdown(
                DIRECTION_KEYS, value="1", label=I18N("image_across"), elem_id="grid-across"
            )
            ui["down"] = gr.Dropdown(DIRECTION_KEYS, value="2", label=I18N("image_down"), elem_id="grid-down")
            ui["steps"] = gr.Slider(
                2, MAX_GRID, value=9, step=1, label=I18N("image_steps"), elem_id="grid-steps"
            )
        ui["draw_grid"] = gr.Button(I18N("image_manifold_go"), elem_id="grid-go")
        ui["grid_picture"] = picture_output(I18N("image_manifold"), "grid-picture")
    return ui


def edit_panel() -> dict[str, Any]:
    ui: dict[str, Any] = {}
    with gr.Accordion(I18N("image_edit"), open=False):
        with gr.Row():
            ui["sketch"] = drawing_pad("edit-sketch")
            ui["upload"] = gr.Image(
                label=I18N("image_upload"),
                type="numpy",
                image_mode="L",
                sources=["upload"],
                height=320,
                width=320,
                elem_id="edit-upload",
            )
            ui["prepared"] = picture_output(I18N("image_prepared"), "edit-prepared", size=224)
        ui["encode"] = gr.Button(I18N("image_encode"), variant="primary", elem_id="edit-encode")
        ui["code"] = gr.JSON(visible=False)
    return ui
