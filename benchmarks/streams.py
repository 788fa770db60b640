"""Writings stepped together, in one process (no server): what batching buys and what it changes.

- alone: one 300-character writing, the plain loop against the scheduler, alternated, medians;
- together: N writings at once (N = 1, 4, 16, 32, 64), all their characters per second and the time
  of one pass (one character for every writing);
- changes: ``--streams`` writings of ``--length`` characters, alone and then all at once, in
  ``--rounds`` rounds with new seeds; a writing's text in company is compared with its text alone up
  to where they first differ, so each difference is one character the batched arithmetic changed;
- memory: the state one row (one sample of one writing) keeps between passes.

Usage: python benchmarks/streams.py [--model shakespeare-lstm] [--rounds 4] [--streams 64]
       [--length 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines import streams, writing
from aigc_demo.settings import SHIPPED_CHECKPOINTS

SAMPLING = writing.Sampling(0.8)
PROMPTS = {"shakespeare-lstm": "ROMEO:", "tang-poems-lstm": "春江花月夜\n張若虛\n"}


def write(model, prompt: str, seed: int, length: int, scheduler=None) -> str:
    return writing.generate_text(model, prompt, SAMPLING, length, seed, scheduler=scheduler)[0]


def at_once(model, prompt: str, seeds: list[int], length: int) -> tuple[dict[int, str], float]:
    """Every seed's writing through the scheduler at the same time: (texts, wall seconds)."""
    scheduler = streams.scheduler_for(model)
    texts: dict[int, str] = {}

    def one(seed: int) -> None:
        texts[seed] = write(model, prompt, seed, length, scheduler)

    threads = [threading.Thread(target=one, args=(seed,)) for seed in seeds]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return texts, time.perf_counter() - started


def first_difference(a: str, b: str) -> int | None:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="shakespeare-lstm", choices=sorted(PROMPTS))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    model = ModelHub(SHIPPED_CHECKPOINTS, Path(tempfile.mkdtemp())).load(args.model).module
    prompt = PROMPTS[args.model]
    scheduler = streams.scheduler_for(model)
    figures: dict = {"model": args.model}

    plain, scheduled = [], []
    for seed in range(30):
        started = time.perf_counter()
        write(model, prompt, seed, 300)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        write(model, prompt, seed, 300, scheduler)
        scheduled.append(time.perf_counter() - started)
    figures["alone_ms"] = {
        "plain": round(statistics.median(plain) * 1000, 1),
        "scheduled": round(statistics.median(scheduled) * 1000, 1),
    }
    print(f"one 300-character writing alone (median of 30): {figures['alone_ms']} ms")

    figures["together"] = {}
    for count in (1, 4, 16, 32, 64):
        _, wall = at_once(model, prompt, list(range(count)), 500)
        figures["together"][count] = {
            "chars_per_s": round(count * 500 / wall),
            "pass_ms": round(wall / 500 * 1000, 2),
        }
        print(f"{count:>3} writings at once: {figures['together'][count]}")

    compared = changed = 0
    for round_ in range(args.rounds):
        seeds = list(range(1000 * (round_ + 1), 1000 * (round_ + 1) + args.streams))
        alone = {seed: write(model, prompt, seed, args.length) for seed in seeds}
        together, _ = at_once(model, prompt, seeds, args.length)
        for seed in seeds:
            where = first_difference(alone[seed], together[seed])
            compared += len(alone[seed]) if where is None else where + 1
            changed += where is not None
    figures["changes"] = {"characters_compared": compared, "changed": changed, "rate": changed / compared}
    print(f"changed by company: {changed} of {compared:,} characters ({changed / compared:.1e})")

    config = model.config
    state_bytes = 2 * config["layers"] * config["hidden"] * 4 + len(model.vocabulary.chars) * 4
    figures["state_bytes_per_row"] = state_bytes
    print(
        f"state kept per row between passes: {state_bytes / 1024:.1f} kB (hidden and cell, float32, + logits)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
