"""The text recipe: a character-level LSTM on a text file (the CLI) or a visitor's text (the app)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, ClassVar

import torch

from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.archive import Limits
from aigc_demo.data.text import SPLITS, corpus_of, dataset_of, read_text, split_text
from aigc_demo.models.char_rnn import CELLS
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
from aigc_demo.training.common import evaluating
from aigc_demo.training.text import TextTrainingConfig, new_char_rnn, train_char_rnn

ARCHITECTURE_FLAGS = ("cell", "embed_dim", "hidden", "layers", "max_vocab")
PREVIEW_LENGTH = 160
MAX_VOCABULARY = 4000  # characters a visitor's model keeps apart; rarer ones share one mark


class TextRecipe(Recipe):
    name = "text"
    model_kind = "char-rnn"
    help = "character-level RNN language model on a text file"
    data_help = "a UTF-8 text file, or tiny-shakespeare"
    config_class = TextTrainingConfig
    # The text models' vocabularies make them large; fp16 weights sample the same text to within rounding.
    storage_dtype = torch.float16
    can_start_from = placed = parallel = True
    # "tiny" learns words from a page of text within a minute or two on a CPU.
    presets: ClassVar[dict] = {
        "tiny": {"hidden": 128, "layers": 1, "embed_dim": 32, "seq_len": 64, "batch_size": 16},
        "small": {"hidden": 256, "layers": 2, "embed_dim": 48, "seq_len": 96, "batch_size": 32},
        "base": {"hidden": 384, "layers": 2, "embed_dim": 64, "seq_len": 128, "batch_size": 64},
    }
    settings = ("batch_size", "learning_rate", "hidden", "layers")
    public_datasets = ("tiny-shakespeare",)
    fine_tune_rate = 1e-3
    gives, shows = "text", "text"
    default_name = "my-text-model"
    texts: ClassVar[dict] = {
        "kind": ("Text (character-level LSTM)", "文本（字符级 LSTM）"),
        "valid": ("validation (last 10% of the text)", "验证（文本最后 10%）"),
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--split", choices=SPLITS, default="last10", help="validation text (default: last 10%%)"
        )
        parser.add_argument(
            "--classical-only",
            action="store_true",
            help="train on the poems whose half-lines are all 5 or all 7 characters (a corpus laid out "
            "like the Tang poems); the validation text is kept whole",
        )
        parser.add_argument("--seq-len", type=int, help="characters per truncated back-propagation chunk")
        parser.add_argument("--cell", choices=sorted(CELLS))
        parser.add_argument("--embed-dim", type=int)
        parser.add_argument("--hidden", type=int)
        parser.add_argument("--layers", type=int)
        parser.add_argument("--dropout", type=float)
        parser.add_argument(
            "--max-vocab", type=int, help="cap the vocabulary; rarer characters share one mark"
        )

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        from aigc_demo.text.poetry import classical_poems

        train, valid = split_text(read_text(args.data), args.split)
        extras: dict[str, Any] = {"split": args.split}
        if args.classical_only:
            train = classical_poems(train)
            if not train.strip():
                raise ValueError("--classical-only found no poems of classical form in the training text")
            extras["training_text"] = "classical-form poems of the training split only"
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        given = [name for name in ARCHITECTURE_FLAGS if getattr(args, name)]
        if start is not None and given:
            raise ValueError(
                f"--from keeps the starting model's architecture; drop --{given[0].replace('_', '-')}"
            )
        description = "Continues a text one character at a time."
        return Plan(
            self.config_from_args(args), (train, valid), start, dataset_of(args.data), description, extras
        )

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        text = request.text
        if not isinstance(text, str) or not text.strip():
            raise ValueError("give some text to learn from: paste it or upload a .txt file")
        if len(text) > limits.max_chars:
            raise ValueError(
                f"the text has {len(text):,} characters; this server accepts up to {limits.max_chars:,}"
            )
        sizes = {**self.presets[request.preset], "max_vocab": MAX_VOCABULARY}
        config = TextTrainingConfig(epochs=epochs, seed=request.seed, dropout=0.1, **sizes)
        start = starting_model(hub, request.start_from, self.model_kind)
        if start is not None:
            config.learning_rate = self.fine_tune_rate
        apply_settings(config, self.settings, request.settings, start is not None, None)  # length follows
        needed = _least(config.batch_size, config.seq_len)
        if len(text) < needed:
            raise ValueError(
                f"the text is too short for the {request.preset} preset: give at least {needed:,} "
                f"characters (it has {len(text):,})"
            )
        check_varied(text)
        if start is not None:
            missing = start.vocabulary.unknown_chars(text)
            if missing and not start.vocabulary.unknown:
                raise ValueError(
                    f"the text has characters {request.start_from!r} does not know "
                    f"({''.join(missing[:30])}); start afresh instead"
                )
        dataset = corpus_of(text, request.source)
        extras = {**origin(request), "split": "last10"}
        return Plan(config, split_text(text), start, dataset, trained_in_app(request.source, request), extras)

    def least_text(self, preset: str) -> int:
        sizes = self.presets[preset]
        return _least(sizes["batch_size"], sizes["seq_len"])

    def footprint(self, plan: Plan) -> tuple[int, int]:
        """The weights of the model the loop would build (counted on the meta device); per step, the
        logits with their log-softmax and gradients, and each layer's gates and states kept for the
        backward pass. Against the resident memory one step added on this machine: 330 vs 346 MB (batch 64 x
        64, hidden 256 x 2, 4,000 characters), 2.1 vs 1.9 GB (256 x 128, 512 x 2, 2,000)."""
        config, (train, valid) = plan.config, plan.data
        model = planned_model(plan, lambda: new_char_rnn(train + valid, config))
        vocabulary = len(model.vocabulary)
        embed, hidden, layers = (model.config[k] for k in ("embed_dim", "hidden", "layers"))
        per_character = 4 * vocabulary + 8 * hidden * layers + embed
        return parameter_count(model), 4 * config.batch_size * config.seq_len * per_character

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], str]:
        from aigc_demo.pipelines.writing import Sampling, generate_text

        train, _ = plan.data
        prompt = train.lstrip()[:1] or "\n"  # the first character of the text (a new line if blank)

        def continue_prompt(model: torch.nn.Module) -> str:
            with evaluating(model):
                return prompt + generate_text(model, prompt, Sampling(0.8), PREVIEW_LENGTH, seed=0)[0]

        return continue_prompt

    def train(self, plan: Plan, run: Run) -> Trained:
        from aigc_demo.text.poetry import corpus_forms

        train, valid = plan.data
        model, metrics = train_char_rnn(
            train,
            valid,
            plan.config,
            on_improved=run.on_improved,
            **run.loop_options(plan),
        )
        forms = corpus_forms(train)  # poems: their mix of forms, which free poems follow
        extras = {"poem_forms": forms} if forms else {}
        return Trained(model, metrics, extras, f"validation loss {metrics['valid_loss']:.3f} nats/char")


def _least(batch_size: int, seq_len: int) -> int:
    """Characters a text needs: the 90% trained on must fill one batch of streams ten times."""
    return 10 * batch_size * (seq_len + 1)
