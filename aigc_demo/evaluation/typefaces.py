"""Judge a glyph model on typefaces it never saw, and on the typefaces it makes up.

- **Held-out reconstruction**: each held-out typeface's style is found from ``SHOWN`` of its glyphs;
  the model then draws its *other* characters, compared with the real ones by the IoU of their ink
  (pixels above half). Beside it, the baseline: the training typeface whose same ``SHOWN`` glyphs
  are nearest, its other glyphs taken as the guess.
- **Readability**: a character classifier trained on real glyphs of the training typefaces reads
  glyphs the model draws in random typefaces; the share read as the character asked for, beside its
  share on the held-out typefaces' real glyphs (the ceiling: some characters, l I 1 or O 0, look
  alike in many real fonts too).
- **Named directions**: the correlation, on held-out typefaces, between position along each
  direction and what the fonts' metadata says (weight, italic, category) or the measured width.
"""

from __future__ import annotations

import numpy as np
import torch

from aigc_demo.data.fonts import CATEGORIES, CHINESE_STYLES, GlyphSet
from aigc_demo.models.glyph_vae import GlyphVAE
from aigc_demo.models.image_classifier import ImageClassifier
from aigc_demo.pipelines.typefaces import TEMPERATURE, made_up_styles

SHOWN = 10
JUDGED = 28  # the classifier reads glyphs at 28 x 28, as it does digits
WIDTH_CHARS = "nohmuHONU"  # letters whose width shows a face's width best
MOST_READ = 200  # glyphs a typeface's style is read from (every Latin one; a sample of a Chinese face)


def as_tensors(glyph_set: GlyphSet) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(glyph_set.glyphs), torch.from_numpy(glyph_set.present)


@torch.no_grad()
def style_codes(model: GlyphVAE, glyph_set: GlyphSet, limit: int | None = MOST_READ) -> torch.Tensor:
    """Each typeface's posterior mean from its first ``limit`` present glyphs (None: all)."""
    glyphs, present = as_tensors(glyph_set)
    count = present.shape[1]
    first = (2 * present.float() - torch.arange(count) / count).argsort(1, descending=True)[:, :limit]
    seen = present.gather(1, first)
    device = next(model.parameters()).device
    codes = []
    for start in range(0, len(glyphs), 8):
        rows = torch.arange(start, min(start + 8, len(glyphs)))
        pictures = glyphs[rows[:, None], first[rows]].float().to(device) / 255
        codes.append(model.encode(pictures, first[rows].to(device), seen[rows].to(device))[0].cpu())
    return torch.cat(codes)


def face_traits(glyph_set: GlyphSet) -> dict[str, torch.Tensor]:
    """What the fonts' metadata says of each typeface (weight, italic, category) and its measured width."""
    categories = np.array(glyph_set.categories)
    traits = {
        "weight": torch.tensor(glyph_set.weights, dtype=torch.float64),
        "italic": torch.tensor(glyph_set.italic, dtype=torch.float64),
        **{
            name: torch.tensor(categories == name, dtype=torch.float64)
            for name in (*CATEGORIES, *CHINESE_STYLES)
        },
    }
    if all(ch in glyph_set.chars for ch in WIDTH_CHARS):
        traits["width"] = torch.tensor(ink_width(glyph_set), dtype=torch.float64)
    return {name: values for name, values in traits.items() if values.std() > 0}


def ink_width(glyph_set: GlyphSet) -> np.ndarray:
    """The mean inked width (pixels) of a typeface's wide letters, relative to its cap height."""
    columns = [glyph_set.chars.index(ch) for ch in WIDTH_CHARS]
    ink = glyph_set.glyphs[:, columns] > 127
    across = ink.any(2).sum(2).astype(float)
    height = ink[:, WIDTH_CHARS.index("H")].any(2).sum(1).clip(1)
    return across.mean(1) / height


def ink_iou(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Per glyph pair, the intersection over union of their ink (values in [0, 1], above half)."""
    a, b = first > 0.5, second > 0.5
    union = (a | b).flatten(1).sum(1).clamp_min(1)
    return (a & b).flatten(1).sum(1) / union


def shown_and_hidden(present: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Per typeface, which characters are shown to find its style: ``SHOWN`` present ones at random."""
    generator = torch.Generator().manual_seed(seed)
    scores = torch.rand(present.shape, generator=generator) + 2 * present.float()
    shown = torch.zeros_like(present)
    shown.scatter_(1, scores.argsort(1, descending=True)[:, :SHOWN], True)
    return shown & present


@torch.inference_mode()
def held_out_reconstruction(model: GlyphVAE, valid: GlyphSet, train: GlyphSet) -> dict[str, float]:
    """Mean ink IoU of the held-out typefaces' unseen glyphs: the model's, and the nearest training
    typeface's."""
    glyphs, present = as_tensors(valid)
    real = glyphs.float() / 255
    shown = shown_and_hidden(present)
    chars = torch.arange(len(valid.chars)).expand(len(glyphs), -1)
    codes = model.encode(real, chars, shown)[0]
    drawn = torch.stack([model.decode(code.expand(len(valid.chars), -1), chars[0]) for code in codes])
    hidden = present & ~shown
    model_iou = ink_iou(drawn[hidden], real[hidden]).mean()
    train_glyphs, train_present = as_tensors(train)
    guesses = []
    for face in range(len(glyphs)):
        seen = shown[face]
        distance = ((train_glyphs[:, seen].float() / 255 - real[face, seen]) ** 2).flatten(1).sum(1)
        distance[~train_present[:, seen].all(1)] = float("inf")
        guesses.append(train_glyphs[distance.argmin()].float() / 255)
    baseline_iou = ink_iou(torch.stack(guesses)[hidden], real[hidden]).mean()
    return {
        "held_out_ink_iou": round(float(model_iou), 4),
        "nearest_family_ink_iou": round(float(baseline_iou), 4),
    }


def judged(glyphs: torch.Tensor) -> torch.Tensor:
    """``(N, 64, 64)`` glyphs in [0, 1] as the classifier reads them, ``(N, 1, 28, 28)``."""
    return torch.nn.functional.interpolate(glyphs[:, None].float(), size=JUDGED, mode="area")


@torch.inference_mode()
def readability(
    model: GlyphVAE,
    classifier: ImageClassifier,
    valid: GlyphSet,
    samples: int = 5000,
    seed: int = 0,
    temperature: float = TEMPERATURE,
) -> dict[str, float]:
    """The share of glyphs in random made-up typefaces read as the character asked for, and the same
    classifier's share on the held-out typefaces' real glyphs."""
    classifier.eval()
    generator = torch.Generator().manual_seed(seed)
    styles = made_up_styles(model, generator, temperature, samples)
    chars = torch.randint(0, len(model.chars), (samples,), generator=generator)
    read = torch.cat(
        [
            classifier(judged(model.decode(styles[i : i + 500], chars[i : i + 500]))).argmax(1)
            for i in range(0, samples, 500)
        ]
    )
    glyphs, present = as_tensors(valid)
    real = glyphs[present].float() / 255
    labels = torch.arange(len(valid.chars)).expand(len(glyphs), -1)[present]
    real_read = torch.cat(
        [classifier(judged(real[i : i + 1000])).argmax(1) for i in range(0, len(real), 1000)]
    )
    return {
        "generated_read_as_asked": round(float((read == chars).float().mean()), 4),
        "real_held_out_read_as_asked": round(float((real_read == labels).float().mean()), 4),
    }


def direction_fits(model: GlyphVAE, directions: list[dict], valid: GlyphSet) -> dict[str, float]:
    """Per named direction, the correlation on held-out typefaces between position along it and its trait."""
    codes = style_codes(model, valid).double()
    traits = face_traits(valid)
    fits = {}
    for direction in directions:
        if direction["name"] in traits:
            vector = torch.tensor(direction["vector"], dtype=torch.float64)
            position = (codes - codes.mean(0)) @ vector
            pair = torch.stack([position, traits[direction["name"]]])
            fits[direction["name"]] = round(float(torch.corrcoef(pair)[0, 1]), 3)
    return fits
