"""Figures for the dialogue model: nats per character of held-out replies, and recall at 1 of 10.

R@1/10: for a held-out context, the true reply and 9 replies drawn from other conversations are
ranked, and the context counts when the true one comes first (chance: 0.10). Ranked two ways:
by the reply's nats per character given the context (conditional), and by pointwise mutual
information — nats per character without the context minus with it — so that a short, common
reply ("yes") does not win by being common everywhere.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from aigc_demo.models.chat_rnn import ChatRNN
from aigc_demo.pipelines.replies import score_replies
from aigc_demo.text.dialogue import Conversation, reply_examples

CANDIDATES = 10
Scorer = Callable[[list[tuple[list[str], str]]], list[tuple[float, int]]]


@dataclass(frozen=True)
class ChatFigures:
    contexts: int
    reply_nats_per_char: float  # of the true replies, given their context
    recall_pmi: float
    recall_conditional: float


def evaluate_chat(
    model: ChatRNN, conversations: list[Conversation], contexts: int = 1000, seed: int = 0
) -> ChatFigures:
    """The model's figures over up to ``contexts`` held-out contexts drawn with ``seed``."""
    return recall_at_1_of_10(lambda pairs: score_replies(model, pairs), conversations, contexts, seed)


def draw_trials(
    conversations: list[Conversation], contexts: int, seed: int
) -> list[tuple[list[str], list[str]]]:
    """(context, candidates) to rank, the true reply first: the same draw for any scorer."""
    examples = reply_examples(conversations)
    if len({number for *_, number in examples}) < 2:
        raise ValueError("R@1/10 needs at least two conversations (the other replies come from others)")
    rng = random.Random(seed)
    trials = []
    for context, answer, number in rng.sample(examples, min(contexts, len(examples))):
        others: list[str] = []
        while len(others) < CANDIDATES - 1:
            _, other, other_number = examples[rng.randrange(len(examples))]
            if other_number != number:
                others.append(other)
        trials.append((context, [answer, *others]))
    return trials


def recall_at_1_of_10(
    score: Scorer, conversations: list[Conversation], contexts: int, seed: int
) -> ChatFigures:
    """R@1/10 of any scorer: ``score(pairs)`` gives (nats, characters) of each (context, reply)."""
    trials = draw_trials(conversations, contexts, seed)
    pairs = [(context, candidate) for context, candidates in trials for candidate in candidates]
    given = score(pairs)
    replies = sorted({reply for _, reply in pairs})
    alone = {
        r: nats / chars for r, (nats, chars) in zip(replies, score([([], r) for r in replies]), strict=True)
    }
    hits_pmi = hits_conditional = 0
    for t in range(len(trials)):
        rows = range(t * CANDIDATES, (t + 1) * CANDIDATES)
        conditional = [-given[r][0] / given[r][1] for r in rows]
        pmi = [alone[pairs[r][1]] + conditional[i] for i, r in enumerate(rows)]
        hits_conditional += _first_is_best(conditional)
        hits_pmi += _first_is_best(pmi)
    true_rows = [t * CANDIDATES for t in range(len(trials))]
    nats = sum(given[r][0] for r in true_rows) / sum(given[r][1] for r in true_rows)
    return ChatFigures(len(trials), nats, hits_pmi / len(trials), hits_conditional / len(trials))


def _first_is_best(scores: list[float]) -> bool:
    """The true candidate (first) strictly beats every other; a tie counts as a miss."""
    return all(scores[0] > other for other in scores[1:])
