"""What the Type page computes: ``TypeState`` (the page's values by name) and ``TypeHandlers`` over the
hub, so a test calls them without a server; ``type_line`` is a public API endpoint."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines import receipts, typefaces
from aigc_demo.pipelines.latents import MAX_OFFSET
from aigc_demo.ui import links
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, load_model, shows_errors
from aigc_demo.ui.i18n import translate
from aigc_demo.ui.visitor import model_names

KIND = "glyph-vae"
DIRECTIONS = ("weight", "italic", "serif", "sans-serif", "handwriting", "display", "monospace", "width")
DISCOVERED = tuple(f"discovered-{i + 1}" for i in range(typefaces.DISCOVERED))
CHINESE_DIRECTIONS = ("kai", "song", "hei", "hand")  # 楷 宋 黑 手写: the Chinese model's own
IN_API_ORDER = (*DIRECTIONS, *DISCOVERED, *CHINESE_DIRECTIONS)  # the sliders as the API takes them
SLIDERS = len(IN_API_ORDER)
FIRST_TEXT = "Handgloves"
FIRST_CHINESE = "永和九年"  # what a Chinese page opens on, where a model draws it
FIRST_CHINESE_FAMILY = "arphic-uming"  # in a classic printed face (made-up brush styles are still blurs)
GRID = 8
FRAMES = 12


@dataclass(frozen=True)
class TypeState:
    """What the page's controls say: the model, the line, the made-up typeface's seed, the real family
    started from (or none), the named directions' amounts, and a brought font's style (JSON, or "")."""

    model: str | None
    text: str = FIRST_TEXT
    seed: float | None = 0
    family: str | None = ""
    amounts: tuple[float, ...] = (0.0,) * SLIDERS
    font_style: str = ""

    def named(self) -> dict[str, float]:
        pairs = zip(IN_API_ORDER, self.amounts, strict=False)
        return {name: float(a) for name, a in pairs if a and name not in DISCOVERED}

    def discovered(self) -> list[float]:
        pairs = zip(IN_API_ORDER, self.amounts, strict=False)
        return [float(a) for name, a in pairs if name in DISCOVERED]

    def start(self) -> list[float] | None:
        try:
            return json.loads(self.font_style) if self.font_style else None
        except ValueError:
            raise ValueError("bring the font again: its style was not understood") from None


def slider_label(name: str, fit: float | None, lang: str) -> str:
    if fit is None:
        return translate("type_slider", lang)
    return translate(
        "type_labelled",
        lang,
        name=translate(f"type_dir_{name}", lang),
        low=translate(f"type_dir_{name}_low", lang),
        high=translate(f"type_dir_{name}_high", lang),
        fit=f"{abs(fit):.0%}",
    )


class TypeHandlers:
    """What the Type page computes, over one hub. ``type_line`` is a public API endpoint."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def type_line(self, model_name: str, text: str, seed: float, family: str, *amounts: float):
        """Write a line (up to 40 characters) in a typeface: a made-up one from a seed, or a real
        family's (its id, e.g. "lobster"), moved along the named directions (in the order weight,
        italic, serif, sans-serif, handwriting, display, monospace, width) and the four discovered
        ones (-3 to 3 each)."""
        return self.written(TypeState(model_name, text, seed, family, tuple(amounts)))

    @shows_errors
    def written(self, state: TypeState) -> Any:
        loaded = load_model(self.hub, state.model, (KIND,), "typeface")
        made = receipts.make(
            loaded,
            "line",
            text=state.text,
            seed=state.seed,
            family=state.family or "",
            named=state.named(),
            discovered=state.discovered(),
            start=None if state.family else state.start(),
            temperature=typefaces.TEMPERATURE,
        )
        return labelled(made)

    @shows_errors
    def grid(self, model_name: str, text: str, seed: float) -> Any:
        """One word in eight made-up typefaces (the seed's first)."""
        loaded = load_model(self.hub, model_name, (KIND,), "typeface")
        made = receipts.make(
            loaded, "type-grid", text=text, seed=seed, count=GRID, temperature=typefaces.TEMPERATURE
        )
        return labelled(made)

    @shows_errors
    def animation(self, model_name: str, text: str, family_a: str, family_b: str) -> str:
        """The word moving from one real family to another, as a GIF."""
        loaded = load_model(self.hub, model_name, (KIND,), "typeface")
        made = receipts.make(
            loaded, "type-animation", text=text, family_a=family_a, family_b=family_b, frames=FRAMES
        )
        return str(receipts.save(made, output_path("typeface-animation.gif")))

    @shows_errors
    def font(self, model_name: str, path: str | None) -> tuple[str, int]:
        """A font file's style (JSON) and how many characters it was found from."""
        if not path:
            raise ValueError("choose a font file first")
        if os.path.getsize(path) > typefaces.MAX_FONT_BYTES:
            raise ValueError(f"a font file may be up to {typefaces.MAX_FONT_BYTES // 1_000_000} MB")
        loaded = load_model(self.hub, model_name, (KIND,), "typeface")
        with open(path, "rb") as handle:
            style, count = typefaces.font_style(loaded.module, handle.read())
        return json.dumps(style), count

    def draws(self, name: str, text: str) -> bool:
        chars = self.hub.entry(name).card.config.get("chars", "")
        return all(ch.isspace() or ch in chars for ch in text)

    def model_for(self, text: str, current: str | None, names: list[str]) -> str | None:
        """The model to write ``text`` with: the chosen one when it draws every character, else the
        first of ``names`` that does (the page picks the model by the script typed)."""
        if not text or (current in names and self.draws(current, text)):
            return current
        return next((name for name in names if self.draws(name, text)), current)

    def ordered(self, names: list[str]) -> list[str]:
        """``names`` with the models that draw the page's first word first (the page opens on one)."""
        return sorted(names, key=lambda name: not self.draws(name, FIRST_TEXT))

    def first_picture(self) -> Any:
        names = self.ordered(model_names(self.hub, None, KIND))
        try:
            return self.written(TypeState(names[0])) if names else None
        except gr.Error:
            return None

    def view(self, chosen: str | None, lang: str) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        """Each slider's label and whether it shows; the families one may start from."""
        card = self.hub.entry(chosen).card if chosen else None
        found = {d["name"]: d for d in card.extras.get("directions", [])} if card else {}
        rows = card.extras.get("families", []) if card else []
        sliders = []
        for name in IN_API_ORDER:
            if name in DISCOVERED:
                number = DISCOVERED.index(name) + 1
                label = translate("type_discovered", lang, number=number)
                sliders.append({"label": label, "visible": len(rows) > typefaces.DISCOVERED})
                continue
            fit = found.get(name, {}).get("held_out_fit", found.get(name, {}).get("fit"))
            sliders.append({"label": slider_label(name, fit, lang), "visible": name in found})
        return sliders, [(translate("type_made_up", lang), "")] + [(row[1], row[0]) for row in rows]

    def link(self, state: TypeState) -> str:
        return links.query(
            "type",
            {
                "model": state.model,
                "text": state.text,
                "seed": links.number(state.seed),
                "family": state.family or None,
                "style": links.numbers(state.amounts),
            },
        )

    def opened(self, search: object, current: TypeState) -> TypeState | None:
        link = links.LinkReader(search, "type")
        if not link.opened:
            return None
        text = link.text("text", current.text)
        model = link.text("model", current.model, self.hub.names(KIND))
        rows = self.hub.entry(model).card.extras.get("families", []) if model in self.hub.names(KIND) else []
        families = ["", *(row[0] for row in rows)]
        return TypeState(
            model=model,
            text=text if len(text) <= typefaces.MAX_TEXT else current.text,
            seed=link.whole("seed", current.seed, 0, MAX_SEED),
            family=link.text("family", current.family, families),
            amounts=tuple(link.numbers("style", current.amounts, -MAX_OFFSET, MAX_OFFSET)),
        )
