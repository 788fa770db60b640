"""``text``: continue a prompt with a text model, streaming the characters to stdout."""

from __future__ import annotations

import argparse
import sys

from aigc_demo.backend.hub import default_hub
from aigc_demo.models.char_rnn import CharRNN

NAME = "text"
HELP = "continue a prompt with a character-level text model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="shakespeare-lstm", help="text model name")
    parser.add_argument("--prompt", default="", help="text to continue (default: start a new line)")
    parser.add_argument("--length", type=int, default=400, help="characters to write (1-2000)")
    parser.add_argument(
        "--temperature", type=float, default=0.8, help="0.05-2; lower is safer, higher wilder"
    )
    parser.add_argument(
        "--top-k", type=int, default=0, help="draw only from the k likeliest characters (0: off)"
    )
    parser.add_argument("--top-p", type=float, default=1.0, help="draw from the likeliest mass p (1: off)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--simplified", action="store_true", help="Chinese models: print Simplified characters"
    )


def load_text_model(name: str) -> CharRNN:
    model = default_hub().load(name).module
    if not isinstance(model, CharRNN):
        raise ValueError(f"{name!r} is not a text model")
    return model


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines.text import Sampling, check_request, prepare_prompt, sample_ids
    from aigc_demo.text.script import to_simplified

    model = load_text_model(args.checkpoint)
    sampling = Sampling.checked(args.temperature, args.top_k, args.top_p)
    length, seed, _ = check_request(args.length, args.seed, 1)
    prompt = prepare_prompt(model, args.prompt)
    for note in prompt.notes:
        print(f"note: {note}", file=sys.stderr)
    show = to_simplified if args.simplified else str
    sys.stdout.write(show(prompt.text))
    chars = model.vocabulary.chars
    for chosen in sample_ids(model, prompt.text, sampling, length, seed):
        sys.stdout.write(show(chars[int(chosen[0])]))
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0
