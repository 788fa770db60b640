"""A character-level recurrent language model (LSTM or GRU), in the manner of char-rnn.

The model reads one character id at a time and carries a recurrent state, so continuing a
text costs one step per new character however long the prompt was. ``vocabulary`` (the
characters, in id order) is part of the config: a checkpoint alone can encode a prompt.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import nn

from aigc_demo.models.registry import register
from aigc_demo.text.vocabulary import Vocabulary

State = tuple[torch.Tensor, torch.Tensor] | torch.Tensor  # (h, c) for an LSTM, h for a GRU
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


@register("char-rnn")
class CharRNN(nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {"vocabulary": 4100, "embed_dim": 512, "hidden": 1024, "layers": 4}

    def __init__(
        self,
        vocabulary: str,
        unknown: str = "",
        cell: str = "lstm",
        embed_dim: int = 64,
        hidden: int = 512,
        layers: int = 2,
        dropout: float = 0.0,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.config = {
            "vocabulary": vocabulary,
            "unknown": unknown,
            "cell": cell,
            "embed_dim": embed_dim,
            "hidden": hidden,
            "layers": layers,
            "dropout": dropout,
        }
        self.vocabulary = Vocabulary(vocabulary, unknown)
        self.embed = nn.Embedding(len(vocabulary), embed_dim)
        self.rnn = CELLS[cell](
            embed_dim, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0
        )
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, len(vocabulary))

    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits for the character after each position of ``ids`` (batch, time), and the new state."""
        out, state = self.rnn(self.embed(ids), state)
        return self.head(self.drop(out)), state

    def step(self, ids: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """One character per sequence (``ids`` of shape (batch,)): logits (batch, vocab), new state.

        The same computation as ``forward`` on one time step, done with the plain cell functions:
        on a CPU, ``nn.LSTM`` called one step at a time pays a fixed set-up cost (oneDNN) several
        times larger than the step itself, and sampling calls it once per character.
        """
        x = self.embed(ids)
        lstm = self.config["cell"] == "lstm"
        hidden, cells = state if lstm else (state, None)
        new_hidden, new_cells = [], []
        for layer, weights in enumerate(self.rnn.all_weights):
            if lstm:
                h, c = torch.lstm_cell(x, (hidden[layer], cells[layer]), *weights)
                new_cells.append(c)
            else:
                h = torch.gru_cell(x, hidden[layer], *weights)
            new_hidden.append(h)
            x = h  # dropout between layers is a training-time operation
        hidden = torch.stack(new_hidden)
        return self.head(x), ((hidden, torch.stack(new_cells)) if lstm else hidden)


def detach(state: State) -> State:
    """Cut the graph at a chunk boundary (truncated back-propagation through time)."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * x) + 0.5  # the same function as 1 / (1 + e^-x), without overflow


class Stepper:
    """Continue rows of text one character per call: ids (rows,) in, logits (rows, vocabulary) out,
    both NumPy arrays. The rows' recurrent state is kept inside; rows join (``join``) and leave
    (``keep``) between calls, so one stepper can carry many requests at once (``pipelines.streams``).

    For a model on the CPU each step runs in NumPy, on the weights as they were when the stepper
    was made, laid out for it: an LSTM layer is one product of [input, hidden] with both weight
    matrices stacked and transposed to contiguous rows, which OpenBLAS multiplies two to three times
    faster for several rows than the transposed views, and in one call instead of two. One character
    is a handful of such products, and there PyTorch's fixed cost per operator (about twenty calls per
    step) and its slower single-row product make ``CharRNN.step`` about twice as slow; see
    ``benchmarks/text_speed.py``. A model on another device steps with ``CharRNN.step``.
    """

    def __init__(self, model: CharRNN, state: State | None = None):
        self.model = model
        self.lstm = model.config["cell"] == "lstm"
        self.on_cpu = next(model.parameters()).device.type == "cpu"
        if state is None:  # no rows yet: they join later
            empty = torch.zeros(model.config["layers"], 0, model.config["hidden"], device=device_of(model))
            state = (empty, empty) if self.lstm else empty
        if not self.on_cpu:
            self.state = state
            return
        hidden, cells = state if self.lstm else (state, None)
        self.hidden = list(as_numpy(hidden))
        self.cells = list(as_numpy(cells)) if self.lstm else []
        self.embedding = as_numpy(model.embed.weight)
        self.layers = [_laid_out(weights, self.lstm) for weights in model.rnn.all_weights]
        self.head = (np.ascontiguousarray(as_numpy(model.head.weight).T), as_numpy(model.head.bias))

    @property
    def top(self) -> np.ndarray:
        """Each row's output of the top layer after its newest character, (rows, hidden)."""
        if self.on_cpu:
            return self.hidden[-1]
        return as_numpy((self.state[0] if self.lstm else self.state)[-1].float().cpu())

    @property
    def rows(self) -> int:
        if self.on_cpu:
            return len(self.hidden[0])
        return (self.state[0] if self.lstm else self.state).shape[1]

    def join(self, state: State) -> None:
        """Carry more rows from now on: ``state`` (as the model's ``forward`` gives it) after this
        stepper's own rows, stepped together with them."""
        if not self.on_cpu:
            joined = zip(self.state, state, strict=True) if self.lstm else [(self.state, state)]
            merged = [torch.cat(pair, 1) for pair in joined]
            self.state = tuple(merged) if self.lstm else merged[0]
            return
        hidden, cells = state if self.lstm else (state, None)
        self.hidden = [np.concatenate(pair) for pair in zip(self.hidden, as_numpy(hidden), strict=True)]
        if self.lstm:
            self.cells = [np.concatenate(pair) for pair in zip(self.cells, as_numpy(cells), strict=True)]

    def keep(self, rows: np.ndarray) -> None:
        """Carry on with these rows only (indices, in order), dropping the others."""
        if not self.on_cpu:
            index = torch.as_tensor(rows, device=(self.state[0] if self.lstm else self.state).device)
            kept = [s.index_select(1, index) for s in (self.state if self.lstm else [self.state])]
            self.state = tuple(kept) if self.lstm else kept[0]
            return
        self.hidden = [h[rows] for h in self.hidden]
        self.cells = [c[rows] for c in self.cells]

    @torch.inference_mode()
    def __call__(self, ids: np.ndarray) -> np.ndarray:
        if not self.on_cpu:
            ids = torch.as_tensor(ids, device=device_of(self.model))
            logits, self.state = self.model.step(ids, self.state)
            return logits.float().cpu().numpy()
        x = self.embedding[ids]
        size = self.model.config["hidden"]  # gates are stacked in PyTorch's order: LSTM i f g o, GRU r z n
        for layer, weights in enumerate(self.layers):
            h = self.hidden[layer]
            if self.lstm:
                stacked, bias = weights
                gates = np.concatenate([x, h], 1) @ stacked + bias
                sigmoids = _sigmoid(gates)  # all four; the g quarter goes unused, one call beats three
                c = sigmoids[:, size : 2 * size] * self.cells[layer]
                c += sigmoids[:, :size] * np.tanh(gates[:, 2 * size : 3 * size])
                x = sigmoids[:, 3 * size :] * np.tanh(c)
                self.cells[layer] = c
            else:
                w_ih, w_hh, b_ih, b_hh = weights
                from_x, from_h = x @ w_ih + b_ih, h @ w_hh + b_hh
                r_z = _sigmoid(from_x[:, : 2 * size] + from_h[:, : 2 * size])
                n = np.tanh(from_x[:, 2 * size :] + r_z[:, :size] * from_h[:, 2 * size :])
                x = n + r_z[:, size:] * (h - n)
            self.hidden[layer] = x
        weight, bias = self.head
        return x @ weight + bias


def device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def _laid_out(weights: list[torch.Tensor], lstm: bool) -> tuple[np.ndarray, ...]:
    """One layer's weights as ``Stepper`` multiplies them: an LSTM's (``[w_ih | w_hh]`` transposed,
    ``b_ih + b_hh``), a GRU's four transposed (its new gate keeps the two products apart)."""
    w_ih, w_hh, b_ih, b_hh = (as_numpy(w) for w in weights)
    if lstm:
        return np.ascontiguousarray(np.concatenate([w_ih, w_hh], 1).T), b_ih + b_hh
    return np.ascontiguousarray(w_ih.T), np.ascontiguousarray(w_hh.T), b_ih, b_hh


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A float32 NumPy view of a tensor (a copy only when it is stored in another type or on another
    device)."""
    return tensor.detach().float().cpu().numpy()
