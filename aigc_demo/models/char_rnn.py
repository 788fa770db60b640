"""A character-level recurrent language model (LSTM or GRU), in the manner of char-rnn.

The model reads one character id at a time and carries a recurrent state, so continuing a
text costs one step per new character however long the prompt was. ``vocabulary`` (the
characters, in id order) is part of the config: a checkpoint alone can encode a prompt.
"""

from __future__ import annotations

import torch
from torch import nn

from aigc_demo.models.registry import register
from aigc_demo.text.vocabulary import Vocabulary

State = tuple[torch.Tensor, torch.Tensor] | torch.Tensor  # (h, c) for an LSTM, h for a GRU
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


@register("char-rnn")
class CharRNN(nn.Module):
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
