"""``text``: continue a prompt with a text model, streaming the characters to stdout."""

from __future__ import annotations

import argparse
import sys

from aigc_demo.backend.hub import default_hub
from aigc_demo.models.char_rnn import CharRNN
from aigc_demo.pipelines.poem_form import FORM_CHOICES

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
        "--form",
        choices=FORM_CHOICES,
        default="free",
        help="Chinese poem models: the form of the poem, kept by constrained sampling (quatrain-5 is "
        "五言絕句, regulated-7 七言律詩, ...); free follows the mix of forms of the model's training poems",
    )
    parser.add_argument(
        "--simplified", action="store_true", help="Chinese models: print Simplified characters"
    )


def load_text_model(name: str) -> tuple[CharRNN, dict[str, float] | None]:
    """The text model ``name`` and the poem-form shares on its card (None when it has none)."""
    loaded = default_hub().load(name)
    if not isinstance(loaded.module, CharRNN):
        raise ValueError(f"{name!r} is not a text model")
    return loaded.module, loaded.entry.card.extras.get("poem_forms")


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines.poem_form import guide_for
    from aigc_demo.pipelines.writing import Sampling, check_request, prepare_prompt, sample_ids
    from aigc_demo.text.script import to_simplified

    model, shares = load_text_model(args.checkpoint)
    sampling = Sampling.checked(args.temperature, args.top_k, args.top_p)
    length, seed, _ = check_request(args.length, args.seed, 1)
    prompt = prepare_prompt(model, args.prompt)
    for note in prompt.notes:
        print(f"note: {note}", file=sys.stderr)
    show = to_simplified if args.simplified else str
    sys.stdout.write(show(prompt.text))
    chars = model.vocabulary.chars
    guide = guide_for(model.vocabulary, prompt.text, args.form, shares, seed, 1)
    for chosen in sample_ids(model, prompt.text, sampling, length, seed, 1, guide):
        if chosen[0] < 0:
            break
        sys.stdout.write(show(chars[int(chosen[0])]))
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0
