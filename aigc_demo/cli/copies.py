"""``copies``: which spans of a text occur word for word in the text a model learned from (its
verdict and the spans as JSON), after its index is built once with ``--build --data``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aigc_demo.backend.hub import default_hub

NAME = "copies"
HELP = "find the spans of a text that a text or chat model's training text holds word for word"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="a text or chat model's name")
    parser.add_argument("--text", help="the text to check")
    parser.add_argument("--file", type=Path, help="a UTF-8 file whose text to check")
    parser.add_argument("--least", type=int, help="the shortest span reported (default: 30, Chinese 8)")
    parser.add_argument("--build", action="store_true", help="build the model's index from --data")
    parser.add_argument("--data", type=Path, help="with --build: the data the model was trained on")


def run(args: argparse.Namespace) -> int:
    from aigc_demo.data.text import read_text
    from aigc_demo.pipelines import copies

    hub = default_hub()
    loaded = hub.load(args.checkpoint)
    if loaded.entry.card.kind not in copies.KINDS:
        raise ValueError(f"{args.checkpoint!r} is not a text or chat model")
    if args.build:
        if args.data is None:
            raise ValueError("--build needs --data: the file the model was trained on")
        path = copies.build_index(hub, args.checkpoint, args.data)
        print(f"wrote {path}", file=sys.stderr)
        return 0
    if (args.text is None) == (args.file is None):
        raise ValueError("give --text or --file")
    text = args.text if args.text is not None else read_text(args.file)
    found = copies.check_copies(hub, args.checkpoint, text, args.least)
    print(json.dumps(found.as_json(text), ensure_ascii=False, indent=2))
    return 0
