"""What the Image page sends, named (``ImageState``); the page's models; and what its controls show
for a model (``model_view``: its classes, its directions' names and fits)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from aigc_demo.backend.checkpoint import ModelCard
from aigc_demo.backend.hub import ModelHub
from aigc_demo.ui.i18n import I18N, translate

KINDS = ("image-vae", "image-gan")
DIRECTIONS = 8  # principal-direction sliders
TRAITS = ("ink", "slant", "width")  # named-direction sliders every digit model may have
# The values ``/decode`` takes after the model, digit and seed, by name in the order it takes them.
DECODE_VALUES = (
    *(f"direction_{number}" for number in range(1, DIRECTIONS + 1)),
    *TRAITS,
    "like",
    "strength",
    "truncation",
    "axes",
)


@dataclass(frozen=True)
class ImageState:
    """Where the page's code is: the model, the digit it draws, the seed (or the code of an encoded
    drawing, ``start``), the principal offsets, the named amounts (ink, slant, width and "more like"
    a digit, ``like``, by ``strength``), the truncation, and whether the sliders move along raw
    latent dimensions (``axes``)."""

    model: str | None
    digit: str | None = "0"
    seed: float | None = 0
    start: list[float] | None = None
    offsets: tuple[float, ...] = (0.0,) * DIRECTIONS
    traits: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TRAITS, 0.0))
    like: str | None = None
    strength: float = 0.0
    truncation: float = 1.0
    axes: str = "principal"

    @classmethod
    def from_decode(cls, start: Any, model: Any, digit: Any, seed: Any, *values: Any) -> ImageState:
        """From ``/decode``'s arguments (``DECODE_VALUES`` after the seed; the last two may be left out)."""
        given = dict(zip(DECODE_VALUES, values, strict=False))
        return cls(
            model=model,
            digit=digit,
            seed=seed,
            start=start,
            offsets=tuple(given.get(f"direction_{n}", 0.0) for n in range(1, DIRECTIONS + 1)),
            traits={name: given.get(name, 0.0) for name in TRAITS},
            like=given.get("like"),
            strength=given.get("strength", 0.0),
            truncation=1.0 if given.get("truncation") is None else given["truncation"],
            axes=given.get("axes") or "principal",
        )

    @property
    def named(self) -> dict[str, Any]:
        """The named amounts as the pipelines take them: each trait, and "more like" a digit."""
        liked = {} if self.like in (None, "") else {str(self.like): self.strength}
        return {**self.traits, **liked}

    @property
    def raw(self) -> bool:
        return self.axes == "raw"

    def centred(self, **changes: Any) -> ImageState:
        """Every moving slider at the centre (and ``changes``): the seed's own picture."""
        centre = {"offsets": (0.0,) * DIRECTIONS, "traits": dict.fromkeys(TRAITS, 0.0), "strength": 0.0}
        return dataclasses.replace(self, **(centre | changes))


def principal_label(index: int, info: dict | None, lang: str) -> str:
    """ "Direction 2", or "Direction 2 · more slant (fit 63%)" when it tracks a trait: "less" when
    moving it right lessens the trait (a negative correlation), so the label says which way it goes."""
    if not info or not info.get("trait"):
        return translate("image_direction_n", lang, number=index + 1)
    trait = translate(f"image_trait_{info['trait']}", lang)
    trait = trait[0].lower() + trait[1:] if lang == "en" else trait
    key = "image_direction_more" if info["fit"] >= 0 else "image_direction_less"
    return translate(key, lang, number=index + 1, trait=trait, fit=f"{abs(info['fit']):.0%}")


def labelled_directions(principal: list[dict], named: dict[str, dict]) -> list[dict | None]:
    """Which principal directions are named after a trait: only the one that fits it best, and none
    when the trait has a named slider of its own on the page (``named``): two sliders called "slant"
    on one page, or two "colour" sliders, said the same thing of different motions."""
    best: dict[str, int] = {}
    for i, info in enumerate(principal):
        trait = info.get("trait") if info else None
        if (
            trait
            and trait not in named
            and (trait not in best or abs(info["fit"]) > abs(principal[best[trait]]["fit"]))
        ):
            best[trait] = i
    return [info if info and best.get(info.get("trait")) == i else None for i, info in enumerate(principal)]


def trait_label(name: str, fit: float, lang: str) -> str:
    return translate(
        "image_trait_fit", lang, trait=translate(f"image_trait_{name}", lang), fit=f"{abs(fit):.0%}"
    )


def class_choices(card: ModelCard | None) -> list[tuple[str, str]]:
    """(shown name, value) of each class a conditional model draws: the names its card gives
    (a person's folder names), else the numbers; empty for a model that takes no class."""
    count = card.config.get("classes", 0) if card else 0
    names = card.extras.get("class_names") or [] if card else []
    return [(str(names[i]) if i < len(names) else str(i), str(i)) for i in range(count)]


def model_view(hub: ModelHub, chosen: str | None, digit: str | None, raw: bool, lang: str) -> dict[str, dict]:
    """What the controls show for a model, as the properties to set on each, by the control's name:
    the digit and the second digit, each direction slider (``direction_N``), the named group, its
    trait sliders (``trait_NAME``), "more like" and its strength. A digit the model does not draw
    falls back to "0"."""
    card = hub.entry(chosen).card if chosen else None
    described = card.extras.get("directions", {}) if card else {}
    named = {d["name"]: d for d in described.get("named", [])}
    count = card.config.get("num_directions", 0) if card else 0
    with_slider = {name: d for name, d in named.items() if name in TRAITS}
    principal = labelled_directions(described.get("principal", []), with_slider)
    # "3 · 92%": each class a picture can be made more like, with how well its direction fits.
    classes = [(f"{name} · {abs(d['fit']):.0%}", name) for name, d in named.items() if d["kind"] == "class"]
    # A model that takes no class keeps a hidden "0", which the endpoints then ignore.
    drawn = class_choices(card) or [("0", "0")]
    if digit not in [value for _, value in drawn]:
        digit = "0"
    conditional = len(drawn) > 1  # draws a chosen class: it can go from one digit to another
    between = ["seeds", *(["classes"] if conditional else []), "drawings"]
    view: dict[str, dict] = {
        "digit": {"choices": drawn, "value": digit, "visible": conditional},
        "digit_b": {"choices": drawn, "value": drawn[min(1, len(drawn) - 1)][1], "visible": conditional},
        "between": {
            "choices": [(I18N(f"image_between_{b}"), b) for b in between],
            "value": "seeds",
        },
    }
    for i in range(DIRECTIONS):
        label = (
            translate("image_dimension_n", lang, number=i + 1)
            if raw
            else principal_label(i, principal[i] if i < len(principal) else None, lang)
        )
        view[f"direction_{i + 1}"] = {"label": label, "visible": i < count}
    view["named_group"] = {"visible": bool(named)}
    for name in TRAITS:
        shown = name in named
        view[f"trait_{name}"] = {"label": trait_label(name, named[name]["fit"], lang)} if shown else {}
        view[f"trait_{name}"]["visible"] = shown
    view["like"] = {"choices": classes, "visible": bool(classes)}
    view["strength"] = {"visible": bool(classes)}
    return view
