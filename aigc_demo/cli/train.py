"""``train``: train a model from a dataset and save it as a checkpoint."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import torch

from aigc_demo.backend.checkpoint import SUFFIX, ModelCard, save_checkpoint
from aigc_demo.backend.hub import check_model_name, default_hub
from aigc_demo.data import catalog

NAME = "train"
HELP = "train a model and save it as a checkpoint"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    speech = kinds.add_parser("speech", help="spoken-digit generator (conditional VAE)")
    classifier = kinds.add_parser("speech-classifier", help="spoken-digit classifier that judges it")
    for sub in (speech, classifier):
        sub.add_argument("--data", required=True, type=Path, help="folder or zip of D_speaker_N.wav files")
        sub.add_argument(
            "--out", required=True, help="a model name (saved in AIGC_HOME) or a path ending in .safetensors"
        )
        sub.add_argument("--epochs", type=int)
        sub.add_argument("--batch-size", type=int)
        sub.add_argument("--lr", type=float, dest="learning_rate")
        sub.add_argument("--seed", type=int)
        sub.add_argument("--threads", type=int, help="CPU threads for torch (default: all)")
    speech.add_argument("--beta", type=float, help="weight of the KL term")
    speech.add_argument("--latent-dim", type=int)
    speech.add_argument("--channels", type=int)
    speech.add_argument("--directions", type=int, dest="num_directions", help="voice sliders to find")


def _overrides(args: argparse.Namespace, names: tuple[str, ...]) -> dict:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def save(out: str, module: torch.nn.Module, card: ModelCard) -> Path:
    """Save to an explicit ``.safetensors`` path, or under a model name in the user folder."""
    if out.endswith(SUFFIX):
        path = Path(out)
        save_checkpoint(path, module.state_dict(), card)
        return path
    return default_hub().save(check_model_name(out), module, card).path


def run(args: argparse.Namespace) -> int:
    from aigc_demo.data.spoken_digits import load_spoken_digits
    from aigc_demo.training import speech as training

    if not args.out.endswith(SUFFIX):
        check_model_name(args.out)  # refuse a bad name before hours of training, not after
    if args.threads:
        torch.set_num_threads(args.threads)
    train, test = load_spoken_digits(args.data).split()
    print(f"{len(train)} training and {len(test)} held-out recordings from {args.data}", file=sys.stderr)
    common = ("epochs", "batch_size", "learning_rate", "seed")
    if args.kind == "speech":
        config = training.SpeechTrainingConfig(
            **_overrides(args, (*common, "beta", "latent_dim", "channels", "num_directions"))
        )
        model, metrics, directions = training.train_speech_cvae(train, test, config)
        extras = {"training": vars(config), "directions": directions}
        description = "Speaks a chosen digit (0-9) in a voice you can move through with sliders."
    else:
        config = training.ClassifierTrainingConfig(**_overrides(args, common))
        model, metrics = training.train_digit_classifier(train, test, config)
        extras = {"training": vars(config)}
        description = "Recognises spoken digits; judges the speech generator."
    card = ModelCard(
        kind="speech-cvae" if args.kind == "speech" else "speech-classifier",
        config=dict(model.config),
        dataset=catalog.FSDD,
        training_command="python -m aigc_demo " + shlex.join(sys.argv[1:]),
        seed=config.seed,
        metrics=metrics,
        description=description,
        extras=extras,
    )
    path = save(args.out, model, card)
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB): {metrics}", file=sys.stderr)
    return 0
