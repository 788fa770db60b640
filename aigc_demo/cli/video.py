"""``video``: continue clips of moving digits with a world model (arrays in, arrays out), or dream a
clip from a seed as a labelled GIF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from aigc_demo.backend.hub import default_hub

NAME = "video"
HELP = "continue clips (.npy of uint8 frames) or dream one (a GIF) with a world model"
DREAM_SEEN = 5  # frames of the real clip a dream starts from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="mnist-world", help="world model name")
    parser.add_argument(
        "--context",
        type=Path,
        help="a .npy of uint8 [N, T, 64, 64]: T seen frames of N clips (white on black)",
    )
    parser.add_argument("--dream", action="store_true", help="dream a clip from a seed, written as a GIF")
    parser.add_argument("--frames", type=int, required=True, help="frames to make after the seen ones")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--temperature",
        type=float,
        help="how freely each next frame is drawn: 0 takes the model's mean guess (the default with "
        "--context and --dream), higher draws each frame more freely",
    )
    parser.add_argument("--digits", type=int, default=1, help="with --dream: moving digits (1 to 3)")
    parser.add_argument("--out", type=Path, required=True, help=".npy with --context, .gif with --dream")


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines import receipts, video

    loaded = default_hub().load(args.checkpoint)
    if loaded.entry.card.kind != "world-model":
        raise ValueError(f"{args.checkpoint!r} is not a world model")
    if args.dream == (args.context is not None):
        raise ValueError("give either --context IN.npy or --dream")
    if args.context is not None:
        seen = np.load(args.context, allow_pickle=False)
        video.check_lengths(video.SEEN[0], args.frames, args.temperature or 0.0)
        made = video.continue_clips(loaded.module, seen, args.frames, args.temperature or 0.0, args.seed)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.save(args.out, made)
        print(f"wrote {made.shape} frames to {args.out}", file=sys.stderr)
        return 0
    temperature = video.DREAM_TEMPERATURE if args.temperature is None else args.temperature
    movers = video.example_movers(loaded.module, args.seed, args.digits)
    made = receipts.make(
        loaded,
        "video",
        movers=[mover.as_setting() for mover in movers],
        seen=DREAM_SEEN,
        frames=args.frames,
        temperature=temperature,
        seed=args.seed,
    )
    receipts.save(made, args.out)
    print(f"wrote {args.out} (the real clip on the left, the dream on the right)", file=sys.stderr)
    return 0
