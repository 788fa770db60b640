"""``type``: write a line in a typeface a glyph model makes up (or finds in a font file), or draw many
single glyphs of random typefaces for an evaluator."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from aigc_demo.backend.hub import default_hub

NAME = "type"
HELP = "write text in a made-up typeface (or a font file's, found by the model) to a PNG"
MAX_GLYPHS = 100_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="fonts-latin", help="typeface model name")
    parser.add_argument("--text", help="the line to write")
    parser.add_argument("--seed", type=int, default=0, help="the made-up typeface's seed")
    parser.add_argument("--family", default="", help="start from a family the model learned (its id)")
    parser.add_argument("--font", type=Path, help="a .ttf/.otf/.woff2 file whose style the model finds")
    parser.add_argument(
        "--direction",
        action="append",
        default=[],
        metavar="NAME=AMOUNT",
        help="move along a named direction, in standard deviations (e.g. weight=1.5); repeatable",
    )
    parser.add_argument(
        "--discovered",
        type=float,
        nargs="*",
        default=[],
        metavar="AMOUNT",
        help="move along the directions in which the learned families differ most (up to 4 amounts)",
    )
    parser.add_argument("--out", type=Path, help="the PNG to write")
    parser.add_argument("--glyphs", type=int, help="draw this many single glyphs of random typefaces")
    parser.add_argument("--npy", type=Path, help="with --glyphs: the (N, 64, 64) uint8 array to write")
    parser.add_argument("--labels-out", type=Path, help="with --glyphs: a JSON list of their characters")


def directions(given: list[str]) -> dict[str, float]:
    amounts = {}
    for item in given:
        name, _, amount = item.partition("=")
        try:
            amounts[name.strip()] = float(amount)
        except ValueError:
            raise ValueError(f"--direction takes NAME=AMOUNT, e.g. weight=1.5; got {item!r}") from None
    return amounts


def run(args: argparse.Namespace) -> int:
    loaded = default_hub().load(args.checkpoint)
    if loaded.entry.card.kind != "glyph-vae":
        raise ValueError(f"{args.checkpoint!r} is not a typeface model")
    if args.glyphs is not None:
        return write_glyphs(loaded.module, args)
    if not args.text or args.out is None:
        raise ValueError("give --text and --out (or --glyphs N with --npy and --labels-out)")
    from aigc_demo.pipelines import receipts, typefaces

    start = None
    if args.font is not None:
        start, count = typefaces.font_style(loaded.module, args.font.read_bytes())
        print(f"found the style of {args.font.name} from {count} of its characters", file=sys.stderr)
    made = receipts.make(
        loaded,
        "line",
        text=args.text,
        seed=args.seed,
        family=args.family,
        named=directions(args.direction),
        start=start,
        temperature=typefaces.TEMPERATURE,
        discovered=args.discovered,
    )
    receipts.save(made, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


@torch.inference_mode()
def write_glyphs(model: torch.nn.Module, args: argparse.Namespace) -> int:
    """``--glyphs N``: N glyphs, each a random typeface (drawn as the page draws one) and a random
    character of the model's set; white ink on black, as the training glyphs are."""
    from aigc_demo.pipelines import typefaces

    if not 1 <= args.glyphs <= MAX_GLYPHS or args.npy is None or args.labels_out is None:
        raise ValueError(f"--glyphs takes 1 to {MAX_GLYPHS:,}, with --npy and --labels-out")
    generator = torch.Generator().manual_seed(args.seed)
    styles = typefaces.made_up_styles(model, generator, typefaces.TEMPERATURE, args.glyphs)
    chars = torch.randint(0, len(model.chars), (args.glyphs,), generator=generator)
    device = model.family_codes.device
    pictures = np.concatenate(
        [
            (model.decode(styles[i : i + 512].to(device), chars[i : i + 512].to(device)) * 255)
            .round()
            .to(torch.uint8)
            .cpu()
            .numpy()
            for i in range(0, args.glyphs, 512)
        ]
    )
    args.npy.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.npy, pictures)
    args.labels_out.write_text(json.dumps([model.chars[i] for i in chars.tolist()], ensure_ascii=False))
    print(
        f"wrote {args.glyphs} glyphs to {args.npy} and their characters to {args.labels_out}", file=sys.stderr
    )
    return 0
