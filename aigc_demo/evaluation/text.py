"""Figures for the text models: loss on a text, and how often generated poems keep classical form."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import torch
from torch.nn.functional import cross_entropy

from aigc_demo.models.char_rnn import CharRNN
from aigc_demo.pipelines.poem_form import FormGuide, guide_for
from aigc_demo.pipelines.writing import Sampling, sample_ids
from aigc_demo.text.poetry import FREE, headings, layout_shares, poem_form, total_variation
from aigc_demo.text.vocabulary import UNKNOWN

IGNORE = -100  # cross_entropy's ignore_index: padding at the end of the last stream
POEM_END = "\n\n"
MAX_POEM_LENGTH = 400


def streams(ids: torch.Tensor, count: int, pad: int = IGNORE) -> torch.Tensor:
    """Lay ``ids`` out as ``count`` contiguous rows, padding the last with ``pad``."""
    length = math.ceil(len(ids) / count)
    padded = torch.full((count * length,), pad, dtype=ids.dtype)
    padded[: len(ids)] = ids
    return padded.view(count, length)


@torch.no_grad()
def evaluate_text(model: CharRNN, ids: torch.Tensor, batch_size: int = 16, seq_len: int = 256) -> float:
    """Mean loss in nats per character of predicting each of ``ids[1:]`` from what precedes it."""
    if len(ids) < 2:
        raise ValueError("need at least two characters to measure a loss")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    count = min(batch_size, len(ids) - 1)
    inputs = streams(ids[:-1], count, pad=0).to(device)
    targets = streams(ids[1:], count).to(device)
    total, state = 0.0, None
    for start in range(0, inputs.shape[1], seq_len):
        logits, state = model(inputs[:, start : start + seq_len], state)
        chunk = targets[:, start : start + seq_len]
        total += cross_entropy(
            logits.flatten(0, 1), chunk.flatten(), ignore_index=IGNORE, reduction="sum"
        ).item()
    model.train(was_training)
    return total / (len(ids) - 1)


@dataclass(frozen=True)
class TextLoss:
    characters: int
    nats_per_char: float
    unknown_share: float  # of characters outside the vocabulary, read as its unknown mark

    @property
    def bits_per_char(self) -> float:
        return self.nats_per_char / math.log(2)


def text_loss(model: CharRNN, text: str) -> TextLoss:
    vocabulary = model.vocabulary
    unknown = set(vocabulary.unknown_chars(text))
    if unknown and not vocabulary.unknown:
        raise ValueError(f"the text has characters this model does not know: {''.join(sorted(unknown))[:40]}")
    share = sum(c in unknown for c in text) / len(text)
    return TextLoss(len(text), evaluate_text(model, vocabulary.encode(text)), share)


def write_poem(model: CharRNN, heading: str, sampling: Sampling, seed: int, guide: FormGuide | None) -> str:
    """The poem the model writes after a title and author line: its form's body with a ``guide``,
    else whatever it writes up to the blank line that ends a poem."""
    chars, body = model.vocabulary.chars, ""
    for chosen in sample_ids(model, heading, sampling, MAX_POEM_LENGTH, seed, 1, guide):
        if chosen[0] < 0:
            break
        body += chars[int(chosen[0])]
        if guide is None and body.endswith(POEM_END):
            break
    return heading + body


@dataclass(frozen=True)
class FormReport:
    poems: int
    form: str  # what was asked for: free or one of the fixed forms
    classical_share: float  # poems whose half-lines are all 5 or all 7 characters long
    forms: dict[str, int]  # "5", "7" or "mixed" -> count
    unknown_mark_share: float  # poems in which the vocabulary's unknown mark was written
    layouts: dict[str, float]  # half-line length x half-lines ("5x8") -> share of the poems written
    corpus_layouts: dict[str, float]  # the same for the scored text's own poems
    layout_distance: float  # total variation between the two: 0 the same mix, 1 nothing in common


def poem_form_report(
    model: CharRNN,
    poems: list[str],
    temperature: float,
    seed: int = 0,
    form: str = FREE,
    shares: dict[str, float] | None = None,
) -> FormReport:
    """Write a poem after the title and author of each of ``poems`` and compare the forms written
    with theirs; ``shares`` (the model card's ``poem_forms``) guide free poems."""
    sampling = Sampling(temperature=temperature)
    poems = [poem for poem in poems if poem.strip("\n").count("\n") >= 2]  # those with a body
    written = []
    for offset, heading in enumerate(headings(poems)):
        guide = guide_for(model.vocabulary, heading, form, shares, seed + offset, 1)
        written.append(write_poem(model, heading, sampling, seed + offset, guide))
    if not written:
        raise ValueError("the scored text holds no poems (title line, author line, body)")
    kinds = [poem_form(poem) for poem in written]
    counts = Counter("mixed" if kind is None else str(kind) for kind in kinds)
    made, corpus = layout_shares(written, floor=0), layout_shares(poems, floor=0)
    return FormReport(
        poems=len(written),
        form=form,
        classical_share=sum(kind is not None for kind in kinds) / len(written),
        forms=dict(counts),
        unknown_mark_share=sum(UNKNOWN in poem for poem in written) / len(written),
        layouts=made,
        corpus_layouts=corpus,
        layout_distance=round(total_variation(made, corpus), 4),
    )
