"""Lines of text in a typeface from a glyph model: a style code (a seed's, a real family's or a font
file's, moved along named directions) → every character of the line drawn in one batch → set as a
line with proportional spacing, dark ink on light paper."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from aigc_demo.backend.hub import LoadedModel
from aigc_demo.backend.seeding import check_seed, cpu_generator
from aigc_demo.pipelines.image import looping_gif
from aigc_demo.pipelines.latents import check_offsets, check_temperature

MAX_TEXT = 40  # characters of a line
MAX_GRID = 16  # typefaces in a grid
MAX_FRAMES = 24
GAP = 3  # pixels between letters
EM_WIDTH = 50  # pixels a full-width (Chinese) character takes: the glyphs' em, 46, and a little air
SPACE = 14  # pixels of a space
MARGIN = 8
MAX_FONT_BYTES = 20_000_000
TEMPERATURE = 0.8  # how far a seed's made-up typeface strays from the middle one (page, CLI, judge)
DISCOVERED = 4  # sliders along the directions in which the learned families differ most
FONT_CHARS_READ = 200  # a brought font's style is read from these first characters of the model's set
FEW_FAMILIES = 100  # a model that learned fewer draws its made-up typefaces from their spread


def check_text(model: torch.nn.Module, text: str) -> str:
    """The line, checked: not empty, not too long, every character one the model draws (or a space);
    a ``ValueError`` names the characters it cannot."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("type a word or a line to draw")
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        raise ValueError(f"a line is at most {MAX_TEXT} characters; this one has {len(text)}")
    unknown = sorted({ch for ch in text if ch != " " and ch not in model.index})
    if unknown:
        shown = " ".join(unknown[:10])
        raise ValueError(f"this typeface model cannot draw {shown}: it knows {describe_set(model.chars)}")
    return text


def describe_set(chars: str) -> str:
    if len(chars) > 200:
        return f"{len(chars):,} characters"
    return "A-Z a-z 0-9 " + " ".join(ch for ch in chars if not ch.isalnum())


def family_names(loaded: LoadedModel) -> list[str]:
    """The families the model learned from, whose styles can be started from, by their ids."""
    return [row[0] for row in loaded.entry.card.extras.get("families", [])]


def named_vectors(loaded: LoadedModel) -> dict[str, list[float]]:
    return {d["name"]: d["vector"] for d in loaded.entry.card.extras.get("directions", [])}


def discovered_axes(model: torch.nn.Module) -> torch.Tensor:
    """The ``DISCOVERED`` directions in which the families the model learned differ most (the
    principal axes of their style codes), each one standard deviation long, signed so that its
    largest component is positive (the same on every machine); zeros for a model of few families."""
    codes = model.family_codes.detach().cpu().double()
    axes = torch.zeros(DISCOVERED, model.style_dim, dtype=torch.float64)
    if len(codes) > DISCOVERED:
        centred = codes - codes.mean(0)
        _, singular, found = torch.linalg.svd(centred, full_matrices=False)
        found = found[:DISCOVERED] * (singular[:DISCOVERED] / (len(codes) - 1) ** 0.5)[:, None]
        signs = torch.sign(found.gather(1, found.abs().argmax(1, keepdim=True)))
        axes[: len(found)] = found * signs
    return axes.float()


def style_code(
    loaded: LoadedModel,
    seed: int = 0,
    family: str = "",
    named: Mapping[str, float] | None = None,
    start: Sequence[float] | None = None,
    temperature: float = TEMPERATURE,
    discovered: Sequence[float] = (),
) -> torch.Tensor:
    """A style code: a real family's (``family``), a given one (``start``, e.g. a font's) or a
    seed's drawn at ``temperature``; then moved by ``named`` amounts and along the ``discovered``
    directions (one unit is one standard deviation of the typefaces' codes along the direction)."""
    model = loaded.module
    if family:
        names = family_names(loaded)
        if family not in names:
            raise ValueError(f"this model has not learned a family called {family!r}")
        base = model.family_codes[names.index(family)].cpu().clone()
    elif start is not None:
        base = check_style(model, start)
    else:
        base = made_up_styles(model, cpu_generator(check_seed(seed)), check_temperature(temperature), 1)[0]
    vectors = named_vectors(loaded)
    for name, amount in (named or {}).items():
        value = check_offsets([amount], 1)[0]
        if value and name not in vectors:
            raise ValueError(f"this model has no direction named {name!r}")
        if value:
            base = base + value * torch.tensor(vectors[name])
    amounts = torch.tensor(check_offsets(discovered, DISCOVERED))
    return base + amounts @ discovered_axes(model)


def made_up_styles(
    model: torch.nn.Module, generator: torch.Generator, temperature: float, count: int
) -> torch.Tensor:
    """``count`` typefaces that do not exist ``(count, style_dim)``: codes drawn from the prior
    N(0, I) (scaled by ``temperature``), or, for a model of few families (the Chinese one learned
    18), from a normal distribution with their codes' mean and covariance: with few typefaces to
    learn from, their codes settle far from the prior, and a code drawn from it is a blur."""
    codes = model.family_codes.detach().cpu()
    if not 2 < len(codes) < FEW_FAMILIES:
        return torch.randn(count, model.style_dim, generator=generator) * temperature
    weights = torch.randn(count, len(codes), generator=generator)
    centred = codes - codes.mean(0)
    return codes.mean(0) + temperature * (weights @ centred) / (len(codes) - 1) ** 0.5


def check_style(model: torch.nn.Module, code: Sequence[float]) -> torch.Tensor:
    try:
        values = torch.tensor([float(v) for v in code])
    except (TypeError, ValueError):
        raise ValueError("a style code must be a list of numbers") from None
    if values.shape != (model.style_dim,) or not torch.isfinite(values).all() or values.abs().max() > 20:
        raise ValueError(f"a style code must be {model.style_dim} finite numbers of modest size")
    return values


@torch.inference_mode()
def glyphs(model: torch.nn.Module, codes: torch.Tensor, text: str) -> torch.Tensor:
    """Every non-space character of ``text`` in each of ``codes`` ``(S, style_dim)``: ``(S, N, 64, 64)``."""
    letters = [ch for ch in text if ch != " "]
    device = model.family_codes.device  # where the model is served
    ids = model.char_ids("".join(letters)).repeat(len(codes)).to(device)
    drawn = model.decode(codes.repeat_interleave(len(letters), 0).float().to(device), ids)
    return drawn.view(len(codes), len(letters), *drawn.shape[-2:])


def set_line(drawn: torch.Tensor, text: str) -> np.ndarray:
    """Glyphs ``(N, 64, 64)`` (ink in [0, 1]) of ``text``'s letters, set side by side: Latin ones at
    their inked width, Chinese ones (and other full-width characters) each in a square of one em, as
    Chinese is set; dark ink on light paper, uint8 ``(64 + 2 margins, W)``."""
    ink = drawn.clamp(0, 1).cpu().numpy()
    pieces, letters = [], iter(ink)
    for ch in text:
        if ch == " ":
            pieces.append(np.zeros((ink.shape[1], SPACE)))
            continue
        glyph = next(letters)
        columns = np.flatnonzero(glyph.max(0) > 0.25)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            left = (glyph.shape[1] - EM_WIDTH) // 2
            pieces.append(glyph[:, left : left + EM_WIDTH])
            continue
        left, right = (columns[0], columns[-1] + 1) if len(columns) else (24, 40)
        pieces.append(glyph[:, left:right])
        pieces.append(np.zeros((ink.shape[1], GAP)))
    line = np.pad(np.concatenate(pieces, 1), MARGIN)
    return (255 - line * 255).round().astype(np.uint8)


def line_picture(model: torch.nn.Module, code: torch.Tensor, text: str) -> np.ndarray:
    return set_line(glyphs(model, code[None], text)[0], text)


def same_width(lines: list[np.ndarray]) -> list[np.ndarray]:
    """Lines padded on the right with paper to the widest one's width."""
    width = max(line.shape[1] for line in lines)
    return [np.pad(line, ((0, 0), (0, width - line.shape[1])), constant_values=255) for line in lines]


def stacked(lines: list[np.ndarray]) -> np.ndarray:
    """Lines one under another, left-aligned on light paper."""
    return np.concatenate(same_width(lines))


def grid_codes(loaded: LoadedModel, seed: int, count: int, temperature: float = TEMPERATURE) -> torch.Tensor:
    """``count`` typefaces drawn from a seed (the first is the seed's own, as the page draws it)."""
    if not 1 <= int(count) <= MAX_GRID:
        raise ValueError(f"a grid holds 1 to {MAX_GRID} typefaces")
    generator = cpu_generator(check_seed(seed))
    return made_up_styles(loaded.module, generator, check_temperature(temperature), int(count))


def between(start: torch.Tensor, end: torch.Tensor, frames: int) -> torch.Tensor:
    """``frames`` codes from ``start`` to ``end`` along the straight line."""
    if not 2 <= int(frames) <= MAX_FRAMES:
        raise ValueError(f"an animation has 2 to {MAX_FRAMES} frames")
    weights = torch.linspace(0, 1, int(frames))[:, None]
    return start[None] * (1 - weights) + end[None] * weights


def animation_gif(lines: list[np.ndarray], frame_ms: int = 120) -> bytes:
    """Lines (same text) as frames of a GIF that plays forward then back, looping."""
    return looping_gif(same_width(lines), frame_ms)


@torch.inference_mode()
def font_style(model: torch.nn.Module, font: bytes) -> tuple[list[float], int]:
    """A font file's style code (the encoder's mean over the characters of the model's set the font
    draws, of its first ``FONT_CHARS_READ``) and how many characters that was. The file is checked
    before it is rendered."""
    from aigc_demo.data.font_files import check_font_bytes
    from aigc_demo.data.fonts import draw_face

    check_font_bytes(font, MAX_FONT_BYTES)
    read = model.chars[:FONT_CHARS_READ]
    drawn, present = draw_face(font, read)
    if present.sum() < min(10, len(read)):
        raise ValueError("this font draws too few of the model's characters to find its style")
    device = model.family_codes.device
    pictures = torch.from_numpy(drawn).float()[None].to(device) / 255
    ids = torch.arange(len(read), device=device)[None]
    mean, _ = model.encode(pictures, ids, torch.from_numpy(present)[None].to(device))
    return [round(v, 4) for v in mean[0].tolist()], int(present.sum())
