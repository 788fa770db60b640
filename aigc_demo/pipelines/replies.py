"""Reply to a conversation with the dialogue model, and score replies for evaluation.

A reply reads the last turns (``text.dialogue.context_text``) once, then draws one character per
step until the model closes the turn. Draws come from a NumPy generator seeded by the request's seed
and the conversation, so the same conversation, settings and seed give the same reply. An answer is
the best of several replies drawn (``best_reply``). The pointer can propose a character
the vocabulary lacks (a rare name in the context): when the vocabulary's unknown mark is drawn, the
reply copies the context character the pointer favoured; with no such character the mark is not
drawn at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from aigc_demo.backend.checks import check_whole
from aigc_demo.backend.seeding import MAX_SEED, check_seed
from aigc_demo.models.chat_rnn import ChatRNN, ChatStepper
from aigc_demo.pipelines.writing import LENS_CANDIDATES, Sampling
from aigc_demo.text.dialogue import END, MARKS, clean_turn, context_text, reply_text

MAX_REPLY = 400  # characters a reply may run to before it is cut
MAX_MESSAGE = 1000  # characters of one message a request may send
MAX_HISTORY = 50  # turns a request may send (the model reads only the last few)
DEFAULT_REPLY = 200
SCORE_BATCH_CHARS = 8192  # padded characters scored in one pass
CANDIDATES = 4  # replies drawn for one answer, the best kept (``best_reply``)
MAX_CANDIDATES = 16


def encode(model: ChatRNN, text: str) -> tuple[torch.Tensor, list[int]]:
    """Vocabulary ids of ``text`` (unknown characters as the unknown mark) and its code points."""
    vocabulary = model.vocabulary
    known = (
        text
        if not vocabulary.unknown
        else "".join(c if c in vocabulary.index else vocabulary.unknown for c in text)
    )
    return vocabulary.encode(known), [ord(c) for c in text]


def check_history(history: object) -> list[str]:
    """A conversation as a request sends it: a list of at most ``MAX_HISTORY`` texts, the newest
    the person's, each cut to ``MAX_MESSAGE`` characters, cleaned."""
    if not isinstance(history, list) or not all(isinstance(turn, str) for turn in history):
        raise ValueError("the conversation must be a list of messages (texts)")
    if len(history) > MAX_HISTORY:
        raise ValueError(f"send at most the last {MAX_HISTORY} messages of a conversation")
    return [clean_turn(turn[:MAX_MESSAGE]) for turn in history]


class ReplyDraws:
    """How one reply draws its characters, one step at a time: its own generator (the seed joined by
    the conversation), sampling settings and length. Its row's (log-probabilities, pointer weights) in;
    the code point of the character drawn out (-1 for the end of the turn), with the vocabulary id to
    read next. The same whether the reply is written alone or beside others (``pipelines.streams``)."""

    def __init__(self, model: ChatRNN, context: str, sampling: Sampling, seed: int, length: int):
        # The conversation joins the seed: one seed draws differently for different conversations (with
        # the seed alone, every first message drew the same numbers, and often the same reply).
        self.generator = np.random.default_rng([check_seed(seed), zlib.crc32(context.encode())])
        self.sampling, self.left = sampling, length
        vocabulary = model.vocabulary
        self.chars, self.index = vocabulary.chars, vocabulary.index
        self.unknown = vocabulary.index.get(vocabulary.unknown, -1)
        self.forbidden = [vocabulary.index[m] for m in MARKS if m != END]
        self.read = encode(model, context)[1]  # code points of what the row has read, for copying

    def __call__(self, rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, bool]:
        log_probs, weights = rows[0]
        log_probs[self.forbidden] = -np.inf
        copied = self._unknown_copy(weights) if self.unknown >= 0 else None
        if self.unknown >= 0 and copied is None:
            log_probs[self.unknown] = -np.inf
        choice = int(self.sampling.draw(log_probs[None], self.generator)[0])
        char = self.chars[choice] if choice != self.unknown else copied
        if char == END:
            return np.array([-1]), np.array([choice]), True
        self.read.append(ord(char))
        self.left -= 1
        return np.array([ord(char)]), np.array([choice]), self.left <= 0

    def _unknown_copy(self, weights: np.ndarray) -> str | None:
        """The character outside the vocabulary that the pointer gives the most weight, if any."""
        best, best_weight = None, 0.0
        for weight, char in zip(weights[1:].tolist(), self.read[1:], strict=False):
            if weight > best_weight and chr(char) not in self.index:
                best, best_weight = chr(char), weight
        return best


def _written(model: ChatRNN, text: str, draws: ReplyDraws, scheduler: Any = None) -> Iterator[str]:
    """The characters a reply draws after ``text``, alone or (with a scheduler) beside others."""
    if scheduler is not None:
        codes = (int(chosen[0]) for chosen in scheduler.stream(text, 1, draws))
    else:
        codes = _codes_alone(model, text, draws)
    yield from _characters(codes)


def _characters(codes: Iterable[int]) -> Iterator[str]:
    """The characters of code points a reply drew (-1, the end of the turn, is none)."""
    return (chr(code) for code in codes if code >= 0)


def _codes_alone(model: ChatRNN, text: str, draws: ReplyDraws) -> Iterator[int]:
    stepper = ChatStepper(model)
    stepper.read(encode(model, text)[0])
    while True:
        chosen, fed, done = draws(stepper.distribution())
        yield int(chosen[0])
        if done:
            return
        stepper.step(fed)


def reply_stream(
    model: ChatRNN,
    history: list[str],
    sampling: Sampling,
    seed: int,
    max_chars: int = DEFAULT_REPLY,
    start: str = "",
    scheduler: Any = None,
) -> Iterator[str]:
    """The reply written so far, after each new character; it ends where the model closes the turn
    (or at ``max_chars``). ``start``: the reply's first characters, given (continue from a choice).
    With a ``scheduler`` (``pipelines.streams.scheduler_for(model)``) it is written beside others'."""
    max_chars = check_whole(max_chars, "reply length", 1, MAX_REPLY)
    context = context_text(history)
    start = clean_turn(start)[: max_chars - 1] if start else ""
    reply = start
    if start:
        yield reply
    draws = ReplyDraws(model, context + start, sampling, seed, max_chars - len(start))
    for char in _written(model, context + start, draws, scheduler):
        reply += char
        yield reply


def reply(
    model: ChatRNN,
    history: list[str],
    sampling: Sampling,
    seed: int,
    max_chars: int = DEFAULT_REPLY,
    scheduler: Any = None,
) -> str:
    text = ""
    for text in reply_stream(model, history, sampling, seed, max_chars, scheduler=scheduler):  # noqa: B007
        pass
    return text


def best_reply(
    model: ChatRNN,
    history: list[str],
    sampling: Sampling,
    seed: int,
    max_chars: int = DEFAULT_REPLY,
    candidates: int = CANDIDATES,
    scheduler: Any = None,
) -> str:
    """The reply that fits the conversation best of ``candidates`` drawn (with seeds ``seed * candidates``,
    ``+ 1``, ...): the one that carries the most information about it — its nats alone less its nats
    given the conversation (maximum-mutual-information reranking, Li et al., 2016; ``eval chat`` ranks
    replies by the same difference per character) — so a reply common everywhere ("haha yes") does not
    win over one that answers. Summed over the reply, not per character: per character, a reply of one
    letter copied from the conversation would win. A reply already said in the conversation, or an empty
    one, is taken only when every candidate is. With a ``scheduler`` the candidates are written at once,
    beside other visitors' replies."""
    candidates = check_whole(candidates, "candidates", 1, MAX_CANDIDATES)
    seed = check_seed(seed)
    # Seeds of their own for each seed (the next seed, as Retry asks, draws other candidates).
    seeds = [(seed * candidates + i) % (MAX_SEED + 1) for i in range(candidates)]
    drawn = _drawn(model, history, sampling, seeds, max_chars, scheduler)
    if candidates == 1:
        return drawn[0]
    scored = score_replies(model, [(history, r) for r in drawn] + [([], r) for r in drawn])
    return drawn[most_informative(drawn, scored[:candidates], scored[candidates:], history)]


def _drawn(
    model: ChatRNN, history: list[str], sampling: Sampling, seeds: list[int], max_chars: int, scheduler: Any
) -> list[str]:
    """One reply per seed; with a scheduler, all written at once."""
    max_chars = check_whole(max_chars, "reply length", 1, MAX_REPLY)
    context = context_text(history)
    draws = [ReplyDraws(model, context, sampling, seed, max_chars) for seed in seeds]
    if scheduler is None:
        return ["".join(_written(model, context, each)) for each in draws]
    streams = [scheduler.submit(context, 1, each) for each in draws]
    try:
        return ["".join(_characters(int(chosen[0]) for chosen in stream.read())) for stream in streams]
    finally:
        for stream in streams:
            stream.leave()


def most_informative(
    drawn: list[str], given: list[tuple[float, int]], alone: list[tuple[float, int]], history: list[str]
) -> int:
    """Which of the ``drawn`` replies says most of the conversation: the most nats alone (``alone``:
    (nats, characters) without the conversation) less given it (``given``); one already said in
    ``history`` or empty only when all are."""
    said = {clean_turn(turn).strip().lower() for turn in history}

    def fit(index: int) -> tuple[bool, float]:
        text = drawn[index].strip()
        return bool(text) and text.lower() not in said, alone[index][0] - given[index][0]

    return max(range(len(drawn)), key=fit)


@dataclass(frozen=True)
class ReplyStep:
    """What the model believed when it wrote one character of a reply."""

    char: str
    probability: float  # the model's own probability of it (temperature 1, no filters)
    candidates: list[tuple[str, float]]  # the likeliest characters there, best first
    copying: float  # the pointer's share of the probability (1 - the sentinel's)
    attention: list[float]  # the pointer's weight on each character of the context (to copy it)


def reply_lens(
    model: ChatRNN, history: list[str], written: str, top: int = LENS_CANDIDATES
) -> tuple[str, list[ReplyStep]]:
    """(the context as the model read it, one ``ReplyStep`` per character of ``written``): each
    character judged given the context and the reply before it. The attention of step ``i`` has one
    weight per context character, in order (the pointer proposes the character after each)."""
    if len(written) > MAX_REPLY:
        raise ValueError(f"the lens reads a reply of at most {MAX_REPLY} characters")
    context = context_text(history)
    ids, _ = encode(model, context)
    stepper = ChatStepper(model)
    stepper.read(ids)
    vocabulary = model.vocabulary
    steps = []
    for char in written:
        [(log_probs, weights)] = stepper.distribution()
        probabilities = np.exp(log_probs)
        best = np.argsort(-probabilities, kind="stable")[:top]
        chosen = vocabulary.index.get(char, vocabulary.index.get(vocabulary.unknown, 0))
        steps.append(
            ReplyStep(
                char=char,
                probability=float(probabilities[chosen]),
                candidates=[(vocabulary.chars[i], float(probabilities[i])) for i in best.tolist()],
                copying=float(1 - weights[0]),
                attention=[0.0, *weights[1 : len(context)].tolist()],
            )
        )
        stepper.step(np.array([chosen]))
    return context, steps


@torch.inference_mode()
def score_replies(
    model: ChatRNN, pairs: list[tuple[list[str], str]], batch_chars: int = SCORE_BATCH_CHARS
) -> list[tuple[float, int]]:
    """(nats, characters) of each reply given its context: every character of the reply and the
    end-of-turn mark, each predicted from the context and the reply before it. Streams are read
    shortest first, in batches of at most ``batch_chars`` padded characters."""
    streams = []
    for context, answer in pairs:
        before = context_text(context)
        streams.append((len(before), before + reply_text(answer)))
    order = sorted(range(len(streams)), key=lambda i: len(streams[i][1]))
    results: list[tuple[float, int]] = [(0.0, 0)] * len(streams)
    start = 0
    while start < len(order):
        longest = len(streams[order[start]][1])
        end = start + 1
        while end < len(order) and (end - start + 1) * len(streams[order[end]][1]) <= max(
            batch_chars, longest
        ):
            end += 1
        batch = order[start:end]
        for i, scored in zip(batch, _score_batch(model, [streams[i] for i in batch]), strict=True):
            results[i] = scored
        start = end
    return results


def _score_batch(model: ChatRNN, streams: list[tuple[int, str]]) -> list[tuple[float, int]]:
    nats, counts = stream_nats(model, streams)
    return [(float(n), int(c)) for n, c in zip(nats.cpu(), counts.cpu(), strict=True)]


def stream_nats(model: ChatRNN, streams: list[tuple[int, str]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(nats, characters scored) of each stream ``(start, text)``: every character of ``text`` from
    ``start`` on, each predicted from those before it, in one padded pass (with gradients when
    the caller allows them: training ranks replies this way too)."""
    device = next(model.parameters()).device
    length = max(len(text) for _, text in streams)
    ids = torch.zeros(len(streams), length, dtype=torch.long)
    chars = torch.full((len(streams), length), -1)
    scored = torch.zeros(len(streams), length - 1, dtype=torch.bool)
    for row, (before, text) in enumerate(streams):
        row_ids, row_chars = encode(model, text)
        ids[row, : len(text)] = row_ids
        chars[row, : len(text)] = torch.tensor(row_chars)
        scored[row, before - 1 : len(text) - 1] = True
    ids, chars, scored = ids.to(device), chars.to(device), scored.to(device)
    log_probs = model(ids[:, :-1], ids[:, 1:], chars)
    return -(log_probs * scored).sum(1), scored.sum(1)
