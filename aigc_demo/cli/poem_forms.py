"""``poem-forms``: store the mix of poem forms of a text model's training poems in its checkpoint."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aigc_demo.data.text import SPLITS

NAME = "poem-forms"
HELP = "store how a poem corpus divides among forms in a text model's checkpoint (the Text tab's free form)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, type=Path, help="a text model .safetensors file")
    parser.add_argument("--data", required=True, type=Path, help="the poems it was trained on (UTF-8 text)")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="last10",
        help="the split the model was trained with; its training part is counted (default %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    from aigc_demo.backend.checkpoint import read_card, rewrite_card
    from aigc_demo.data.text import read_text, split_text
    from aigc_demo.text.poetry import corpus_forms

    kind = read_card(args.checkpoint).kind
    if kind != "char-rnn":
        raise ValueError(f"{args.checkpoint} holds a {kind!r} model, not a text model")
    shares = corpus_forms(split_text(read_text(args.data), args.split)[0])
    if shares is None:
        raise ValueError(
            f"{args.data} is not a corpus of poems (title line, author line, body; a blank line between)"
        )
    size = rewrite_card(args.checkpoint, lambda card: card.extras.update(poem_forms=shares))
    print(f"stored {len(shares)} poem forms in {args.checkpoint} ({size / 1e6:.2f} MB)", file=sys.stderr)
    return 0
