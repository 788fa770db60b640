"""How fast a dialogue model replies here: time to the first character and characters per second.

    python benchmarks/chat_speed.py --model chat-en \
        --data ../shared/data/dialogue/chitchat/conversations.jsonl

Replies (temperature 0.7, top-p 0.9, as the Chat tab's defaults) to the last turns of held-out
conversations, each a context the model never trained on, in this process with ``--threads``
threads. Prints the median and the 90th percentile of the time from the request to the first
character (reading the context included) and of the characters per second after it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import default_hub
from aigc_demo.data.text import read_text
from aigc_demo.pipelines.replies import reply_stream
from aigc_demo.pipelines.writing import Sampling
from aigc_demo.text.dialogue import read_chat_log, split


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", type=Path, required=True, help="conversations; their held-out part is used")
    parser.add_argument("--replies", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = default_hub().load(args.model).module
    _, held = split(read_chat_log(read_text(args.data), args.data.name))
    contexts = [list(c.turns[: len(c.turns) // 2 * 2 - 1]) for c in held][: args.replies]
    first, speed, lengths = [], [], []
    for number, history in enumerate(contexts):
        started = time.perf_counter()
        stream = reply_stream(model, history, Sampling(0.7, 0, 0.9), seed=number)
        written = next(stream, "")
        first.append(time.perf_counter() - started)
        after = time.perf_counter()
        for written in stream:  # noqa: B007
            pass
        if len(written) > 1:
            speed.append((len(written) - 1) / (time.perf_counter() - after))
        lengths.append(len(written))
    print(f"{args.model}: {len(contexts)} replies to held-out contexts, {args.threads} threads")
    first_ms = statistics.median(first) * 1000, percentile(first, 0.9) * 1000
    print(f"time to first character: median {first_ms[0]:.0f} ms, 90th percentile {first_ms[1]:.0f} ms")
    print(
        f"characters per second after it: median {statistics.median(speed):.0f}, 10th percentile "
        f"{percentile(speed, 0.1):.0f}; reply length median {statistics.median(lengths):.0f} characters"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
