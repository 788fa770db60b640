"""A world model on held-out clips of moving digits, and the dreams it makes.

Prints, for a world-model checkpoint and the MNIST digit judge:
  * Moving MNIST, 10 frames seen -> 10 predicted, on 1,000 clips of two test digits (never seen in
    training) under a fixed seed: squared error per frame (summed over the 64 x 64 pixels in [0, 1],
    averaged over frames and clips) of the model's mean guess, beside copying the last seen frame and
    moving each blob of ink on at its last velocity;
  * dreams: 5 frames of a one-digit test clip seen, 30 dreamed at each temperature; the share of dreamed
    frames in which the judge still reads the starting digit (all 30, and the last 10);
  * time per dreamed frame (one clip, as the page makes it) and to the first one, medians of runs.
With ``--write-card`` the figures go into the model's card.

Usage: python benchmarks/video.py --checkpoint checkpoints/mnist-world.safetensors
       --judge checkpoints/mnist-classifier.safetensors --data ../shared/data/mnist [--write-card]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo import models
from aigc_demo.backend.checkpoint import load_checkpoint, rewrite_card
from aigc_demo.data.mnist import load_mnist
from aigc_demo.data.moving_digits import SEEN, place, trajectories, validation_clips
from aigc_demo.evaluation.video import continuation_figures, dream_readability
from aigc_demo.pipelines import video
from aigc_demo.recipes.video import digits_of

DREAM_SEEN, DREAMED, DREAM_CLIPS = 5, 30, 200


def loaded(path: Path):
    tensors, card = load_checkpoint(path)
    model = models.build(card.kind, card.config)
    model.load_state_dict(tensors)
    return model.eval(), card


def dream_figures(model, judge, test, temperatures) -> dict[str, float]:
    """Readability of 30 dreamed frames after 5 seen, for one-digit clips of test digits."""
    rng = np.random.default_rng(7)
    chosen = rng.choice(len(test.labels), size=DREAM_CLIPS, replace=False)
    clips = place(digits_of(test)[chosen], trajectories(DREAM_CLIPS, DREAM_SEEN, rng))
    seen, labels = torch.from_numpy(clips).float() / 255, test.labels[chosen]
    figures = {}
    for temperature in temperatures:
        read = dream_readability(model, judge, seen, labels, DREAMED, temperature)
        figures[f"dream_read_t{temperature:g}"] = read["all"]
        figures[f"dream_read_last10_t{temperature:g}"] = read["last_ten"]
    return figures


def timings(model, digit: np.ndarray, runs: int = 20) -> dict[str, float]:
    """Median milliseconds per dreamed frame and to the first dreamed frame, for the page's clip."""
    real = video.real_clip([video.Mover(digit, (4.0, 4.0), 0.7)], SEEN + 20)
    per_frame, first = [], []
    for run in range(runs):
        started = time.perf_counter()
        frames = video.dreamed(model, real[:SEEN], 20, video.DREAM_TEMPERATURE, run)
        next(frames)
        first.append(time.perf_counter() - started)
        later = time.perf_counter()
        for _ in frames:
            pass
        per_frame.append((time.perf_counter() - later) / 19)
    return {
        "ms_first_frame": round(1000 * statistics.median(first), 1),
        "ms_per_frame": round(1000 * statistics.median(per_frame), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--judge", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="the MNIST folder")
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--write-card", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    model, _ = loaded(args.checkpoint)
    judge, _ = loaded(args.judge)
    test = load_mnist(args.data, "test")
    figures = continuation_figures(model, validation_clips(digits_of(test), args.clips), SEEN)
    figures |= dream_figures(model, judge, test, (0.0, 0.5, 1.0))
    figures |= timings(model, digits_of(test)[0])
    for key, value in figures.items():
        print(f"{key:<28}  {value}")
    if args.write_card:
        rewrite_card(args.checkpoint, lambda found: found.metrics.update(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
