"""Chat answers for many visitors at once, in one process (no server), for this checkout or another.

    python benchmarks/chat_burst.py --data ../shared/data/dialogue/chitchat/conversations.jsonl \
        [--code /tmp/before] [--visitors 16] [--answers 20]

An answer is the Chat page's: the best of four replies (``replies.best_reply``), at the page's
settings (temperature 0.7, top-p 0.9), to the last turns of held-out conversations. Measured: one
visitor alone (median of ``--answers``), then ``--visitors`` threads each asking for one answer at
the same moment (answers per second; and how many are what the same request gave alone). With
``--code`` the modules are imported from that checkout (an older one, measured the same way); where
its ``best_reply`` takes no scheduler, every visitor's answer is written by its own thread, as it was.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", type=Path, required=True, help="conversations; their held-out part is used")
parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
parser.add_argument("--model", default="chat-en")
parser.add_argument("--visitors", type=int, default=16)
parser.add_argument("--answers", type=int, default=20)
args = parser.parse_args()
sys.path.insert(0, str(args.code.resolve()))

from aigc_demo.backend.hub import ModelHub  # noqa: E402
from aigc_demo.data.text import read_text  # noqa: E402
from aigc_demo.pipelines import replies  # noqa: E402
from aigc_demo.pipelines.writing import Sampling  # noqa: E402
from aigc_demo.text.dialogue import read_chat_log, split  # noqa: E402

SAMPLING = Sampling(0.7, 0, 0.9)


def main() -> int:
    model = ModelHub(args.code / "checkpoints", Path(tempfile.mkdtemp())).load(args.model).module
    _, held = split(read_chat_log(read_text(args.data)))
    histories = [list(c.turns[:-1][-4:]) for c in held if len(c.turns) > 1][
        : max(args.answers, args.visitors)
    ]
    together = {}
    if "scheduler" in inspect.signature(replies.best_reply).parameters:
        from aigc_demo.pipelines import streams

        together = {"scheduler": streams.scheduler_for(model)}
    print(f"{args.code}: {'stepped together' if together else 'each answer in its own thread'}")

    def answer(index: int) -> str:
        return replies.best_reply(model, histories[index], SAMPLING, seed=index, **together)

    answer(0)  # warm
    times, alone = [], {}
    for index in range(args.answers):
        started = time.perf_counter()
        alone[index] = answer(index)
        times.append(time.perf_counter() - started)
    print(f"one visitor alone: median {statistics.median(times) * 1000:.0f} ms an answer")

    answers: dict[int, str] = {}
    threads = [
        threading.Thread(target=lambda i=i: answers.update({i: answer(i)})) for i in range(args.visitors)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    same = sum(answers[i] == alone.get(i, answer(i)) for i in range(args.visitors))
    print(
        f"{args.visitors} visitors at once: {args.visitors / wall:.1f} answers a second, the last after "
        f"{wall:.1f} s; {same} of {args.visitors} the answer alone"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
