"""Controls the generator tabs share: the seed row and sliders along latent directions."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines.latents import MAX_OFFSET
from aigc_demo.ui.i18n import I18N, translated
from aigc_demo.ui.visitor import model_choices


def model_picker(names: list[str], label: Any, elem_id: str) -> gr.Dropdown:
    """A dropdown of models (``names``: everyone's), the first chosen. The visitor's own models join
    the choices when the page refreshes them; custom values let API clients name a model trained
    after start-up (handlers check it)."""
    return gr.Dropdown(
        label=label,
        choices=model_choices(names),
        value=names[0] if names else None,
        allow_custom_value=True,
        elem_id=elem_id,
    )


def seed_controls(prefix: str) -> tuple[gr.Number, gr.Button, gr.Button]:
    """A seed box with its Random and Centre buttons, texts and ids under ``prefix``."""
    with gr.Row():
        seed = gr.Number(
            label=I18N(f"{prefix}_seed"),
            value=0,
            minimum=0,
            maximum=MAX_SEED,
            precision=0,
            elem_id=f"{prefix}-seed",
        )
        shuffle = gr.Button(I18N(f"{prefix}_random"), elem_id=f"{prefix}-random")
        reset = gr.Button(I18N(f"{prefix}_reset"), elem_id=f"{prefix}-reset")
    return seed, shuffle, reset


def offset_slider(label: Any, elem_id: str, step: float = 0.05) -> gr.Slider:
    """A slider over ``[-MAX_OFFSET, MAX_OFFSET]`` standard deviations, centred, no reset button."""
    return gr.Slider(-MAX_OFFSET, MAX_OFFSET, value=0.0, step=step, label=label, elem_id=elem_id, buttons=[])


def picture_output(
    label: Any,
    elem_id: str,
    size: int | None = None,
    crisp: bool = True,
    visible: bool = True,
    download: bool = True,
    value: Any = None,
    alt: str | None = None,
) -> gr.Image:
    """A read-only PNG picture, with a download button unless the tab offers its own; ``crisp``
    keeps upscaled pixels sharp. Read as an input, it gives the served file's path (its label)."""
    return gr.Image(
        value,
        alt_text=alt if alt is not None else label,  # a picture always has words for a screen reader
        label=label,
        visible=visible,
        format="png",
        type="filepath",
        interactive=False,
        height=size,
        width=size,
        elem_classes=["picture-output", *(["pixelated"] if crisp else [])],
        elem_id=elem_id,
        buttons=["download"] if download else [],
    )


def show_as_built(components: dict[Any, Any], views: dict[str, dict[Any, dict[str, Any]]]) -> None:
    """Give built components (by name) the properties a handler would send them (``views``: for each
    language, the properties of each component by the same name), so the page arrives showing them;
    a label becomes a text translated into each language."""
    for key, component in components.items():
        for name, value in views["en"][key].items():
            if name == "label":
                value = translated({lang: view[key]["label"] for lang, view in views.items()})
            setattr(component, name, value)


# In the browser, before the event's request: the output brought into view when it is not (on a phone
# it is a screen or more below the button that makes it).
BRING_INTO_VIEW = """() => {
    const output = document.getElementById(%s);
    if (!output) return;
    const top = output.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) {
        output.scrollIntoView({ behavior: "smooth", block: "start" });
    }
}"""


def bring_into_view(triggers: list, elem_id: str) -> None:
    """When any of ``triggers`` fires, the component ``elem_id`` scrolls into view where it is out of
    it (in the browser alone: no request, no endpoint)."""
    gr.on(triggers, None, None, None, js=BRING_INTO_VIEW % json.dumps(elem_id), api_visibility="private")
