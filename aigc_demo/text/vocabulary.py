"""The character vocabulary of a character-level language model.

A vocabulary is a string: character ``i`` has id ``i``. When it was capped (the Tang poems
use about 8,000 distinct characters; the rarest few thousand cover under 1% of the text),
one extra character stands for every character left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import torch

UNKNOWN = "\ufffd"  # U+FFFD REPLACEMENT CHARACTER, the usual mark for "some character we cannot show"


@dataclass(frozen=True)
class Vocabulary:
    chars: str
    unknown: str = ""  # the stand-in character, or "" when every character of the corpus is known

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("a vocabulary lists each character once")
        if self.unknown and self.unknown not in self.chars:
            raise ValueError("the unknown-character mark must be part of the vocabulary")

    @classmethod
    def from_text(cls, text: str, max_size: int | None = None) -> Vocabulary:
        """The text's characters (most frequent first kept when capped), in code-point order."""
        counts = Counter(text)
        if not counts:
            raise ValueError("cannot build a vocabulary from empty text")
        if max_size is None or len(counts) <= max_size:
            return cls("".join(sorted(counts)))
        if max_size < 2:
            raise ValueError("a capped vocabulary needs room for at least one character and the mark")
        counts.pop(UNKNOWN, None)
        kept = [char for char, _ in counts.most_common(max_size - 1)]
        return cls("".join(sorted(kept)) + UNKNOWN, UNKNOWN)

    def __len__(self) -> int:
        return len(self.chars)

    @cached_property
    def index(self) -> dict[str, int]:
        return {char: i for i, char in enumerate(self.chars)}

    def unknown_chars(self, text: str) -> str:
        """The distinct characters of ``text`` that the vocabulary lacks, in order of appearance."""
        known = set(self.chars)
        return "".join(dict.fromkeys(char for char in text if char not in known))

    def encode(self, text: str) -> torch.Tensor:
        """Ids of ``text``; characters outside the vocabulary become the unknown mark.

        Raises ``ValueError`` for an unknown character when the vocabulary has no mark:
        callers decide whether to drop such characters first (see ``unknown_chars``).
        """
        index = self.index
        fallback = index.get(self.unknown) if self.unknown else None
        ids = []
        for char in text:
            i = index.get(char, fallback)
            if i is None:
                raise ValueError(f"character {char!r} is not in the vocabulary")
            ids.append(i)
        return torch.tensor(ids, dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)
