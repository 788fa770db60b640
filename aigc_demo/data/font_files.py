"""A visitor's font files: checked from their headers before anything is drawn, then drawn as a
glyph set the way the ``fonts`` dataset draws its families."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from aigc_demo.data.fonts import LATIN, GlyphSet, draw_face

FONT_SUFFIXES = (".ttf", ".otf", ".woff2", ".woff")
MAX_TABLES = 200
MAX_GLYPHS_DRAWN = 16_000  # glyphs one upload's fonts may be drawn into: ~5 s (4 Chinese fonts, 195 Latin)
MAX_SFNT_BYTES = 40_000_000  # a woff2 file's declared size once unpacked (the largest CJK fonts ~20 MB)


def check_font_bytes(data: bytes, max_bytes: int) -> None:
    """Refuse what is not a TrueType, OpenType, WOFF or WOFF2 font of a sane size, from its header
    alone: the kind, the table count, and for WOFF/WOFF2 the size it declares once unpacked."""
    if len(data) > max_bytes:
        raise ValueError(
            f"the font is {len(data) / 1e6:.1f} MB; this server reads fonts up to {max_bytes / 1e6:.0f} MB"
        )
    kind = data[:4]
    if kind in (b"\x00\x01\x00\x00", b"OTTO", b"true") and len(data) >= 12:
        tables = int.from_bytes(data[4:6], "big")
        unpacked = len(data)
    elif kind in (b"wOF2", b"wOFF") and len(data) >= 20:
        tables = int.from_bytes(data[12:14], "big")
        unpacked = int.from_bytes(data[16:20], "big")
    else:
        raise ValueError("this is not a font file this app reads: give a .ttf, .otf, .woff or .woff2 file")
    if not 0 < tables <= MAX_TABLES or unpacked > MAX_SFNT_BYTES:
        raise ValueError("this font file's header describes more than a font holds; it was not read")


def read_font_files(paths: list[Path], limits, chars: str = LATIN) -> GlyphSet:
    """Typefaces from font files a person gave (one zip or folder of them, or the files), each
    checked from its header before it is drawn; a file that is not a usable font is said by name."""
    from aigc_demo.data.archive import read_files, read_members

    if len(paths) == 1 and paths[0].suffix.lower() not in FONT_SUFFIXES:
        named = list(read_members(paths[0], FONT_SUFFIXES, limits))
    else:
        named = read_files(paths, limits, "fonts")
    if not named:
        raise ValueError("give font files to learn from: a zip of .ttf, .otf, .woff or .woff2 files")
    if len(named) * len(chars) > MAX_GLYPHS_DRAWN:  # counted before any is drawn (~3,000 glyphs a second)
        most = max(1, MAX_GLYPHS_DRAWN // len(chars))
        raise ValueError(
            f"this model draws {len(chars):,} characters: give at most {most} fonts at a time "
            f"(these are {len(named)})"
        )
    rows = []
    for name, data in named:
        try:
            check_font_bytes(data, limits.max_bytes)
            glyphs, present = draw_face(data, chars)
        except (OSError, ValueError) as err:
            raise ValueError(f"{Path(name).name} could not be read as a font ({err})") from None
        if present.mean() < 0.5:
            raise ValueError(f"{Path(name).name} draws too few of the model's characters to learn from")
        rows.append((Path(name).stem, glyphs, present, *weight_and_italic(data)))
    return GlyphSet(
        np.stack([row[1] for row in rows]),
        np.stack([row[2] for row in rows]),
        chars,
        [row[0] for row in rows],
        np.array([row[3] for row in rows]),
        np.array([row[4] for row in rows]),
        [""] * len(rows),
    )


WEIGHT_WORDS = (  # longest first: "extrabold" before "bold"
    ("extralight", 200),
    ("ultralight", 200),
    ("semibold", 600),
    ("demibold", 600),
    ("extrabold", 800),
    ("ultrabold", 800),
    ("thin", 100),
    ("light", 300),
    ("medium", 500),
    ("bold", 700),
    ("black", 900),
    ("heavy", 900),
)


def weight_and_italic(data: bytes) -> tuple[int, bool]:
    """A font's weight (100-900) and slant as its style name says them ("Bold Italic": 700, True)."""
    from PIL import ImageFont

    style = ImageFont.truetype(io.BytesIO(data), 12).getname()[1] or ""
    words = style.lower().replace(" ", "").replace("-", "")
    weight = next((value for word, value in WEIGHT_WORDS if word in words), 400)
    return weight, "italic" in words or "oblique" in words
