"""Train a character-level RNN with truncated back-propagation through time (TBPTT).

The training text is cut into ``batch_size`` contiguous streams that are read side by side,
``seq_len`` characters at a time; the recurrent state flows from one chunk to the next (with
the graph cut between them), so the model learns from context longer than one chunk.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn.functional import cross_entropy

from aigc_demo.evaluation.text import evaluate_text
from aigc_demo.models.char_rnn import CharRNN, detach
from aigc_demo.text.vocabulary import Vocabulary
from aigc_demo.training import distributed
from aigc_demo.training.common import Monitor, one_cycle
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]
OnImproved = Callable[[CharRNN, dict[str, float]], None]


@dataclass
class TextTrainingConfig:
    epochs: int = 12
    batch_size: int = 64
    seq_len: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 0.01
    clip: float = 1.0  # largest gradient norm
    cell: str = "lstm"
    embed_dim: int = 64
    hidden: int = 512
    layers: int = 2
    dropout: float = 0.25
    max_vocab: int | None = None  # cap the vocabulary; rarer characters share one mark
    seed: int = 0


def continued(trained: CharRNN, text: str, dropout: float) -> CharRNN:
    """A trainable copy of ``trained`` (with ``dropout``) for more training on ``text``; refused
    when the text has characters the model cannot read (a vocabulary without an unknown mark)."""
    missing = trained.vocabulary.unknown_chars(text)
    if missing and not trained.vocabulary.unknown:
        shown = "".join(missing[:30])
        raise ValueError(
            f"the text has characters the starting model does not know ({shown}); it cannot learn them"
        )
    model = CharRNN(**{**trained.config, "dropout": dropout})
    model.load_state_dict(trained.state_dict())
    return model


def new_char_rnn(text: str, config: TextTrainingConfig) -> CharRNN:
    """The model ``config`` asks for, with a vocabulary of ``text`` (capped at ``max_vocab``)."""
    vocabulary = Vocabulary.from_text(text, config.max_vocab)
    return CharRNN(
        vocabulary.chars,
        vocabulary.unknown,
        cell=config.cell,
        embed_dim=config.embed_dim,
        hidden=config.hidden,
        layers=config.layers,
        dropout=config.dropout,
    )


def train_char_rnn(
    train_text: str,
    valid_text: str,
    config: TextTrainingConfig,
    log: Log = print,
    on_improved: OnImproved | None = None,
    monitor: Monitor | None = None,
    start_from: CharRNN | None = None,
    placement: Placement | None = None,
) -> tuple[CharRNN, dict[str, float]]:
    """Train for ``config.epochs`` and return the model of the epoch with the lowest validation loss.

    ``on_improved`` is called with the model and its metrics each time validation improves,
    so a long run can save as it goes. A ``monitor`` sees every step and can stop the run: the
    weights reached so far are then validated too, and the best model so far is returned.
    ``start_from`` continues from a trained model (resume, or fine-tune on new text): its
    architecture and vocabulary are kept, and the architecture fields of ``config`` are ignored.
    ``placement`` says where to train (default: the best device present); the model comes back
    on the CPU.
    """
    monitor = monitor or Monitor()
    placement = placement or Placement.choose()
    if placement.device.type == "cpu" and placement.precision != "fp32":
        raise ValueError("the text model trains in fp32 on the CPU (its LSTM has no bf16 or fp16 kernels)")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    text = train_text + valid_text
    model = new_char_rnn(text, config) if start_from is None else continued(start_from, text, config.dropout)
    vocabulary = model.vocabulary
    train_ids, valid_ids = vocabulary.encode(train_text), vocabulary.encode(valid_text)
    # Every epoch starts at an offset below seq_len, so each stream keeps at least this many columns.
    columns = (len(train_ids) - config.seq_len) // config.batch_size
    steps_per_epoch = (columns - 1) // config.seq_len
    if steps_per_epoch < 1:
        raise ValueError(
            f"the training text ({len(train_text):,} characters) is too short for batches of "
            f"{config.batch_size} x {config.seq_len}; use a smaller batch size or sequence length"
        )
    if config.batch_size % distributed.world_size():
        raise ValueError(
            f"the batch size ({config.batch_size}) must divide among the {distributed.world_size()} processes"
        )
    model.to(placement.device)
    runner = distributed.parallel(model)  # under torchrun: averages gradients across processes
    distributed.own_noise(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), config.learning_rate, weight_decay=config.weight_decay)
    optimiser_step = placement.optimiser_step()
    schedule = one_cycle(
        optimizer, config.learning_rate, config.epochs, steps_per_epoch, 1, warmup=0.1, monitor=monitor
    )
    parameters = sum(p.numel() for p in model.parameters())
    log(
        f"{parameters / 1e6:.2f}M parameters, vocabulary {len(vocabulary)}, {len(train_ids):,} training / "
        f"{len(valid_ids):,} validation characters, {steps_per_epoch} steps/epoch"
    )
    best: dict[str, float] = {}
    best_weights: dict[str, torch.Tensor] = {}
    total, done = config.epochs * steps_per_epoch, 0
    monitor.started(model, total)

    def validate(epoch: float, train_loss: float) -> float:
        nonlocal best, best_weights
        valid_loss = evaluate_text(model, valid_ids)
        metrics = {
            "valid_loss": round(valid_loss, 4),
            "valid_bits_per_char": round(valid_loss / math.log(2), 4),
            "train_loss": round(train_loss, 4),
            "epoch": round(epoch, 3),
            "epochs": config.epochs,
        }
        monitor.evaluated(done, metrics, model)
        if not best or valid_loss < best["valid_loss"]:
            best = metrics
            best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if on_improved is not None:
                on_improved(model, best)
        return valid_loss

    for epoch in range(1, config.epochs + 1):
        # A fresh offset each epoch moves the chunk boundaries, so no character is always first.
        offset = int(torch.randint(config.seq_len, (1,), generator=generator))
        width = (len(train_ids) - offset) // config.batch_size
        data = train_ids[offset : offset + width * config.batch_size].view(config.batch_size, width)
        # This process's streams (all of them without torchrun); a few MB of ids, so all on the device.
        data = distributed.my_share(data).to(placement.device)
        model.train()
        state, started, running = None, time.perf_counter(), 0.0
        for step in range(steps_per_epoch):
            chunk = data[:, step * config.seq_len : (step + 1) * config.seq_len + 1]
            with placement.autocast():
                logits, state = runner(chunk[:, :-1], state)
                loss = cross_entropy(logits.flatten(0, 1).float(), chunk[:, 1:].flatten())
            state = detach(state)
            optimiser_step(loss, optimizer, config.clip, model.parameters())
            schedule.step()
            running += loss.item()
            done += 1
            monitor.step(done, total, {"train": loss.item()})
            if monitor.stop_requested():
                break
        steps = step + 1
        train_loss = running / steps
        stopped = steps < steps_per_epoch
        valid_loss = validate(epoch - 1 + steps / steps_per_epoch, train_loss)
        speed = steps * config.batch_size * config.seq_len / (time.perf_counter() - started)
        log(
            f"epoch {epoch}/{config.epochs}{' (stopped)' if stopped else ''}: train {train_loss:.4f}, "
            f"validation {valid_loss:.4f} nats/char ({valid_loss / math.log(2):.3f} bits/char), "
            f"{speed:,.0f} chars/s"
        )
        if stopped:
            break
    model.load_state_dict(best_weights)
    return model.cpu().eval(), best
