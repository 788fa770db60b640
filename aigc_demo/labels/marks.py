"""Explicit labels a person sees or hears: a strip under a picture that reads "AI-GENERATED", and a
short two-tone cue before a recording.

Both are drawn here from numbers alone (a 5 x 7 pixel font of the few letters needed, sine tones),
not from a font file or a library's default font, so ``check`` makes the same marked file on any
machine.
"""

from __future__ import annotations

import numpy as np

MARK_TEXT = "AI-GENERATED"
GLYPHS = {  # 5 x 7 pixels per letter, rows top to bottom
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "I": ("11111", "00100", "00100", "00100", "00100", "00100", "11111"),
    "-": ("00000", "00000", "00000", "11111", "00000", "00000", "00000"),
    "G": ("01110", "10001", "10000", "10111", "10001", "10001", "01111"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "N": ("10001", "11001", "10101", "10011", "10001", "10001", "10001"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "D": ("11110", "10001", "10001", "10001", "10001", "10001", "11110"),
}
CUE_TONES_HZ = (880.0, 1320.0)
CUE_TONE_SECONDS = 0.12
CUE_GAP_SECONDS = 0.08
CUE_LEVEL = 0.25


def _text_pixels(text: str, scale: int) -> np.ndarray:
    """The text as a boolean bitmap, one blank column between letters, ``scale`` times larger."""
    columns = []
    for char in text:
        columns.append(np.array([[c == "1" for c in row] for row in GLYPHS[char]]))
        columns.append(np.zeros((7, 1), dtype=bool))
    bitmap = np.concatenate(columns[:-1], axis=1)
    return np.kron(bitmap, np.ones((scale, scale), dtype=bool))


def visible_mark(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` (uint8, grey or RGB) with a strip below that reads "AI-GENERATED" ("AI" when the
    picture is too narrow): light letters on a dark strip, about a tenth of the picture's height (at
    least 9 pixels), never over the picture."""
    height, width = pixels.shape[:2]
    words = MARK_TEXT if width >= 6 * len(MARK_TEXT) + 3 else "AI"  # a narrow picture says "AI"
    scale = max(1, min(height // 84, (width - 4) // (6 * len(words))))
    letters = _text_pixels(words, scale)[:, :width]
    strip = np.full((letters.shape[0] + 2 * scale, width), 40, dtype=np.uint8)
    top, left = scale, (width - letters.shape[1]) // 2
    strip[top : top + letters.shape[0], left : left + letters.shape[1]][letters] = 235
    if pixels.ndim == 3:
        strip = np.repeat(strip[:, :, None], pixels.shape[2], axis=2)
    return np.concatenate([pixels, strip], axis=0)


def audible_cue(sample_rate: int) -> np.ndarray:
    """Two short rising tones and a pause (float32), played before a recording to say that what
    follows is generated; each tone fades in and out over 10 ms so it does not click."""
    parts = []
    for frequency in CUE_TONES_HZ:
        t = np.arange(int(CUE_TONE_SECONDS * sample_rate)) / sample_rate
        fade = np.clip(np.minimum(t, t[::-1]) / 0.01, 0.0, 1.0)
        tone = CUE_LEVEL * fade * np.sin(2 * np.pi * frequency * t)
        parts += [tone, np.zeros(int(CUE_GAP_SECONDS * sample_rate))]
    return np.concatenate(parts).astype(np.float32)
