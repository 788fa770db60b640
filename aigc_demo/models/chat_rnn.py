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

import torch
from torch import nn
from torch.nn.functional import log_softmax

from aigc_demo.models.char_rnn import CharRNN
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
    """Continue a conversation one character per call, giving the next character's distribution.

    Keeps the LSTM's state and, for the pointer, every earlier position's key and the vocabulary
    id of the character that followed it. The newest position has no follower yet, so the pointer
    looks at all but the last key.
    """

    def __init__(self, model: ChatRNN):
        self.model = model
        self.state = None
        self.keys = torch.zeros(0, model.config["key_dim"])
        self.followers: list[int] = []  # vocabulary id of each character read after the first
        self.last: torch.Tensor | None = None  # the LSTM's top layer after the newest character

    @torch.inference_mode()
    def read(self, ids: torch.Tensor) -> None:
        """Read characters (``ids`` of shape (time,)) in one pass."""
        if len(ids) == 0:
            return
        language = self.model.language
        out, self.state = language.rnn(language.embed(ids[None]), self.state)
        self._remember(out[0], ids)

    @torch.inference_mode()
    def step(self, next_id: int) -> None:
        """Read one character: a single LSTM step (``CharRNN.step``, cheaper than a pass of one)."""
        ids = torch.tensor([next_id])
        _, self.state = self.model.language.step(ids, self.state)
        self._remember(self.state[0][-1], ids)

    def _remember(self, top: torch.Tensor, ids: torch.Tensor) -> None:
        if self.last is not None:
            self.followers.append(int(ids[0]))
        self.followers.extend(ids[1:].tolist())
        self.keys = torch.cat([self.keys, self.model.key(top).float()])
        self.last = top[-1]

    @torch.inference_mode()
    def distribution(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next character's log-probabilities over the vocabulary (the pointer's weight added to
        the ids it proposes) and the pointer's weights: the sentinel's share, then one per earlier
        position."""
        model = self.model
        vocab = log_softmax(model.language.head(self.last).float(), -1)
        query = model.query(self.last).float() / math.sqrt(model.config["key_dim"])
        scores = self.keys[: len(self.followers)] @ query
        weights = torch.cat([(query @ model.sentinel.float())[None], scores]).softmax(-1)
        mixed = vocab.exp() * weights[0]
        mixed.index_add_(0, torch.tensor(self.followers, dtype=torch.long), weights[1:])
        return mixed.clamp_min(1e-30).log(), weights
