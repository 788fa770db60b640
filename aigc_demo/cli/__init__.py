"""``python -m aigc_demo``: one sub-command per module in ``COMMANDS``.

A command module provides ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
adding a feature's command means adding its module to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Sequence

import aigc_demo
from aigc_demo.backend.checkpoint import CheckpointError
from aigc_demo.backend.hub import UnknownModelError
from aigc_demo.cli import (
    chat,
    check,
    copies,
    evaluate,
    image,
    latent_map,
    models,
    poem_forms,
    serve,
    speech,
    text,
    train,
    typeset,
    video,
)

COMMANDS = (
    models,
    serve,
    image,
    speech,
    text,
    typeset,
    video,
    chat,
    train,
    evaluate,
    latent_map,
    poem_forms,
    check,
    copies,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aigc_demo", description="AIGC Studio: play with small generative models."
    )
    parser.add_argument("--version", action="version", version=f"aigc_demo {aigc_demo.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = commands.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # a long run's lines reach a log file as they come
        sys.stdout.reconfigure(line_buffering=True)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return args.run(args)
    except (ValueError, RuntimeError, OSError, UnknownModelError, CheckpointError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
