"""The Image tab: a latent-space explorer whose picture follows the sliders while they move."""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub, UnknownModelError
from aigc_demo.backend.seeding import MAX_SEED, random_seed
from aigc_demo.pipelines import image
from aigc_demo.pipelines.latents import MAX_OFFSET
from aigc_demo.ui.i18n import I18N, language_of, text

KINDS = ("image-vae",)
SLIDERS = 8


def _image_models(hub: ModelHub) -> list[str]:
    return [e.name for kind in KINDS for e in hub.entries(kind=kind)]


def build_image_tab(demo: gr.Blocks, hub: ModelHub) -> None:
    names = _image_models(hub)
    with gr.Row():
        with gr.Column(scale=2):
            model = gr.Dropdown(
                label=I18N("image_model"),
                choices=names,
                value=names[0] if names else None,
                allow_custom_value=True,
                elem_id="image-model",
            )
            label = gr.Dropdown(
                [str(d) for d in range(10)],
                value="0",
                label=I18N("image_class"),
                visible=False,
                elem_id="image-class",
            )
            with gr.Row():
                seed = gr.Number(
                    label=I18N("image_seed"),
                    value=0,
                    minimum=0,
                    maximum=MAX_SEED,
                    precision=0,
                    elem_id="image-seed",
                )
                shuffle = gr.Button(I18N("image_random"), elem_id="image-random")
                reset = gr.Button(I18N("image_reset"), elem_id="image-reset")
            sliders = [
                gr.Slider(
                    -MAX_OFFSET,
                    MAX_OFFSET,
                    value=0.0,
                    step=0.05,
                    label=I18N("image_direction"),
                    elem_id=f"latent-{i}",
                    buttons=[],
                )
                for i in range(SLIDERS)
            ]
        with gr.Column(scale=2):
            picture = gr.Image(
                label=I18N("image_output"),
                format="png",
                interactive=False,
                height=300,
                width=300,
                elem_classes="pixelated",
                elem_id="image-output",
                buttons=["download"],
            )

    def decode(model_name: str, class_label: str | None, latent_seed: float, *offsets: float):
        """Draw the picture for a seed, the slider positions and (for conditional models) a class."""
        try:
            if not model_name:
                raise ValueError("no image model is installed yet: train one in the Train tab")
            loaded = hub.load(model_name)
            if loaded.entry.card.kind not in KINDS:
                raise ValueError(f"{model_name!r} is not an image model")
            return image.decode(loaded, latent_seed, offsets, class_label)
        except (ValueError, UnknownModelError) as err:
            raise gr.Error(str(err)) from None

    inputs = [model, label, seed, *sliders]
    gr.on(
        [s.input for s in sliders],
        decode,
        inputs,
        picture,
        api_name="decode",
        trigger_mode="always_last",
        show_progress="hidden",
        concurrency_limit=None,
    )
    gr.on(
        [seed.submit, label.input, model.input],
        decode,
        inputs,
        picture,
        api_visibility="private",
        show_progress="hidden",
        concurrency_limit=None,
    )

    def random_latent(model_name: str, class_label: str | None):
        """A new random seed with the sliders at the centre, and its picture."""
        new_seed = random_seed()
        return new_seed, *([0.0] * SLIDERS), decode(model_name, class_label, new_seed)

    shuffle.click(
        random_latent, [model, label], [seed, *sliders, picture], api_name="random", show_progress="hidden"
    )

    def centre(model_name: str, class_label: str | None, latent_seed: float):
        return *([0.0] * SLIDERS), decode(model_name, class_label, latent_seed)

    reset.click(
        centre, [model, label, seed], [*sliders, picture], api_visibility="private", show_progress="hidden"
    )

    def refresh(
        request: gr.Request, current: str | None, class_label: str | None, latent_seed: float, *offsets: float
    ) -> list[Any]:
        lang = language_of(request)
        names = _image_models(hub)
        chosen = current if current in names else (names[0] if names else None)
        card = hub.entry(chosen).card if chosen else None
        count = card.config.get("num_directions", 0) if card else 0
        conditional = bool(card and card.config.get("classes"))
        shown = [
            gr.Slider(label=text("image_direction_n", lang, number=i + 1), visible=i < count)
            for i in range(SLIDERS)
        ]
        drawn = decode(chosen, class_label, latent_seed, *offsets) if chosen else None
        return [gr.Dropdown(choices=names, value=chosen), gr.Dropdown(visible=conditional), *shown, drawn]

    gr.on(
        [demo.load, model.change],
        refresh,
        inputs,
        [model, label, *sliders, picture],
        api_visibility="private",
        show_progress="hidden",
    )
