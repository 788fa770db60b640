"""``chat``: reply to a message with a dialogue model, or score replies given their context."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from aigc_demo.backend.hub import default_hub
from aigc_demo.models.chat_rnn import ChatRNN

NAME = "chat"
HELP = "reply to a message with a dialogue model, or score replies (--score)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="chat-en", help="dialogue model name")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--message", help="what you say; the reply is printed")
    action.add_argument(
        "--score",
        type=Path,
        metavar="FILE.jsonl",
        help='lines {"context": [turns...], "reply": "..."}: print {"nats", "chars"} for each, in order',
    )
    parser.add_argument("--history", type=Path, help="a JSON list of the earlier turns, oldest first")
    parser.add_argument("--temperature", type=float, default=0.8, help="0.05-2; lower is safer")
    parser.add_argument(
        "--top-k", type=int, default=0, help="draw only from the k likeliest characters (0: off)"
    )
    parser.add_argument("--top-p", type=float, default=1.0, help="draw from the likeliest mass p (1: off)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same reply")
    parser.add_argument("--max-chars", type=int, default=200, help="longest reply, 1-400 characters")


def load_chat_model(name: str) -> ChatRNN:
    model = default_hub().load(name).module
    if not isinstance(model, ChatRNN):
        raise ValueError(f"{name!r} is not a dialogue model")
    return model


def read_json(path: Path, what: str) -> object:
    from aigc_demo.data.text import read_text

    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError:
        raise ValueError(f"{path.name} is not valid JSON ({what})") from None


def read_score_requests(path: Path) -> list[tuple[list[str], str]]:
    from aigc_demo.data.text import read_text
    from aigc_demo.pipelines.replies import check_history

    pairs = []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise ValueError(f"line {number} of {path.name} is not valid JSON") from None
        if not isinstance(record, dict) or not isinstance(record.get("reply"), str):
            raise ValueError(f'line {number} of {path.name} needs "reply": a text')
        context = check_history(record.get("context") or [])
        pairs.append((context, record["reply"]))
    return pairs


def run(args: argparse.Namespace) -> int:
    from aigc_demo.pipelines.replies import check_history, reply, score_replies
    from aigc_demo.pipelines.writing import Sampling

    model = load_chat_model(args.checkpoint)
    if args.score:
        for nats, chars in score_replies(model, read_score_requests(args.score)):
            print(json.dumps({"nats": round(nats, 6), "chars": chars}))
        return 0
    history = check_history(read_json(args.history, "a list of turns") if args.history else [])
    sampling = Sampling.checked(args.temperature, args.top_k, args.top_p)
    print(reply(model, check_history([*history, args.message]), sampling, args.seed, args.max_chars))
    return 0
