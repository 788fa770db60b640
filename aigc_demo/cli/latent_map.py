"""``latent-map``: store a latent map (codes of test images) in an image VAE checkpoint file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "latent-map"
HELP = "store the codes of a sample of test images in an image VAE checkpoint (the app's latent map)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, type=Path, help="an image VAE .safetensors file")
    parser.add_argument(
        "--data",
        required=True,
        type=Path,
        help="MNIST-format folder (its test split is used), or 'sprites' for the built-in sprites",
    )
    parser.add_argument(
        "--points", type=int, default=1000, help="test images on the map (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=0, help="which test images are drawn")


def run(args: argparse.Namespace) -> int:
    from aigc_demo import models
    from aigc_demo.backend.checkpoint import load_checkpoint, save_checkpoint
    from aigc_demo.data.sources import image_split
    from aigc_demo.training.latent_map import latent_map

    if not 10 <= args.points <= 5000:
        raise ValueError("--points must be between 10 and 5000")
    tensors, card = load_checkpoint(args.checkpoint)
    if card.kind != "image-vae":
        raise ValueError(f"{args.checkpoint} holds a {card.kind!r} model, not an image VAE")
    model = models.build(card.kind, card.config)
    model.load_state_dict(tensors)
    test, labelling = image_split(args.data, "test")
    names = labelling.get("class_names")
    card.extras["map"] = latent_map(model.eval(), test, args.points, args.seed, names)
    size = save_checkpoint(args.checkpoint, tensors, card)  # the weights are written back unchanged
    print(
        f"stored a map of {args.points} test images in {args.checkpoint} ({size / 1e6:.2f} MB)",
        file=sys.stderr,
    )
    return 0
