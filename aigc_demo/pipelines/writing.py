"""Continue a prompt with a character-level RNN, and explain each character it chose.

Sampling reads the prompt once, then feeds one character per step and carries the recurrent
state forward, so each new character costs one model step. The probability lens does not
slow sampling down: it re-reads the finished text in one pass (``lens``), which gives the
same distributions the sampler drew from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from aigc_demo.backend.checks import check_whole, finite_number
from aigc_demo.backend.seeding import check_seed
from aigc_demo.models.char_rnn import CharRNN, Stepper, device_of
from aigc_demo.pipelines.poem_form import FormGuide
from aigc_demo.text.script import is_chinese, to_traditional_where_unknown

MIN_TEMPERATURE, MAX_TEMPERATURE = 0.05, 2.0
MAX_LENGTH = 2000  # new characters per request
MAX_PROMPT = 2000  # characters of prompt the model reads; longer prompts keep their end
MAX_LENS = MAX_PROMPT + MAX_LENGTH  # the longest text a request writes, and so the lens reads
MAX_SAMPLES = 4
MAX_TOP_K = 1000
LENS_CANDIDATES = 8
DEFAULT_START = "\n"


@dataclass(frozen=True)
class Sampling:
    """How the next character is drawn. ``top_k`` 0 and ``top_p`` 1 switch those filters off."""

    temperature: float = 0.8
    top_k: int = 0
    top_p: float = 1.0

    @classmethod
    def checked(cls, temperature: object, top_k: object, top_p: object) -> Sampling:
        temperature = finite_number(temperature, "temperature")
        if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
            raise ValueError(f"temperature must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE}")
        top_p = finite_number(top_p, "top-p")
        if not 0 < top_p <= 1:
            raise ValueError("top-p must be above 0 and at most 1 (1 switches it off)")
        return cls(temperature, check_whole(top_k, "top-k", 0, MAX_TOP_K), top_p)

    def shortlist(self, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """What each row of ``logits`` (batch, vocabulary) may draw: (scaled logits, their ids,
        kept). With a filter on, the ids are the likeliest first (only the ``top_k`` likeliest
        when top-k is on) and row ``r`` may draw its first ``kept[r]``: the smallest prefix whose
        probability, renormalised over the list, reaches ``top_p``. With no filter, ids is None:
        every character, in id order."""
        scaled = np.asarray(logits, dtype=np.float32) / np.float32(self.temperature)
        rows, vocabulary = scaled.shape
        k = self.top_k if 0 < self.top_k < vocabulary else vocabulary
        if k == vocabulary and self.top_p >= 1:
            return scaled, None, np.full(rows, vocabulary)
        row = np.arange(rows)[:, None]
        ids = np.argpartition(-scaled, k - 1, axis=-1)[:, :k] if k < vocabulary else None
        values = scaled if ids is None else scaled[row, ids]
        order = np.argsort(-values, axis=-1)
        ids = order if ids is None else ids[row, order]
        values = values[row, order]
        if self.top_p >= 1:
            return values, ids, np.full(rows, k)
        weights = np.exp(values - values[:, :1])
        cumulative = np.cumsum(weights, -1)
        return values, ids, ((cumulative - weights) < self.top_p * cumulative[:, -1:]).sum(-1)

    def draw(self, logits: np.ndarray, generator: np.random.Generator) -> np.ndarray:
        """One id per row of ``logits`` (batch, vocabulary), shape (batch,): inverse-CDF sampling."""
        values, ids, kept = self.shortlist(logits)
        cumulative = np.cumsum(np.exp(values - values.max(-1, keepdims=True)), -1)
        # the mass of what each row may draw
        reach = cumulative[:, -1:] if ids is None else cumulative[np.arange(len(kept)), kept - 1][:, None]
        threshold = generator.random((len(cumulative), 1), dtype=np.float32) * reach
        picks = np.minimum((cumulative <= threshold).sum(-1), kept - 1)
        return picks if ids is None else ids[np.arange(len(kept)), picks]


@dataclass
class Prompt:
    """A prompt as the model will read it, and what was changed to get there."""

    text: str
    notes: list[str] = field(default_factory=list)


def prepare_prompt(model: CharRNN, prompt: object) -> Prompt:
    """Clean a person's prompt for ``model``: never an error for odd text, always a note instead."""
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
    notes: list[str] = []
    text = prompt.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(c for c in text if c in "\n\t" or not unicodedata.category(c).startswith("C"))
    if len(cleaned) != len(text):
        notes.append(f"removed {len(text) - len(cleaned)} control character(s)")
    text = cleaned
    vocabulary = model.vocabulary
    if is_chinese(vocabulary.chars):
        converted = to_traditional_where_unknown(text, vocabulary.index)
        if converted != text:
            notes.append("converted Simplified characters to Traditional, as the model was trained on")
        text = converted
    if len(text) > MAX_PROMPT:
        notes.append(f"the prompt was cut to its last {MAX_PROMPT} characters")
        text = text[-MAX_PROMPT:]
    unknown = vocabulary.unknown_chars(text)
    if unknown:
        shown = "".join(unknown[:20]) + ("…" if len(unknown) > 20 else "")
        if vocabulary.unknown:
            notes.append(f"characters the model does not know are read as {vocabulary.unknown}: {shown}")
            text = "".join(c if c in vocabulary.index else vocabulary.unknown for c in text)
        else:
            notes.append(f"dropped characters the model does not know: {shown}")
            text = "".join(c for c in text if c in vocabulary.index)
    if not text:
        start = DEFAULT_START if DEFAULT_START in vocabulary.index else vocabulary.chars[0]
        notes.append("the prompt was empty, so the model starts from a new line")
        text = start
    return Prompt(text, notes)


class Draws:
    """How one request draws its characters, one step at a time: its own generator (seeded by the
    request), sampling settings, form guide and length. Logits of its rows in, chosen ids out; the
    same whether the request is stepped alone or beside others (``pipelines.streams``)."""

    def __init__(
        self, model: CharRNN, sampling: Sampling, length: int, seed: int, guide: FormGuide | None = None
    ):
        self.sampling, self.left, self.guide = sampling, length, guide
        self.generator = np.random.default_rng(check_seed(seed))
        vocabulary = model.vocabulary
        has_mark = vocabulary.unknown and len(vocabulary.chars) > 1
        self.never = vocabulary.index[vocabulary.unknown] if has_mark else None

    def __call__(self, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """(the ids chosen, the ids to feed back, whether the writing is done) for ``logits`` (rows,
        vocabulary), which it may change."""
        if self.never is not None:  # the unknown mark stands for rare characters; it is never written
            logits[:, self.never] = -np.inf
        if self.guide is not None:
            logits = np.where(self.guide.mask(), logits, -np.inf)
        chosen = fed = self.sampling.draw(logits, self.generator)
        if self.guide is not None:
            chosen, fed = self.guide.advance(chosen)
        self.left -= 1
        return chosen, fed, self.left <= 0 or (self.guide is not None and self.guide.finished)


@torch.inference_mode()
def read_prompt(model: CharRNN, prompt: str, samples: int) -> tuple[np.ndarray, Any]:
    """Read ``prompt`` in one pass for ``samples`` rows: the next character's logits (rows,
    vocabulary) and the recurrent state."""
    ids = model.vocabulary.encode(prompt).to(device_of(model)).expand(samples, -1)
    logits, state = model(ids)
    return logits[:, -1].float().cpu().numpy(), state


def sample_ids(
    model: CharRNN,
    prompt: str,
    sampling: Sampling,
    length: int,
    seed: int,
    samples: int = 1,
    guide: FormGuide | None = None,
    scheduler: Any = None,
) -> Iterator[np.ndarray]:
    """Yield the ids chosen at each step, one per sample (shape ``(samples,)``).

    The prompt is read in one pass; after that, one step per character (``Stepper``). Draws
    come from a NumPy generator seeded with ``seed``: the same request gives the same text. The
    vocabulary's unknown mark is never drawn (the lens still shows its probability). With a
    ``guide`` each sample draws only what its poem's form allows; a sample whose poem is done
    yields -1, and writing stops when every poem is done (or at ``length``). With a ``scheduler``
    (``pipelines.streams.scheduler_for(model)``) the steps are taken beside other requests'.
    """
    draws = Draws(model, sampling, length, seed, guide)
    if scheduler is not None:
        yield from scheduler.stream(prompt, samples, draws)
        return
    logits, state = read_prompt(model, prompt, samples)
    step = Stepper(model, state)
    while True:
        chosen, fed, done = draws(logits)
        yield chosen
        if done:
            return
        logits = step(fed)


def check_position(position: object, length: int) -> int:
    """A character position within a text of ``length`` characters (0 = its start)."""
    return check_whole(position, "position", 0, length)


def check_request(length: object, seed: object, samples: object) -> tuple[int, int, int]:
    length = check_whole(length, "length", 1, MAX_LENGTH)
    samples = check_whole(samples, "number of samples", 1, MAX_SAMPLES)
    return length, check_seed(seed), samples


def stream_text(
    model: CharRNN,
    prompt: str,
    sampling: Sampling,
    length: int,
    seed: int,
    samples: int = 1,
    guide: FormGuide | None = None,
    scheduler: Any = None,
) -> Iterator[list[str]]:
    """The continuations written so far, one string per sample, after each new character."""
    chars = model.vocabulary.chars
    texts = [""] * samples
    for chosen in sample_ids(model, prompt, sampling, length, seed, samples, guide, scheduler):
        texts = [text + chars[i] if i >= 0 else text for text, i in zip(texts, chosen.tolist(), strict=True)]
        yield texts


def generate_text(
    model: CharRNN,
    prompt: str,
    sampling: Sampling,
    length: int,
    seed: int,
    samples: int = 1,
    guide: FormGuide | None = None,
    scheduler: Any = None,
) -> list[str]:
    texts = [""] * samples
    for texts in stream_text(model, prompt, sampling, length, seed, samples, guide, scheduler):  # noqa: B007
        pass
    return texts


@dataclass(frozen=True)
class LensStep:
    """What the model believed when it wrote one character."""

    char: str
    probability: float  # the model's own probability of this character (temperature 1, no filters)
    entropy: float  # of that distribution, in bits: 0 = certain, log2(vocabulary) = clueless
    candidates: list[tuple[str, float]]  # the most likely characters at this step, best first


@torch.inference_mode()
def lens(model: CharRNN, text: str, start: int, top: int = LENS_CANDIDATES) -> list[LensStep]:
    """The model's view of ``text[start:]``, each character judged given everything before it."""
    if len(text) > MAX_LENS:
        raise ValueError(f"the lens reads at most {MAX_LENS:,} characters (a prompt and what was written)")
    if not 1 <= start <= len(text):
        raise ValueError(f"the lens starts after the prompt: start must be 1..{len(text)}, got {start}")
    vocabulary = model.vocabulary
    ids = vocabulary.encode(text).to(device_of(model))
    logits, _ = model(ids[None, :-1])
    probabilities = logits[0, start - 1 :].float().softmax(-1).cpu()
    targets = ids[start:].cpu()
    chosen = probabilities.gather(1, targets[:, None])[:, 0]
    entropy = -(probabilities * probabilities.clamp_min(1e-12).log2()).sum(-1)
    best = probabilities.topk(min(top, len(vocabulary)), dim=-1)
    return [
        LensStep(
            char=vocabulary.chars[int(target)],
            probability=float(p),
            entropy=float(h),
            candidates=[(vocabulary.chars[int(i)], float(q)) for i, q in zip(row_ids, row_p, strict=True)],
        )
        for target, p, h, row_ids, row_p in zip(
            targets, chosen, entropy, best.indices.tolist(), best.values.tolist(), strict=True
        )
    ]
