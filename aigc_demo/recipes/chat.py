"""The chat recipe: a dialogue model on conversations — a chat log file (the CLI) or a visitor's log."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import ClassVar

import torch

from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.archive import Limits
from aigc_demo.data.text import corpus_of, dataset_of, read_text
from aigc_demo.recipes.base import (
    JobRequest,
    Plan,
    Recipe,
    Run,
    Trained,
    apply_settings,
    check_varied,
    origin,
    parameter_count,
    planned_model,
    starting_model,
    trained_in_app,
)
from aigc_demo.text.dialogue import Conversation, read_chat_log, split
from aigc_demo.text.script import is_chinese
from aigc_demo.training.chat import ChatTrainingConfig, new_chat_rnn, train_chat_rnn
from aigc_demo.training.common import evaluating

ARCHITECTURE_FLAGS = ("embed_dim", "hidden", "layers", "key_dim", "max_vocab")
MAX_VOCABULARY = 4000  # characters a visitor's model keeps apart; rarer ones share one mark
MIN_CHARS = 400  # of conversation a visitor's log must hold
# What the previews ask, in the language of the training conversations.
OPENERS = {
    "en": ("hi! how are you doing today?", "what did you do this weekend?"),
    "zh": ("你好，最近看了什么电影？", "你喜欢听谁的歌？"),
}
DESCRIPTION = "Replies to a conversation one character at a time, copying words from it where they fit."


def held_out_or_all(conversations: list[Conversation]) -> tuple[list[Conversation], list[Conversation], str]:
    """(training, validation, what the validation is): the held-out part, or every conversation
    when the log is too small for one in ten to fall aside."""
    train, held = split(conversations)
    if held and train:
        return train, held, "held-out conversations (one in ten, by id)"
    return conversations, conversations, "the training conversations (too few to hold some out)"


class ChatRecipe(Recipe):
    name = "chat"
    model_kind = "chat-rnn"
    help = "character-level dialogue model (an LSTM with a pointer that copies) on conversations"
    data_help = 'conversations: JSON Lines of {"turns": [...]}, or "A: ..." / "B: ..." lines'
    config_class = ChatTrainingConfig
    storage_dtype = torch.float16  # a Chinese vocabulary makes the weights large; fp16 replies alike
    can_start_from = True
    presets: ClassVar[dict] = {
        "tiny": {"hidden": 128, "layers": 1, "embed_dim": 32, "key_dim": 32, "window": 128, "batch_size": 16},
        "small": {
            "hidden": 256,
            "layers": 2,
            "embed_dim": 48,
            "key_dim": 48,
            "window": 192,
            "batch_size": 16,
        },
        "base": {"hidden": 384, "layers": 2, "embed_dim": 64, "key_dim": 64, "window": 256, "batch_size": 32},
    }
    settings = ("batch_size", "learning_rate", "hidden", "layers")
    fine_tune_rate = 1e-3
    gives, shows = "text", "text"
    default_name = "my-chatbot"
    starts_from_app_model = True
    texts: ClassVar[dict] = {
        "kind": ("Chatbot (dialogue LSTM) on your chat log", "聊天机器人（对话 LSTM），用你的聊天记录"),
        "text": ("Your chat log", "你的聊天记录"),
        "placeholder": (
            "A: hi! how was your weekend?\nB: great, I went hiking. and yours?\nA: quiet, I read a book.\n\n"
            "A: what music do you like?\nB: …",
            "A: 你好！周末过得怎么样？\nB: 很好，我去爬山了。你呢？\nA: 挺安静的，看了一本书。\n\n"
            "A: 你喜欢什么音乐？\nB: ……",
        ),
        "format": (
            "One line per turn, starting A: or B:, a blank line between conversations (or JSON Lines of "
            '{"turns": [...]}). ',
            '每行一轮，以 A: 或 B: 开头，对话之间空一行（或每行一个 {"turns": [...]} 的 JSON）。',
        ),
        "valid": ("validation (held-out conversations)", "验证（留出的对话）"),
    }

    def least_text(self, preset: str) -> int:
        return MIN_CHARS

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--window", type=int, help="characters per training window (default 256)")
        parser.add_argument("--embed-dim", type=int)
        parser.add_argument("--hidden", type=int)
        parser.add_argument("--layers", type=int)
        parser.add_argument("--key-dim", type=int, help="size of the pointer's keys and queries")
        parser.add_argument("--dropout", type=float)
        parser.add_argument(
            "--max-vocab", type=int, help="cap the vocabulary; rarer characters share one mark"
        )
        parser.add_argument(
            "--rank-batch", type=int, help="(context, reply) pairs ranked against each other each step"
        )
        parser.add_argument("--max-steps", type=int, help="stop after this many steps (a short fine-tune)")

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        conversations = read_chat_log(read_text(args.data), args.data.name)
        train, valid, validation = held_out_or_all(conversations)
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        given = [name for name in ARCHITECTURE_FLAGS if getattr(args, name)]
        if start is not None and given:
            raise ValueError(
                f"--from keeps the starting model's architecture; drop --{given[0].replace('_', '-')}"
            )
        about = f"{len(train)} training and {len(valid)} validation conversations"
        extras = {"validation": validation}
        return Plan(
            self.config_from_args(args),
            (train, valid),
            start,
            dataset_of(args.data),
            DESCRIPTION,
            extras,
            about,
        )

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        text = request.text
        if not isinstance(text, str) or not text.strip():
            raise ValueError(
                'give a chat log: paste lines like "A: hi" and "B: hello", or upload a .txt or .jsonl file'
            )
        if len(text) > limits.max_chars:
            raise ValueError(
                f"the chat log has {len(text):,} characters; this server accepts up to {limits.max_chars:,}"
            )
        conversations = read_chat_log(text, request.source or "the chat log")
        size = sum(len(turn) for c in conversations for turn in c.turns)
        if size < MIN_CHARS:
            raise ValueError(
                f"the chat log is too short: give at least {MIN_CHARS} characters of turns (it has {size})"
            )
        check_varied(text)
        sizes = {**self.presets[request.preset], "max_vocab": MAX_VOCABULARY}
        config = ChatTrainingConfig(epochs=epochs, seed=request.seed, dropout=0.1, **sizes)
        start = starting_model(hub, request.start_from, self.model_kind)
        if start is not None:
            config.learning_rate = self.fine_tune_rate
        apply_settings(config, self.settings, request.settings, start is not None, None)
        train, valid, validation = held_out_or_all(conversations)
        extras = {**origin(request), "validation": validation}
        dataset = corpus_of(text, request.source)
        about = f"{len(train)} training and {len(valid)} validation conversations"
        return Plan(
            config, (train, valid), start, dataset, trained_in_app(request.source, request), extras, about
        )

    def footprint(self, plan: Plan) -> tuple[int, int]:
        """Weights of the model the loop would build (on the meta device); per step, the logits with
        their log-softmax and gradients, the LSTM's gates and states, and the pointer's scores over a
        window (several window x window tensors per sequence)."""
        config, (train, valid) = plan.config, plan.data
        model = planned_model(plan, lambda: new_chat_rnn([c.text() for c in train + valid], config))
        vocabulary = len(model.vocabulary)
        embed, hidden, layers = (model.config[k] for k in ("embed_dim", "hidden", "layers"))
        per_character = 4 * vocabulary + 8 * hidden * layers + embed + 8 * config.window
        return parameter_count(model), 4 * config.batch_size * config.window * per_character

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], str]:
        from aigc_demo.pipelines.replies import reply
        from aigc_demo.pipelines.writing import Sampling

        train, _ = plan.data
        chinese = is_chinese("".join(train[0].turns)) if train else False
        openers = OPENERS["zh" if chinese else "en"]

        def answer_openers(model: torch.nn.Module) -> str:
            with evaluating(model):
                return "\n\n".join(
                    f"A: {o}\nB: {reply(model, [o], Sampling(0.7), seed=0, max_chars=120)}" for o in openers
                )

        return answer_openers

    def train(self, plan: Plan, run: Run) -> Trained:
        train, valid = plan.data
        model, metrics = train_chat_rnn(
            train, valid, plan.config, on_improved=run.on_improved, **run.loop_options(plan)
        )
        return Trained(model, metrics, summary=f"validation loss {metrics['valid_loss']:.3f} nats/char")
