"""``image``: sample pictures from an image model into a PNG grid and/or a NumPy file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from aigc_demo.backend.hub import default_hub

NAME = "image"
HELP = "sample images from an image model (PNG grid, .npy array)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="mnist-vae", help="image model name")
    parser.add_argument("--n", type=int, default=64, help="how many images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", type=int, help="class to draw (class-conditional models)")
    parser.add_argument(
        "--out", type=Path, help="PNG of the images in a grid, labelled as AI-generated, with its receipt"
    )
    parser.add_argument("--npy", type=Path, help="float32 N x C x H x W array in [0, 1] (white ink on black)")
    parser.add_argument(
        "--labels-out", type=Path, help="int64 array of the classes drawn (conditional models)"
    )


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines import receipts
    from aigc_demo.pipelines.image import sample

    if args.out is None and args.npy is None:
        raise ValueError("say where to write the images: --out grid.png and/or --npy images.npy")
    loaded = default_hub().load(args.checkpoint)
    if args.out is not None:
        made = receipts.make(loaded, "samples", count=args.n, seed=args.seed, **{"class": args.label})
        receipts.save(made, args.out)
    if args.npy is not None or args.labels_out is not None:  # arrays for measuring, not for people
        images, labels = sample(loaded.module, args.n, args.seed, args.label)
        if args.labels_out is not None and labels is None:
            raise ValueError(f"{args.checkpoint} is not class-conditional, so it has no labels to write")
        if args.npy is not None:
            args.npy.parent.mkdir(parents=True, exist_ok=True)
            np.save(args.npy, images.numpy().astype(np.float32))
        if args.labels_out is not None:
            np.save(args.labels_out, labels.numpy().astype(np.int64))
    written = ", ".join(str(p) for p in (args.out, args.npy, args.labels_out) if p is not None)
    print(f"wrote {args.n} images to {written}", file=sys.stderr)
    return 0
