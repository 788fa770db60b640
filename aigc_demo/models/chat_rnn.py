"""A character-level dialogue model: an LSTM that reads the conversation, and a pointer that copies.

A conversation is one stream of characters: each turn opens with its speaker's mark and closes
with the end-of-turn mark (``text.dialogue``), so a reply is whatever follows the reply mark up to
the end mark, and the model reads the context as it reads everything else.

Replies often reuse the context's words and names, which an LSTM must otherwise carry in its
state. So the next character is given two ways (a pointer-sentinel mixture, after Merity et al.,
2016): the LSTM's softmax over the vocabulary, and a pointer over the earlier positions of the
stream — attending to position ``s`` proposes the character that followed ``s``. One softmax over
the earlier positions and a learned sentinel sets the mix: the sentinel's share goes to the
vocabulary. Keys and queries are projections of the LSTM's top layer; the attention of each reply
character over the context is the pointer's weights.

Copying matches characters by their code point, so a name outside a capped vocabulary can still be
copied (and scored) exactly; the vocabulary softmax gives such a character its unknown mark's share.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import torch
from torch import nn
from torch.nn.functional import log_softmax

from aigc_demo.models.char_rnn import CharRNN, Stepper, as_numpy, device_of
from aigc_demo.models.registry import register
from aigc_demo.text.vocabulary import Vocabulary

NEVER = -1e9  # a score no position reaches: masked out of the pointer's softmax


@register("chat-rnn")
class ChatRNN(nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {
        "vocabulary": 4100,
        "embed_dim": 512,
        "hidden": 1024,
        "layers": 4,
        "key_dim": 256,
    }

    def __init__(
        self,
        vocabulary: str,
        unknown: str = "",
        embed_dim: int = 64,
        hidden: int = 384,
        layers: int = 2,
        key_dim: int = 64,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.language = CharRNN(vocabulary, unknown, "lstm", embed_dim, hidden, layers, dropout)
        self.config = {**self.language.config, "key_dim": key_dim}
        del self.config["cell"]
        self.query = nn.Linear(hidden, key_dim)
        self.key = nn.Linear(hidden, key_dim)
        self.sentinel = nn.Parameter(torch.zeros(key_dim))

    @property
    def vocabulary(self) -> Vocabulary:
        return self.language.vocabulary

    def read(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Read ``ids`` (batch, time): the vocabulary's log-probabilities for the next character
        (batch, time, vocab), the pointer's scores over earlier positions (batch, time, time; a
        position may look at those before it) and the sentinel's score (batch, time)."""
        out, _ = self.language.rnn(self.language.embed(ids))
        out = self.language.drop(out)
        vocab = log_softmax(self.language.head(out).float(), -1)
        query = self.query(out).float() / math.sqrt(self.config["key_dim"])
        scores = query @ self.key(out).float().transpose(1, 2)
        time = ids.shape[1]
        earlier = torch.ones(time, time, dtype=torch.bool, device=ids.device).tril(-1)
        scores = scores.masked_fill(~earlier, NEVER)
        return vocab, scores, query @ self.sentinel.float()

    def target_log_probs(
        self, ids: torch.Tensor, targets: torch.Tensor, chars: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Log-probability of each ``targets[:, t]`` (the character after ``ids[:, t]``), shape
        (batch, time). ``chars`` are the code points of ``ids`` followed by the targets' (batch,
        time + 1) for copying characters the vocabulary lacks; by default the ids are matched."""
        vocab, scores, sentinel = self.read(ids)
        whole = torch.cat([sentinel[..., None], scores], -1)
        total = whole.logsumexp(-1)
        safe = targets.clamp_min(0)  # padding (negative) is scored as id 0 and masked by the caller
        from_vocab = sentinel + vocab.gather(-1, safe[..., None])[..., 0]
        if chars is None:
            chars = torch.cat([ids, safe[:, -1:]], 1)
        followers = chars[:, 1:]  # the character each position proposes: the one after it
        wanted = chars[:, 1:]  # the character to predict at each position
        matches = followers[:, None, :] == wanted[:, :, None]
        from_pointer = scores.masked_fill(~matches, NEVER).logsumexp(-1)
        return torch.logaddexp(from_vocab, from_pointer) - total

    def forward(self, ids: torch.Tensor, targets: torch.Tensor, chars: torch.Tensor | None = None):
        return self.target_log_probs(ids, targets, chars)


class ChatStepper:
    """Continue conversations one character per call, many rows at once: each row's LSTM state (one
    batched ``Stepper``, whose logits it reads) and, for its pointer, every earlier position's key and
    the vocabulary id of the character that followed it. The newest position has no follower yet, so
    the pointer looks at all but the last key. Rows join (``read``) and leave (``keep``) between calls
    (``pipelines.streams``); all of it in NumPy, on the weights as they were when it was made."""

    def __init__(self, model: ChatRNN):
        self.model = model
        self.language = Stepper(model.language)
        scale = np.float32(math.sqrt(model.config["key_dim"]))
        self.key_weights = (_transposed(model.key.weight), as_numpy(model.key.bias))
        self.query_weights = (_transposed(model.query.weight), as_numpy(model.query.bias), scale)
        self.sentinel = as_numpy(model.sentinel)
        self.head = (_transposed(model.language.head.weight), as_numpy(model.language.head.bias))
        self.memories: list[_Memory] = []
        self.logits = np.zeros((0, len(model.vocabulary)), np.float32)  # each row's next character
        self._last_read: tuple | None = None  # the last text read, and what reading it gave

    @property
    def rows(self) -> int:
        return len(self.memories)

    @torch.inference_mode()
    def read(self, ids: torch.Tensor, copies: int = 1) -> None:
        """Add ``copies`` rows that have read the characters ``ids`` (shape (time,), at least one) in
        one pass."""
        text = ids.numpy().tobytes()
        if self._last_read is None or self._last_read[0] != text:  # an answer's candidates read one text
            language = self.model.language
            out, state = language.rnn(language.embed(ids[None].to(device_of(self.model))))
            keys = as_numpy(self.model.key(out[0]))
            weight, bias = self.head
            self._last_read = (text, state, keys, as_numpy(out[0, -1:]) @ weight + bias)
        _, state, keys, logits = self._last_read
        followers = ids[1:].numpy()
        for _ in range(copies):
            self.language.join(state)
            self.memories.append(_Memory(keys, followers))
            self.logits = np.concatenate([self.logits, logits])

    def keep(self, rows: np.ndarray) -> None:
        """Carry on with these rows only (indices, in order)."""
        self.language.keep(rows)
        self.memories = [self.memories[row] for row in rows]
        self.logits = self.logits[rows]

    def step(self, ids: np.ndarray) -> None:
        """Read one character per row (``ids`` of shape (rows,)) in one batched LSTM step."""
        self.logits = self.language(ids)
        weight, bias = self.key_weights
        keys = self.language.top @ weight + bias
        for memory, follower, key in zip(self.memories, ids.tolist(), keys, strict=True):
            memory.add(follower, key)

    def distribution(self, first_row: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each row from ``first_row`` on: the next character's log-probabilities over the
        vocabulary (the pointer's weight added to the ids it proposes) and the pointer's weights: the
        sentinel's share, then one per earlier position."""
        top, logits = self.language.top[first_row:], self.logits[first_row:]
        shifted = logits - logits.max(-1, keepdims=True)
        vocab = np.exp(shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)))
        weight, bias, scale = self.query_weights
        queries = (top @ weight + bias) / scale
        sentinels = queries @ self.sentinel
        shown = []
        for memory, query, sentinel, probabilities in zip(
            self.memories[first_row:], queries, sentinels, vocab, strict=True
        ):
            keys, followers = memory.proposals()
            scores = np.concatenate([[sentinel], keys @ query])
            weights = np.exp(scores - scores.max())
            weights /= weights.sum()
            mixed = probabilities * weights[0]
            mixed += np.bincount(followers, weights[1:], minlength=len(mixed)).astype(np.float32)
            shown.append((np.log(np.maximum(mixed, 1e-30)), weights))
        return shown


class _Memory:
    """One row's pointer memory: the key of every position read, and the id that followed each."""

    def __init__(self, keys: np.ndarray, followers: np.ndarray):
        self.count = len(keys)
        self.keys = np.zeros((2 * self.count + 64, keys.shape[1]), np.float32)
        self.keys[: self.count] = keys
        self.followers = np.zeros(len(self.keys), np.int64)
        self.followers[: self.count - 1] = followers

    def add(self, follower: int, key: np.ndarray) -> None:
        if self.count == len(self.keys):  # room doubles, so a long reply copies rarely
            self.keys = np.concatenate([self.keys, np.zeros_like(self.keys)])
            self.followers = np.concatenate([self.followers, np.zeros_like(self.followers)])
        self.followers[self.count - 1] = follower
        self.keys[self.count] = key
        self.count += 1

    def proposals(self) -> tuple[np.ndarray, np.ndarray]:
        """The keys of the positions that have a follower, and those followers."""
        return self.keys[: self.count - 1], self.followers[: self.count - 1]


def _transposed(weight: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(as_numpy(weight).T)
