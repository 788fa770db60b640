"""Train the glyph VAE on typefaces: each step finds a few typefaces' style codes from some of their
glyphs and draws others of their characters from those codes.

Per typeface a step shows between 1 and ``seen`` glyphs to the encoder and asks the decoder for
``targets`` *other* characters, so the code has to carry the style, not the glyphs it was shown;
this is also how a visitor's font is read (a few of its glyphs) and how held-out families are
measured (their style found from 10 characters, the rest drawn).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aigc_demo.data.fonts import GlyphSet
from aigc_demo.evaluation.typefaces import as_tensors, face_traits, style_codes
from aigc_demo.models.glyph_vae import GlyphVAE
from aigc_demo.training.common import BestWeights, Monitor, trainable_copy
from aigc_demo.training.image_directions import named_directions
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]


@dataclass
class GlyphTrainingConfig:
    epochs: int = 60  # passes over the training typefaces
    batch_size: int = 32  # typefaces per step
    minutes: float | None = None  # a time budget; the run ends at whichever comes first
    seen: int = 6  # the most glyphs the encoder sees per typeface
    targets: int = 8  # characters drawn per typeface
    learning_rate: float = 1e-3
    max_grad_norm: float = 20_000.0  # a typical step's is ~16,000 at the start; a rare one 10x that
    beta: float = 1.0
    style_dim: int = 32
    channels: int = 32
    reference_family: str = ""  # a family whose glyphs the model keeps and re-draws (for many characters)
    by_family: bool = False  # draw each family as often (a family of nine weights as often as one of one)
    seed: int = 0


def pick(present: torch.Tensor, count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Per typeface (row of ``present``), ``count`` of its characters in random order, present first,
    and whether each is present."""
    scores = torch.rand(present.shape, generator=generator) + present.float()
    order = scores.argsort(1, descending=True)[:, :count]
    return order, present.gather(1, order)


def batch(
    glyphs: torch.Tensor,
    present: torch.Tensor,
    faces: torch.Tensor,
    config: GlyphTrainingConfig,
    generator: torch.Generator,
) -> tuple[torch.Tensor, ...]:
    """(seen glyphs, their characters, which are seen, target glyphs, their characters) for ``faces``."""
    chars, usable = pick(present[faces], config.seen + config.targets, generator)
    seen_chars, target_chars = chars[:, : config.seen], chars[:, config.seen :]
    shown = torch.randint(1, config.seen + 1, (len(faces), 1), generator=generator)
    seen = (torch.arange(config.seen) < shown) & usable[:, : config.seen]
    rows = faces[:, None]
    as_float = lambda picked: glyphs[rows, picked].float() / 255  # noqa: E731
    return as_float(seen_chars), seen_chars, seen, as_float(target_chars), target_chars


def train_glyph_vae(
    train: GlyphSet,
    valid: GlyphSet,
    config: GlyphTrainingConfig,
    log: Log = print,
    monitor: Monitor | None = None,
    start_from: GlyphVAE | None = None,
    placement: Placement | None = None,
    on_improved: Callable[[torch.nn.Module, dict[str, float]], None] | None = None,
) -> tuple[GlyphVAE, dict[str, float], list[dict]]:
    """Train; return the model (on the CPU, its best state by validation loss), its figures and its
    named directions measured on the training typefaces' codes."""
    monitor, placement = monitor or Monitor(), placement or Placement.choose()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    if start_from is not None and start_from.chars != train.chars:
        raise ValueError("the starting model draws other characters than these fonts are drawn with")
    model = trainable_copy(start_from) if start_from is not None else new_model(train, config)
    model.to(placement.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-5)
    steps = config.epochs * -(-len(train.glyphs) // config.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config.learning_rate, total_steps=steps)
    glyphs, present = as_tensors(train)
    chance = face_chances(train.families) if config.by_family else torch.ones(len(glyphs))
    monitor.started(model, steps)
    started, best, deadline = time.monotonic(), BestWeights(), _deadline(config.minutes)
    for step in range(1, steps + 1):
        model.train()
        faces = torch.multinomial(chance, config.batch_size, replacement=True, generator=generator)
        tensors = [t.to(placement.device) for t in batch(glyphs, present, faces, config, generator)]
        with placement.autocast():
            loss, reconstruction, kl = model.loss(*tensors, beta=config.beta)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
        optimizer.step()
        schedule.step()
        monitor.step(
            step, steps, {"train": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}
        )
        finished = step == steps or time.monotonic() > deadline or monitor.stop_requested()
        if step % 250 == 0 or finished:
            measured = validation_loss(model.eval(), valid, config.seed)
            if on_improved is not None and measured < best.loss:
                on_improved(
                    model,
                    {"valid_loss_nats": round(measured, 2), "epoch": step * config.batch_size // len(glyphs)},
                )
            best.offer(model, measured)
            monitor.evaluated(step, {"valid_loss": measured}, model)
            log(
                f"step {step}  train {loss.item():.1f}  valid {measured:.1f}  "
                f"({time.monotonic() - started:.0f} s)"
            )
        if finished:
            break
    model = best.restore(model).cpu().eval()
    codes = style_codes(model, train)
    directions = named_directions(codes, face_traits(train), None)
    model.keep_families(regular_faces(train, codes)[1])
    metrics = {
        "valid_loss_nats": round(validation_loss(model, valid, config.seed), 2),
        "train_seconds": round(time.monotonic() - started, 1),
    }
    return model, metrics, directions


def face_chances(families: list[str]) -> torch.Tensor:
    """One in the number of its family's faces for each face: every family drawn as often."""
    counts = {family: families.count(family) for family in set(families)}
    return torch.tensor([1 / counts[family] for family in families])


def new_model(train: GlyphSet, config: GlyphTrainingConfig) -> GlyphVAE:
    model = GlyphVAE(train.chars, config.style_dim, config.channels, reference=bool(config.reference_family))
    if config.reference_family:
        model.keep_references(torch.from_numpy(reference_glyphs(train, config.reference_family)) / 255)
    return model


def reference_glyphs(glyph_set: GlyphSet, family: str) -> np.ndarray:
    """Each character as ``family``'s regular face draws it, or, where it has none, as the first
    other face (regular weights first) that has one."""
    order = np.array(
        sorted(
            range(len(glyph_set.glyphs)),
            key=lambda row: (
                glyph_set.families[row] != family,
                abs(int(glyph_set.weights[row]) - 400),
                bool(glyph_set.italic[row]),
            ),
        )
    )
    first = glyph_set.present[order].argmax(0)
    return glyph_set.glyphs[order[first], np.arange(len(glyph_set.chars))]


def _deadline(minutes: float | None) -> float:
    return time.monotonic() + minutes * 60 if minutes else float("inf")


@torch.no_grad()
def validation_loss(
    model: GlyphVAE, valid: GlyphSet, seed: int, config: GlyphTrainingConfig | None = None
) -> float:
    """The mean objective over the validation typefaces, each seen through a fixed draw of glyphs."""
    config = config or GlyphTrainingConfig()
    generator = torch.Generator().manual_seed(seed + 1)
    glyphs, present = as_tensors(valid)
    device = next(model.parameters()).device
    total = 0.0
    for start in range(0, len(glyphs), 64):
        faces = torch.arange(start, min(start + 64, len(glyphs)))
        tensors = [t.to(device) for t in batch(glyphs, present, faces, config, generator)]
        total += model.loss(*tensors, beta=config.beta)[0].item() * len(faces)
    return total / max(len(glyphs), 1)


def regular_faces(glyph_set: GlyphSet, codes: torch.Tensor) -> tuple[list[str], torch.Tensor]:
    """Each family's id and the style code (of ``codes``, one per face) of its regular face: the
    upright weight nearest 400."""
    chosen: dict[str, tuple[float, int]] = {}
    for row, family in enumerate(glyph_set.families):
        distance = abs(int(glyph_set.weights[row]) - 400) + 1000 * bool(glyph_set.italic[row])
        if family not in chosen or distance < chosen[family][0]:
            chosen[family] = (distance, row)
    names = sorted(chosen)
    return names, codes[[chosen[name][1] for name in names]]
