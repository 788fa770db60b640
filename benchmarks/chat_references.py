"""R@1/10 of the dialogue models next to references, on one draw of held-out contexts.

    python benchmarks/chat_references.py --data ../shared/data/dialogue/chitchat/conversations.jsonl \\
        --model chat-en [--text-model NAME] [--contexts 1000]

Prints R@1/10 (by PMI and conditional) and held-out nats per reply character for:
- chance (0.10 by construction: the true reply is one of ten);
- a character-bigram scorer with a cache of the context's bigrams, no network at all: it wins by
  lexical overlap alone (its bigrams count the training conversations, marks included; the cache's
  weight is 0.3);
- a plain character LSTM (``--text-model``, a char-rnn trained with ``train text`` on the
  conversations laid out as ``A: ...`` / ``B: ...`` lines), scored on the same layout;
- the dialogue model (``--model``).
Every scorer ranks the same contexts and candidates (``evaluation.chat.draw_trials``).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import default_hub
from aigc_demo.data.text import read_text
from aigc_demo.evaluation.chat import recall_at_1_of_10
from aigc_demo.pipelines.replies import score_replies
from aigc_demo.text.dialogue import context_text, read_chat_log, reply_text, split

CACHE_WEIGHT = 0.3


class BigramCache:
    """p(c | b) = 0.7 * add-one bigram of the training text + 0.3 * the context's own bigram counts."""

    def __init__(self, text: str):
        self.pairs = Counter(pairwise(text))
        self.firsts = Counter(text[:-1])
        self.size = len(set(text)) + 1

    def score(self, pairs: list[tuple[list[str], str]]) -> list[tuple[float, int]]:
        results = []
        for context, reply in pairs:
            before = context_text(context)
            cache = Counter(pairwise(before))
            cache_firsts = Counter(before[:-1])
            stream = before + reply_text(reply)
            nats = 0.0
            for i in range(len(before), len(stream)):
                previous, char = stream[i - 1], stream[i]
                base = (self.pairs[previous, char] + 1) / (self.firsts[previous] + self.size)
                cached = cache[previous, char] / cache_firsts[previous] if cache_firsts[previous] else base
                nats -= math.log((1 - CACHE_WEIGHT) * base + CACHE_WEIGHT * cached)
                cache[previous, char] += 1
                cache_firsts[previous] += 1
            results.append((nats, len(stream) - len(before)))
        return results


def as_lines(turns: list[str]) -> str:
    """Turns as ``A: ...`` / ``B: ...`` lines, the layout a plain text model was trained on."""
    return "".join(f"{'AB'[i % 2]}: {turn}\n" for i, turn in enumerate(turns))


@torch.no_grad()
def plain_lstm_scorer(model, batch_size: int = 32):
    """Nats of ``B: reply\\n`` after the context's lines (the reply's speaker alternates on),
    characters the model lacks read as its unknown mark (or a space)."""
    vocabulary = model.vocabulary
    stand_in = vocabulary.unknown or " "

    def encode(text: str) -> torch.Tensor:
        return vocabulary.encode("".join(c if c in vocabulary.index else stand_in for c in text))

    def score(pairs: list[tuple[list[str], str]]) -> list[tuple[float, int]]:
        results = []
        for start in range(0, len(pairs), batch_size):
            streams = []
            for context, reply in pairs[start : start + batch_size]:
                before = "\n" + as_lines(context[-6:])[-320:] + "AB"[len(context[-6:]) % 2] + ": "
                streams.append((len(before), encode(before + reply + "\n")))
            length = max(len(ids) for _, ids in streams)
            ids = torch.zeros(len(streams), length, dtype=torch.long)
            scored = torch.zeros(len(streams), length - 1, dtype=torch.bool)
            for row, (cut, row_ids) in enumerate(streams):
                ids[row, : len(row_ids)] = row_ids
                scored[row, cut - 1 : len(row_ids) - 1] = True
            logits, _ = model(ids[:, :-1])
            log_probs = logits.log_softmax(-1).gather(2, ids[:, 1:, None])[..., 0]
            nats = -(log_probs * scored).sum(1)
            results.extend((float(n), int(c)) for n, c in zip(nats, scored.sum(1), strict=True))
        return results

    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", help="a dialogue model in the hub")
    parser.add_argument("--text-model", help="a plain char-rnn trained on the conversations as A:/B: lines")
    parser.add_argument(
        "--write-lines",
        type=Path,
        metavar="OUT.txt",
        help="write the training conversations as A:/B: lines (for train text) and stop",
    )
    parser.add_argument("--contexts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(2)
    train, held = split(read_chat_log(read_text(args.data), args.data.name))
    if args.write_lines:
        args.write_lines.write_text("".join(as_lines(list(c.turns)) + "\n" for c in train), encoding="utf-8")
        return 0
    scorers = {"bigram + context cache": BigramCache("".join(c.text() for c in train)).score}
    if args.text_model:
        scorers["plain character LSTM"] = plain_lstm_scorer(default_hub().load(args.text_model).module)
    if args.model:
        model = default_hub().load(args.model).module
        scorers[args.model] = lambda pairs: score_replies(model, pairs)
    print(f"{args.data.name}: {len(held)} held-out conversations, {args.contexts} contexts, seed {args.seed}")
    print(f"{'scorer':<26} {'R@1/10 PMI':>10} {'conditional':>11} {'nats/char':>9}")
    print(f"{'chance':<26} {0.1:>10.3f} {0.1:>11.3f} {'':>9}")
    for name, score in scorers.items():
        figures = recall_at_1_of_10(score, held, args.contexts, args.seed)
        print(
            f"{name:<26} {figures.recall_pmi:>10.3f} {figures.recall_conditional:>11.3f} "
            f"{figures.reply_nats_per_char:>9.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
