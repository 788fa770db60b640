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
from collections.abc import Iterator
from dataclasses import dataclass

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


def reply_stream(
    model: ChatRNN,
    history: list[str],
    sampling: Sampling,
    seed: int,
    max_chars: int = DEFAULT_REPLY,
    start: str = "",
) -> Iterator[str]:
    """The reply written so far, after each new character; it ends where the model closes the turn
    (or at ``max_chars``). ``start``: the reply's first characters, given (continue from a choice)."""
    max_chars = check_whole(max_chars, "reply length", 1, MAX_REPLY)
    context = context_text(history)
    # The conversation joins the seed: one seed draws differently for different conversations (with
    # the seed alone, every first message drew the same numbers, and often the same reply).
    generator = np.random.default_rng([check_seed(seed), zlib.crc32(context.encode())])
    vocabulary = model.vocabulary
    start = clean_turn(start)[: max_chars - 1] if start else ""
    ids, chars = encode(model, context + start)
    stepper = ChatStepper(model)
    stepper.read(ids)
    context_chars = list(chars)
    unknown = vocabulary.index.get(vocabulary.unknown, -1)
    forbidden = [vocabulary.index[m] for m in MARKS if m != END]
    reply = start
    if start:
        yield reply
    for _ in range(max_chars - len(start)):
        log_probs, weights = stepper.distribution()
        log_probs = log_probs.numpy().copy()
        log_probs[forbidden] = -np.inf
        copied = _unknown_copy(model, weights, context_chars) if unknown >= 0 else None
        if unknown >= 0 and copied is None:
            log_probs[unknown] = -np.inf
        choice = int(sampling.draw(log_probs[None], generator)[0])
        char = vocabulary.chars[choice] if choice != unknown else copied
        if char == END:
            return
        reply += char
        yield reply
        stepper.step(choice)
        context_chars.append(ord(char))


def _unknown_copy(model: ChatRNN, weights: torch.Tensor, chars: list[int]) -> str | None:
    """The character outside the vocabulary that the pointer gives the most weight, if any."""
    index = model.vocabulary.index
    best, best_weight = None, 0.0
    for weight, char in zip(weights[1:].tolist(), chars[1:], strict=False):
        if weight > best_weight and chr(char) not in index:
            best, best_weight = chr(char), weight
    return best


def reply(
    model: ChatRNN, history: list[str], sampling: Sampling, seed: int, max_chars: int = DEFAULT_REPLY
) -> str:
    text = ""
    for text in reply_stream(model, history, sampling, seed, max_chars):  # noqa: B007
        pass
    return text


def best_reply(
    model: ChatRNN,
    history: list[str],
    sampling: Sampling,
    seed: int,
    max_chars: int = DEFAULT_REPLY,
    candidates: int = CANDIDATES,
) -> str:
    """The reply that fits the conversation best of ``candidates`` drawn (with seeds ``seed * candidates``,
    ``+ 1``, ...): the one that carries the most information about it — its nats alone less its nats
    given the conversation (maximum-mutual-information reranking, Li et al., 2016; ``eval chat`` ranks
    replies by the same difference per character) — so a reply common everywhere ("haha yes") does not
    win over one that answers. Summed over the reply, not per character: per character, a reply of one
    letter copied from the conversation would win. A reply already said in the conversation, or an empty
    one, is taken only when every candidate is."""
    candidates = check_whole(candidates, "candidates", 1, MAX_CANDIDATES)
    seed = check_seed(seed)
    # Seeds of their own for each seed (the next seed, as Retry asks, draws other candidates).
    seeds = [(seed * candidates + i) % (MAX_SEED + 1) for i in range(candidates)]
    drawn = [reply(model, history, sampling, drawn_seed, max_chars) for drawn_seed in seeds]
    if candidates == 1:
        return drawn[0]
    scored = score_replies(model, [(history, r) for r in drawn] + [([], r) for r in drawn])
    return drawn[most_informative(drawn, scored[:candidates], scored[candidates:], history)]


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


@torch.inference_mode()
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
        log_probs, weights = stepper.distribution()
        probabilities = log_probs.exp()
        best = probabilities.topk(min(top, len(vocabulary)))
        chosen = vocabulary.index.get(char, vocabulary.index.get(vocabulary.unknown, 0))
        steps.append(
            ReplyStep(
                char=char,
                probability=float(probabilities[chosen]),
                candidates=[
                    (vocabulary.chars[i], float(q))
                    for i, q in zip(best.indices.tolist(), best.values.tolist(), strict=True)
                ],
                copying=float(1 - weights[0]),
                attention=[0.0, *weights[1 : len(context)].tolist()],
            )
        )
        stepper.step(chosen)
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
