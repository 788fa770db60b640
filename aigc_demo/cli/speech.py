"""``speech``: speak digits to WAV files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aigc_demo.backend.hub import LoadedModel, default_hub
from aigc_demo.pipelines.speech import DEFAULT_TEMPERATURE

NAME = "speech"
HELP = "speak digits with a speech model and write WAV files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="fsdd-speech", help="speech model name")
    parser.add_argument("--digits", default="0123456789", help="digits to speak, e.g. 2026")
    parser.add_argument("--seed", type=int, default=0, help="voice seed")
    parser.add_argument(
        "--voice",
        type=float,
        nargs="*",
        default=[],
        help="offsets along the voice directions, in standard deviations",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=DEFAULT_TEMPERATURE,
        help="how far voices stray from the typical one (0.1-1)",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="one WAV file with all the digits")
    target.add_argument("--out-dir", type=Path, help="a folder of D_i.wav files, one clip each")
    parser.add_argument(
        "--per-digit",
        type=int,
        default=1,
        help="with --out-dir: clips per digit, voice seeds seed, seed+1, ...",
    )


def say(model: LoadedModel, digits: str, seed: int, args: argparse.Namespace, path: Path | None = None):
    """Speak ``digits`` and write them, labelled with their receipt, to ``path`` (else ``--out``)."""
    from aigc_demo.pipelines import receipts

    made = receipts.make(
        model, "speech", digits=digits, seed=seed, voice=args.voice, temperature=args.temperature
    )
    receipts.save(made, path or args.out)
    return made


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines.speech import parse_digits

    digits = parse_digits(args.digits)
    model = default_hub().load(args.checkpoint)
    if args.out is not None:
        made = say(model, args.digits, args.seed, args)
        seconds = len(made.content.wave) / made.content.sample_rate
        print(f"wrote {args.out} ({seconds:.2f} s)", file=sys.stderr)
        return 0
    if not 1 <= args.per_digit <= 1000:
        raise ValueError("--per-digit must be between 1 and 1000")
    for digit in sorted(set(digits)):
        for i in range(args.per_digit):
            say(model, str(digit), args.seed + i, args, args.out_dir / f"{digit}_{i}.wav")
    print(f"wrote {len(set(digits)) * args.per_digit} files to {args.out_dir}", file=sys.stderr)
    return 0
