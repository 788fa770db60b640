"""The Image tab's models, the values of its sliders named (shared by its handlers and links), and
what its controls show for a model (its classes, its directions' names and fits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.checkpoint import ModelCard
from aigc_demo.backend.hub import ModelHub
from aigc_demo.ui.i18n import text
from aigc_demo.ui.image_panels import SLIDERS, TRAITS

KINDS = ("image-vae", "image-gan")


@dataclass(frozen=True)
class Steering:
    """Where the sliders point: principal offsets, named amounts (ink, slant, width and "more like"
    a class), the truncation, and whether the sliders move along raw latent dimensions."""

    offsets: tuple
    named: dict[str, Any]
    truncation: float = 1.0
    raw: bool = False

    @classmethod
    def of(cls, values: tuple) -> Steering:
        """From the sliders' values in the order the page sends them: the principal sliders, the
        traits, "more like" and its strength, then (optionally) the truncation and the axes."""
        named = dict(zip(TRAITS, values[SLIDERS : SLIDERS + len(TRAITS)], strict=True))
        like_class, like_strength, *rest = values[SLIDERS + len(TRAITS) :]
        if like_class not in (None, ""):
            named[str(like_class)] = like_strength
        psi = rest[0] if rest and rest[0] is not None else 1.0
        return cls(tuple(values[:SLIDERS]), named, psi, len(rest) > 1 and rest[1] == "raw")


def image_models(hub: ModelHub) -> list[str]:
    return hub.names(*KINDS)


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


def model_view(
    hub: ModelHub, chosen: str | None, class_label: str | None, raw: bool, lang: str
) -> list[dict]:
    """What the controls show for a model, as the properties to set on each of the class,
    the second class, the direction sliders, the named group, its trait sliders, "more like"
    and its strength (``VIEW_KINDS``). A class the model does not draw falls back to "0"."""
    card = hub.entry(chosen).card if chosen else None
    described = card.extras.get("directions", {}) if card else {}
    named = {d["name"]: d for d in described.get("named", [])}
    principal, count = described.get("principal", []), card.config.get("num_directions", 0) if card else 0
    classes = [(f"{name} · r = {d['fit']:.2f}", name) for name, d in named.items() if d["kind"] == "class"]
    # A model that takes no class keeps a hidden "0", which the endpoints then ignore.
    drawn = class_choices(card) or [("0", "0")]
    if class_label not in [value for _, value in drawn]:
        class_label = "0"
    directions = [
        {
            "label": text("image_dimension_n", lang, number=i + 1)
            if raw
            else principal_label(i, principal[i] if i < len(principal) else None, lang),
            "visible": i < count,
        }
        for i in range(SLIDERS)
    ]
    traits = [
        {"label": trait_label(name, named[name]["fit"], lang), "visible": True}
        if name in named
        else {"visible": False}
        for name in TRAITS
    ]
    return [
        {"choices": drawn, "value": class_label, "visible": len(drawn) > 1},
        {"choices": drawn, "value": drawn[min(1, len(drawn) - 1)][1]},
        *directions,
        {"visible": bool(named)},
        *traits,
        {"choices": classes, "visible": bool(classes)},
        {"visible": bool(classes)},
    ]


# The kinds of the components ``model_view`` describes, in its order.
VIEW_KINDS = (
    gr.Dropdown,
    gr.Dropdown,
    *(gr.Slider,) * SLIDERS,
    gr.Accordion,
    *(gr.Slider,) * len(TRAITS),
    gr.Dropdown,
    gr.Slider,
)
