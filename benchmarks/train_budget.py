"""Training within a time budget: what the Train tab's presets reach in 90 seconds.

Runs the app's own training job (``training.jobs.TrainingJobs``, the code the Train tab uses)
with a wall-clock budget. For text (``--data FILE``) it prints the validation loss (last 10% of
the file) of the model it saves, next to the steps and characters it got through; on
tiny-shakespeare this compares with nanoGPT's CPU recipe (4 layers, 128 wide, 2,000
iterations): validation loss 1.886 in about 90 s on 2 cores. For the built-in shapes
(``--kind sprites``) it prints the saved beta-VAE's test negative ELBO and how well its named
directions fit the factors that made the pictures.

Usage: python benchmarks/train_budget.py --data ../shared/data/tinyshakespeare/input.txt
       [--preset tiny] [--epochs 2] [--seconds 90] [--threads 2] [--json out.json]
       python benchmarks/train_budget.py --kind sprites [--preset tiny] [--epochs 5] [--seconds 180]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.text import read_text
from aigc_demo.training.jobs import SpriteJobSpec, TextJobSpec, TrainingJobs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=["text", "sprites"], default="text")
    parser.add_argument("--data", type=Path, help="a text file (text kind)")
    parser.add_argument("--preset", choices=["tiny", "small", "base"], default="tiny")
    parser.add_argument("--epochs", type=int, default=2, help="the schedule's length; the budget may cut it")
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.kind == "text" and args.data is None:
        parser.error("--data is needed for the text kind")
    figures = {
        "kind": args.kind,
        "preset": args.preset,
        "epochs_planned": args.epochs,
        "budget_s": args.seconds,
        "threads": torch.get_num_threads(),
    }
    plan = f"{args.preset} preset, {args.epochs} epochs planned, {args.seconds:g} s budget"
    minutes = args.seconds / 60
    if args.kind == "sprites":
        done, wall, card = run_job(
            lambda jobs: jobs.start_sprites(SpriteJobSpec("budget", args.preset, args.epochs, minutes))
        )
        fits = {d["name"]: d["fit"] for d in card.extras["directions"]["named"]}
        figures.update(test_nelbo_nats=card.metrics["test_nelbo_nats"], fits=fits)
        shown = ", ".join(f"{name} {fit:.2f}" for name, fit in fits.items())
        result = (
            f"test negative ELBO {card.metrics['test_nelbo_nats']:.1f} nats per image; "
            f"direction fits: {shown}"
        )
        plan = "shapes, " + plan
    else:
        text = read_text(args.data)
        done, wall, card = run_job(
            lambda jobs: jobs.start_text(
                TextJobSpec("budget", text, args.data.name, args.preset, args.epochs, minutes)
            ),
            max_chars=len(text),
        )
        config = card.extras["training"]
        chars = done.step * config["batch_size"] * config["seq_len"]
        figures.update(characters_seen=chars, valid_loss=card.metrics["valid_loss"])
        result = f"{chars:,} characters seen, validation loss {card.metrics['valid_loss']:.4f} nats/char"
    figures.update(wall_s=round(wall, 1), steps=done.step, steps_planned=done.total)
    print(f"{plan}: {done.step}/{done.total} steps in {wall:.1f} s wall, {result}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def run_job(start: Callable[[TrainingJobs], object], max_chars: int = 2_000_000) -> tuple:
    """Run one job of the app's own training slot in a throw-away hub: (snapshot, wall s, card)."""
    with tempfile.TemporaryDirectory() as folder:
        hub = ModelHub(Path(folder) / "shipped", Path(folder) / "user", device=torch.device("cpu"))
        jobs = TrainingJobs(hub, max_chars=max_chars)
        started = time.perf_counter()
        start(jobs)
        done = jobs.wait()
        wall = time.perf_counter() - started
        if done.state == "failed":
            raise SystemExit(done.message)
        return done, wall, hub.entry("budget").card


if __name__ == "__main__":
    raise SystemExit(main())
