"""Train the dialogue model on conversations.

Each conversation is one stream (``text.dialogue``), cut into windows of ``window`` characters that
start at a turn's mark, so a window reads as a chat does: from the start of a turn, the earlier
turns as context. The next window starts at the turn the previous one cut, so each turn is read
whole at least once (but for turns longer than a window) and little is read twice. Every
character of a window is predicted; the weights of the best validation (held-out conversations,
nats per character) are kept.

With ``rank_batch``, each step also ranks: for that many (context, reply) pairs drawn from the
training conversations, every reply is scored after every context, and the loss asks each reply to
be likelier after its own context than after the others (a softmax over the contexts of the reply's
log-likelihood per character). Likelihood alone teaches what replies look like; this teaches which
context a reply answers, which is what ``eval chat`` ranks. ``max_steps`` ends a run early (a short
fine-tune).
"""

from __future__ import annotations

import bisect
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import torch

from aigc_demo.models.chat_rnn import ChatRNN
from aigc_demo.pipelines.replies import stream_nats
from aigc_demo.text.dialogue import MARKS, Conversation, context_text, reply_examples, reply_text
from aigc_demo.text.vocabulary import UNKNOWN, Vocabulary
from aigc_demo.training.common import Monitor, one_cycle, shuffled_batches, trainable_copy
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]
OnImproved = Callable[[ChatRNN, dict[str, float]], None]
PAD = -1  # a target past a conversation's end: not scored
RANK_CONTEXT = 200  # characters of context read before a ranked reply (its last whole turns)
RANK_REPLY = 160  # characters of a ranked reply (86% of Chit-Chat's replies fit)


@dataclass
class ChatTrainingConfig:
    epochs: int = 1
    batch_size: int = 32
    window: int = 256
    learning_rate: float = 3e-3
    weight_decay: float = 0.01
    clip: float = 1.0
    embed_dim: int = 64
    hidden: int = 384
    layers: int = 2
    key_dim: int = 64
    dropout: float = 0.1
    max_vocab: int | None = None  # cap the vocabulary; rarer characters share one mark
    rank_batch: int = 0  # (context, reply) pairs ranked against each other in each step; 0: none
    max_steps: int = 0  # stop after this many steps (0: every epoch whole)
    seed: int = 0


@dataclass(frozen=True)
class Windows:
    ids: torch.Tensor  # (count, window + 1) vocabulary ids, PAD past the end
    chars: torch.Tensor  # the same positions' code points (copying matches these)

    def __len__(self) -> int:
        return len(self.ids)

    def batch(self, rows: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, ...]:
        ids, chars = self.ids[rows].to(device), self.chars[rows].to(device)
        return ids[:, :-1].clamp_min(0), ids[:, 1:], chars


def window_starts(text: str, window: int) -> list[int]:
    """Where the windows of one conversation start: at turn marks, each at the mark of the turn the
    window before it cut; a turn longer than a window goes on in the next window from where it was
    cut. A window reads ``window + 1`` characters, so every character is predicted at least once."""
    marks = [i for i, c in enumerate(text) if c in MARKS[:2]]
    starts, position = [], 0
    while True:
        starts.append(position)
        end = position + window
        if end + 1 >= len(text):
            return starts
        inside = bisect.bisect_left(marks, end) - 1  # the last mark before the window's end
        position = marks[inside] if inside >= 0 and marks[inside] > position else end


def make_windows(conversations: list[Conversation], vocabulary: Vocabulary, window: int) -> Windows:
    rows_ids, rows_chars = [], []
    for conversation in conversations:
        text = conversation.text()
        ids = vocabulary.encode(text)
        chars = torch.tensor([ord(c) for c in text])
        for start in window_starts(text, window):
            piece = slice(start, start + window + 1)
            row_ids = torch.full((window + 1,), PAD)
            row_chars = torch.full((window + 1,), PAD)
            row_ids[: len(ids[piece])] = ids[piece]
            row_chars[: len(ids[piece])] = chars[piece]
            rows_ids.append(row_ids)
            rows_chars.append(row_chars)
    if not rows_ids:
        raise ValueError("no conversation to read")
    return Windows(torch.stack(rows_ids), torch.stack(rows_chars))


def new_chat_rnn(texts: list[str], config: ChatTrainingConfig) -> ChatRNN:
    """The model ``config`` asks for. Its vocabulary: the marks, the texts' characters (the most
    frequent, ``max_vocab`` in all) and an unknown mark, always — a person can type any character."""
    counts = Counter("".join(texts))
    for mark in (*MARKS, UNKNOWN):
        counts.pop(mark, None)
    if not counts:
        raise ValueError("the conversations hold no text")
    room = len(counts) if config.max_vocab is None else max(config.max_vocab - len(MARKS) - 1, 1)
    chars = "".join(sorted(char for char, _ in counts.most_common(room))) + UNKNOWN
    return ChatRNN(
        MARKS + chars,
        UNKNOWN,
        embed_dim=config.embed_dim,
        hidden=config.hidden,
        layers=config.layers,
        key_dim=config.key_dim,
        dropout=config.dropout,
    )


def window_loss(model: ChatRNN, inputs: torch.Tensor, targets: torch.Tensor, chars: torch.Tensor):
    """(summed nats, characters scored) of a batch of windows."""
    log_probs = model(inputs, targets, chars)
    scored = targets >= 0
    return -(log_probs * scored).sum(), scored.sum()


def ranking_loss(model: ChatRNN, pairs: list[tuple[list[str], str]]) -> torch.Tensor:
    """Mean over the replies of -log p(own context | reply): each reply's log-likelihood per
    character after each of the pairs' contexts, as a softmax over the contexts. Per character, as
    ``eval chat`` scores replies: summed, the scores of a 60-character reply differ by nats between
    contexts, the softmax is sharp and mostly wrong, and its gradients pull the language model off
    (R@1/10 0.367 and 1.374 nats per reply character after 500 steps, against 0.413 and 1.182)."""
    befores = [context_text(context, max_chars=RANK_CONTEXT) for context, _ in pairs]
    replies = [reply_text(reply[:RANK_REPLY]) for _, reply in pairs]
    streams = [(len(before), before + reply) for before in befores for reply in replies]
    nats, counts = stream_nats(model, streams)
    per_char = -(nats / counts).view(len(pairs), len(pairs))  # [context, reply]
    own = torch.arange(len(pairs), device=per_char.device)
    return torch.nn.functional.cross_entropy(per_char.T, own)


@torch.no_grad()
def evaluate_windows(model: ChatRNN, windows: Windows, batch_size: int = 32) -> float:
    """Mean nats per character over ``windows``."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    nats, count = 0.0, 0
    for start in range(0, len(windows), batch_size):
        rows = torch.arange(start, min(start + batch_size, len(windows)))
        total, scored = window_loss(model, *windows.batch(rows, device))
        nats, count = nats + float(total), count + int(scored)
    model.train(was_training)
    return nats / max(count, 1)


def train_chat_rnn(
    train: list[Conversation],
    valid: list[Conversation],
    config: ChatTrainingConfig,
    log: Log = print,
    on_improved: OnImproved | None = None,
    monitor: Monitor | None = None,
    start_from: ChatRNN | None = None,
    placement: Placement | None = None,
) -> tuple[ChatRNN, dict[str, float]]:
    """Train for ``config.epochs`` and return the model of the best validation, on the CPU.

    As ``train_char_rnn``: ``on_improved`` sees each improvement, a ``monitor`` watches and can stop
    the run, ``start_from`` continues a trained model (its architecture and vocabulary kept).
    """
    monitor = monitor or Monitor()
    placement = placement or Placement.choose()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    if start_from is None:
        model = new_chat_rnn([c.text() for c in train + valid], config)
    else:
        model = trainable_copy(start_from)
        model.language.drop.p = config.dropout
    train_windows = make_windows(train, model.vocabulary, config.window)
    pairs = [(context, reply) for context, reply, _ in reply_examples(train)] if config.rank_batch > 1 else []
    pair_draws = torch.Generator().manual_seed(config.seed + 1)
    valid_windows = make_windows(valid, model.vocabulary, config.window)
    model.to(placement.device)
    optimizer = torch.optim.AdamW(model.parameters(), config.learning_rate, weight_decay=config.weight_decay)
    optimiser_step = placement.optimiser_step()  # fp32 here: its loss scaler passes the loss through
    steps_per_epoch = math.ceil(len(train_windows) / config.batch_size)
    total = config.epochs * steps_per_epoch
    total = min(total, config.max_steps) if config.max_steps > 0 else total
    schedule = one_cycle(optimizer, config.learning_rate, 1, total, 1, 0.05, monitor)
    log(
        f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters, vocabulary "
        f"{len(model.vocabulary)}, {len(train)} training / {len(valid)} held-out conversations, "
        f"{len(train_windows)} windows of {config.window}, {steps_per_epoch} steps/epoch, {total} steps"
        + (f", {config.rank_batch} of {len(pairs)} replies ranked a step" if pairs else "")
    )
    best: dict[str, float] = {}
    best_weights: dict[str, torch.Tensor] = {}
    done = 0
    monitor.started(model, total)
    for epoch in range(1, config.epochs + 1):
        model.train()
        started, running, steps = time.perf_counter(), 0.0, 0
        for rows in shuffled_batches(len(train_windows), config.batch_size, generator):
            nats, scored = window_loss(model, *train_windows.batch(rows, placement.device))
            loss = nats / scored
            if pairs:
                drawn = torch.randint(len(pairs), (config.rank_batch,), generator=pair_draws)
                loss = loss + ranking_loss(model, [pairs[i] for i in drawn])
            optimiser_step(loss, optimizer, config.clip, model.parameters())
            schedule.step()
            running, steps, done = running + loss.item(), steps + 1, done + 1
            monitor.step(done, total, {"train": loss.item()})
            if steps % 200 == 0:
                log(f"  step {done}/{total}: train {running / steps:.4f} nats/char")
            if monitor.stop_requested() or done == total:
                break
        valid_loss = evaluate_windows(model, valid_windows)
        metrics = {
            "valid_loss": round(valid_loss, 4),
            "train_loss": round(running / max(steps, 1), 4),
            "epoch": round(epoch - 1 + steps / steps_per_epoch, 3),
            "epochs": config.epochs,
        }
        monitor.evaluated(done, metrics, model)
        if not best or valid_loss < best["valid_loss"]:
            best = metrics
            best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if on_improved is not None:
                on_improved(model, best)
        speed = steps * config.batch_size * config.window / (time.perf_counter() - started)
        log(f"epoch {epoch}/{config.epochs}: {metrics}, {speed:,.0f} chars/s")
        if steps < steps_per_epoch:
            break
    model.load_state_dict(best_weights)
    return model.cpu().eval(), best
