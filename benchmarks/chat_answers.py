"""Do the chatbots answer? Replies to held-out openers, drawn plainly and reranked by mutual information.

    python benchmarks/chat_answers.py --data ../shared/data/dialogue/chitchat/conversations.jsonl \\
        --model chat-en [--openers 100] [--candidates 1 4 8] [--seed 0]

For ``--openers`` held-out conversations (their first turn as the opener, drawn with ``--seed``), each
setting of ``--candidates`` writes one reply per opener at the page's settings (temperature 0.7,
seed 0; 1 candidate: the plain sampling the page did before reranking) and prints:
- distinct: how many different replies there are among them (a model that answers everything with
  "haha yes" scores low);
- picked: how often a word-overlap reader, given a reply and ten openers (its own and nine others,
  the same draw for every setting), picks the reply's own opener: the share of replies that speak of
  what they were asked. The people's own replies in the held-out conversations are its ceiling, and
  0.10 is chance;
- seconds per reply (median), on this machine.
Words are lower-case Latin words, or for Chinese single Han characters, less a short list of function
words, so that overlap means shared content.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import default_hub
from aigc_demo.data.text import read_text
from aigc_demo.pipelines.replies import best_reply
from aigc_demo.pipelines.writing import Sampling
from aigc_demo.text.dialogue import read_chat_log, split

CHOICES = 10
STOP_WORDS = (
    "a an the i you he she it we they me my your is are was were be been am do did does to of in on at"
    " for and or but so that this what how why with have has had not no yes oh ok okay just like really"
    " 的 了 是 我 你 他 她 们 吗 呢 吧 啊 在 有 也 都 就 和 这 那 个 不 很 一"
)
STOP = set(STOP_WORDS.split(" "))


def words(text: str) -> set[str]:
    found = re.findall(r"[a-z']+|[\u4e00-\u9fff]", text.lower())
    return {w for w in found if w not in STOP}


def picked_rate(openers: list[str], replies: list[str], seed: int) -> float:
    """Share of replies whose own opener has the most words in common among ten (a tie is a miss)."""
    rng = random.Random(seed)
    hits = 0
    for index, reply in enumerate(replies):
        others = rng.sample([i for i in range(len(openers)) if i != index], CHOICES - 1)
        overlap = [len(words(reply) & words(openers[i])) for i in (index, *others)]
        hits += all(overlap[0] > other for other in overlap[1:])
    return hits / len(replies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--openers", type=int, default=100)
    parser.add_argument("--candidates", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(2)
    _, held = split(read_chat_log(read_text(args.data), args.data.name))
    chosen = random.Random(args.seed).sample(held, min(args.openers, len(held)))
    openers = [c.turns[0] for c in chosen]
    model = default_hub().load(args.model).module
    figures = {
        "model": args.model,
        "openers": len(openers),
        "people": {"picked": picked_rate(openers, [c.turns[1] for c in chosen], args.seed)},
    }
    for count in args.candidates:
        replies, seconds = [], []
        for opener in openers:
            started = time.perf_counter()
            replies.append(best_reply(model, [opener], Sampling(0.7), 0, candidates=count))
            seconds.append(time.perf_counter() - started)
        figures[f"candidates_{count}"] = {
            "distinct": len(set(replies)),
            "picked": picked_rate(openers, replies, args.seed),
            "seconds_per_reply_p50": round(statistics.median(seconds), 3),
            "examples": [[o, r] for o, r in zip(openers[:5], replies[:5], strict=True)],
        }
        print(json.dumps({count: figures[f"candidates_{count}"]}, ensure_ascii=False), flush=True)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
