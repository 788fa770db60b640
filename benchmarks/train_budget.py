"""Training within a time budget: what the Train tab's presets reach in 90 seconds.

Runs the app's own training job (``aigc_demo.jobs.TrainingJobs``, the code the Train tab uses)
with a wall-clock budget. For text (``--data FILE``) it prints the validation loss (last 10% of
the file) of the model it saves, next to the steps and characters it got through; on
tiny-shakespeare this compares with nanoGPT's CPU recipe (4 layers, 128 wide, 2,000
iterations): validation loss 1.886 in about 90 s on 2 cores. For the built-in shapes
(``--kind sprites``) it prints the saved beta-VAE's test negative ELBO and how well its named
directions fit the factors that made the pictures. For a person's pictures (``--kind vae|gan
--data FOLDER_OR_ZIP``: MNIST's IDX files or a zip of pictures) it judges 5,000 samples with the
shipped digit classifier: Fréchet distance to the MNIST test set and, for a class-conditional
GAN, the share recognised as the digit asked for. For recordings (``--kind speech --data
FOLDER_OR_ZIP``) the shipped spoken-digit classifier judges 50 generated clips per digit.

Usage: python benchmarks/train_budget.py --data ../shared/data/tinyshakespeare/input.txt
       [--preset tiny] [--epochs 2] [--seconds 90] [--threads 2] [--json out.json]
       python benchmarks/train_budget.py --kind sprites [--preset tiny] [--epochs 5] [--seconds 180]
       python benchmarks/train_budget.py --kind vae --data ../shared/data/mnist --epochs 3 --seconds 180
       python benchmarks/train_budget.py --kind speech --data ../shared/data/fsdd --epochs 10 --seconds 180
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.archive import Limits
from aigc_demo.data.text import read_text
from aigc_demo.jobs import DEFAULT_LIMITS, TrainingJobs
from aigc_demo.recipes import JobRequest, app_recipes


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=[r.name for r in app_recipes()], default="text")
    parser.add_argument("--data", type=Path, help="a text file, or a folder or zip of pictures or recordings")
    parser.add_argument("--preset", choices=["tiny", "small", "base"], default="tiny")
    parser.add_argument("--epochs", type=int, default=2, help="the schedule's length; the budget may cut it")
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--picture", type=Path, help="save the last preview (pictures or spectrograms) here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.kind != "sprites" and args.data is None:
        parser.error(f"--data is needed for the {args.kind} kind")
    figures = {
        "kind": args.kind,
        "preset": args.preset,
        "epochs_planned": args.epochs,
        "budget_s": args.seconds,
        "threads": torch.get_num_threads(),
    }
    plan = f"{args.preset} preset, {args.epochs} epochs planned, {args.seconds:g} s budget"
    request = JobRequest(
        args.kind, "budget", preset=args.preset, epochs=args.epochs, minutes=args.seconds / 60
    )
    if args.kind == "sprites":
        done, wall, card = run_job(request)
        fits = {d["name"]: d["fit"] for d in card.extras["directions"]["named"]}
        figures.update(test_nelbo_nats=card.metrics["test_nelbo_nats"], fits=fits)
        shown = ", ".join(f"{name} {fit:.2f}" for name, fit in fits.items())
        result = (
            f"test negative ELBO {card.metrics['test_nelbo_nats']:.1f} nats per image; "
            f"direction fits: {shown}"
        )
        plan = "shapes, " + plan
    elif args.kind in ("vae", "gan"):
        request.files = [str(args.data)]  # a folder of IDX files, or of pictures, or a zip
        done, wall, card, model = run_job(request, keep_model=True)
        figures.update(card.metrics)
        result = judge_pictures(model, args.data, figures)
        plan = f"{args.kind}, {plan}"
    elif args.kind == "speech":
        request.files = [str(args.data)]
        done, wall, card, model = run_job(request, keep_model=True)
        figures.update(card.metrics)
        result = judge_speech(model, figures)
        plan = f"speech, {plan}"
    else:
        request.text, request.source = read_text(args.data), args.data.name
        done, wall, card = run_job(request, Limits(1, 1, max_chars=len(request.text)))
        config = card.extras["training"]
        chars = done.step * config["batch_size"] * config["seq_len"]
        figures.update(characters_seen=chars, valid_loss=card.metrics["valid_loss"])
        result = f"{chars:,} characters seen, validation loss {card.metrics['valid_loss']:.4f} nats/char"
    figures.update(wall_s=round(wall, 1), steps=done.step, steps_planned=done.total)
    if args.picture and args.kind != "text":
        from PIL import Image

        Image.fromarray(done.samples[-1][1]).save(args.picture)
    print(f"{plan}: {done.step}/{done.total} steps in {wall:.1f} s wall, {result}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def judge_pictures(model: torch.nn.Module, data: Path, figures: dict) -> str:
    """Fréchet distance of 5,000 samples to the MNIST test set in the shipped classifier's
    features (and the share recognised, for a class-conditional model); adds to ``figures``."""
    from aigc_demo.backend.hub import default_hub
    from aigc_demo.data.mnist import load_mnist
    from aigc_demo.evaluation.image import evaluate_samples

    classifier = default_hub().load("mnist-classifier").module
    report = evaluate_samples(model, classifier, load_mnist(data, "test"), samples=5000)
    figures.update(frechet_distance=round(report.frechet_distance, 2), recognised=report.recognition)
    shown = f"Fréchet distance {report.frechet_distance:.1f} (5,000 samples vs the test set)"
    if report.recognition is not None:
        shown += f", {report.recognition:.1%} recognised as the digit asked for"
    if "test_nelbo_nats" in figures:
        shown = f"held-out negative ELBO {figures['test_nelbo_nats']:.1f} nats per picture, " + shown
    return shown


def judge_speech(model: torch.nn.Module, figures: dict) -> str:
    """How often the shipped spoken-digit classifier hears the digit asked for (50 clips each)."""
    from aigc_demo.backend.hub import default_hub
    from aigc_demo.evaluation.speech import evaluate_speech

    report = evaluate_speech(model, default_hub().load("fsdd-digit-classifier").module)
    figures.update(recognised=round(report.recognition, 4))
    return f"{report.recognition:.1%} of generated digits recognised by fsdd-digit-classifier"


def run_job(request: JobRequest, limits: Limits = DEFAULT_LIMITS, keep_model: bool = False) -> tuple:
    """Run one job of the app's own training slot in a throw-away hub: (snapshot, wall s, card),
    and the saved model when ``keep_model``."""
    with tempfile.TemporaryDirectory() as folder:
        hub = ModelHub(Path(folder) / "shipped", Path(folder) / "user", device=torch.device("cpu"))
        jobs = TrainingJobs(hub, limits=limits)
        started = time.perf_counter()
        jobs.start(request)
        done = jobs.wait()
        wall = time.perf_counter() - started
        if done.state == "failed":
            raise SystemExit(done.message)
        found = (done, wall, hub.entry("budget").card)
        return (*found, hub.load("budget").module) if keep_model else found


if __name__ == "__main__":
    raise SystemExit(main())
