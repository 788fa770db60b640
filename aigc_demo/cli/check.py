"""``check``: read a file's AI-generated label and receipt, make the content again, compare."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aigc_demo.backend.hub import default_hub

NAME = "check"
HELP = "check a PNG or WAV this app made: exit 0 reproduced, 1 altered, 2 cannot check, 3 no label"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a PNG or WAV file")


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines.check import check_file

    verdict = check_file(default_hub(), args.file)
    if verdict.label is not None:
        print(f"label: {json.dumps(verdict.label.aigc, ensure_ascii=False)}")
        if verdict.label.receipt is not None:
            print(f"receipt: {json.dumps(verdict.label.receipt, ensure_ascii=False)}")
    print(verdict.message)
    return verdict.code
