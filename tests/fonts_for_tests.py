"""Small real fonts the tests make themselves: TrueType files whose every glyph is a pattern of
blocks, one pattern per character, stroke width by weight, optionally slanted."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from aigc_demo.data.fonts import LATIN

UNITS = 1000


def _blocks(ch: str) -> list[tuple[int, int]]:
    """Which cells of a 3 x 4 grid the character's glyph inks: a pattern of its own."""
    bits = int.from_bytes(hashlib.sha256(ch.encode()).digest()[:2], "big") | 1
    return [(i % 3, i // 3) for i in range(12) if bits >> i & 1]


def _glyph(ch: str, weight: int, slant: float):
    pen = TTGlyphPen(None)
    inset = max(10, 80 - weight // 10)
    for column, row in _blocks(ch):
        left, bottom = 60 + column * 160, row * 170
        right, top = left + 160 - inset, bottom + 170 - inset
        corners = [
            (round(x + slant * y), y) for x, y in ((left, bottom), (left, top), (right, top), (right, bottom))
        ]
        pen.moveTo(corners[0])
        for corner in corners[1:]:
            pen.lineTo(corner)
        pen.closePath()
    return pen.glyph()


def font_bytes(family: str = "Blocks", weight: int = 400, slant: float = 0.0, chars: str = LATIN) -> bytes:
    names = [".notdef"] + [f"uni{ord(ch):04X}" for ch in chars]
    builder = FontBuilder(UNITS, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in chars})
    empty = TTGlyphPen(None)
    empty.moveTo((50, 0))
    empty.lineTo((550, 0))
    empty.lineTo((550, 700))
    empty.closePath()
    builder.setupGlyf(
        {".notdef": empty.glyph(), **{f"uni{ord(ch):04X}": _glyph(ch, weight, slant) for ch in chars}}
    )
    builder.setupHorizontalMetrics({name: (600, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    style = {100: "Thin", 400: "Regular", 700: "Bold", 900: "Black"}.get(weight, f"W{weight}")
    builder.setupNameTable({"familyName": family, "styleName": style + (" Italic" if slant else "")})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


def write_fonts(folder: Path, count: int = 6) -> list[Path]:
    """``count`` fonts of different weights and slants in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"blocks-{i}.ttf"
        path.write_bytes(font_bytes(f"Blocks {i}", (100, 400, 700, 900)[i % 4], 0.2 * (i // 4 % 2)))
        paths.append(path)
    return paths


def make_glyph_model(folder: Path, epochs: int = 2, chars: str | None = None):
    """A small glyph VAE really trained (for seconds) on block fonts, and its card as the recipe
    writes it: named directions (weight, italic, width) and the families it learned."""
    from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
    from aigc_demo.data.archive import Limits
    from aigc_demo.data.font_files import read_font_files
    from aigc_demo.recipes.typefaces import family_rows
    from aigc_demo.training.glyphs import GlyphTrainingConfig, train_glyph_vae

    if chars:  # a model of many characters, as the Chinese one: it re-draws a kept reference glyph
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, weight in enumerate((100, 400, 700, 900, 400, 700)):
            paths.append(folder / f"hanzi-{i}.ttf")
            paths[-1].write_bytes(font_bytes(f"Hanzi {i}", weight, 0.2 * (i >= 4), chars=chars))
    else:
        paths = [folder / "fonts"] if (folder / "fonts").is_dir() else write_fonts(folder / "fonts", 8)
    fonts = read_font_files(paths, Limits(100, 10**8), chars or LATIN)
    train, valid = fonts.held_out()
    reference = fonts.families[1] if chars else ""
    config = GlyphTrainingConfig(
        epochs=epochs, batch_size=4, style_dim=8, channels=8, reference_family=reference
    )
    model, metrics, directions = train_glyph_vae(train, valid, config, log=lambda _: None)
    extras = {"directions": directions, "families": family_rows(sorted(set(train.families)))}
    card = ModelCard(
        kind="glyph-vae",
        config=dict(model.config),
        dataset=DatasetInfo(name="block fonts"),
        metrics=metrics,
        description="Block typefaces made for a test.",
        extras=extras,
    )
    return model, card
