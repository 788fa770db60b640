"""An index of a training text that finds, for any new text, every span of it that occurs in the
training text word for word: a suffix array (the start of every suffix of the text, in sorted order)
beside the text's code points, and where each source (a play's speaker, a poem, a conversation)
begins, so a span can say where it comes from.

Built once (prefix doubling with NumPy: about a second per million characters), kept as ``.npy`` arrays (8
bytes a character, mapped from disk, never unpickled), searched by binary search: finding
the longest match at a position costs a few dozen comparisons however long the training text is.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_QUERY = 20_000  # characters of a text checked at once


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` occurs in the training text; ``source`` names where one occurrence is."""

    start: int
    end: int
    source: str


def suffix_array(codes: np.ndarray) -> np.ndarray:
    """The starts of every suffix of ``codes`` in sorted order (prefix doubling: sort by the first
    k symbols, then by 2k, using the ranks of the first sort as keys)."""
    count = len(codes)
    rank = np.unique(codes, return_inverse=True)[1].astype(np.int64)
    order = np.argsort(rank, kind="stable")
    width = 1
    while width < count:
        following = np.full(count, -1, dtype=np.int64)
        following[: count - width] = rank[width:]
        order = np.lexsort((following, rank))
        keys = np.stack([rank[order], following[order]], axis=1)
        changed = np.any(keys[1:] != keys[:-1], axis=1)
        new_rank = np.empty(count, dtype=np.int64)
        new_rank[order] = np.concatenate([[0], np.cumsum(changed)])
        rank = new_rank
        if rank.max() == count - 1:
            break
        width *= 2
    return order.astype(np.int32)


class TextIndex:
    def __init__(
        self, codes: np.ndarray, suffixes: np.ndarray, source_starts: np.ndarray, sources: list[str]
    ):
        self.codes, self.suffixes = codes, suffixes
        self.source_starts, self.sources = source_starts, sources

    @classmethod
    def build(cls, text: str, marks: list[tuple[int, str]]) -> TextIndex:
        """An index of ``text``; ``marks`` are ``(position, source)``: where each source begins."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
        starts = np.array([at for at, _ in marks], dtype=np.int64)
        return cls(codes, suffix_array(codes), starts, [name for _, name in marks])

    def save(self, folder: Path) -> None:
        """Kept as a folder of ``.npy`` arrays and a list of sources, written whole then renamed."""
        temporary = folder.with_name(folder.name + ".partial")
        temporary.mkdir(parents=True, exist_ok=True)
        for name, array in (
            ("codes", self.codes),
            ("suffixes", self.suffixes),
            ("starts", self.source_starts),
        ):
            np.save(temporary / f"{name}.npy", array, allow_pickle=False)
        (temporary / "sources.txt").write_text("\n".join(self.sources), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        temporary.replace(folder)

    @classmethod
    def load(cls, folder: Path) -> TextIndex:
        """The index, its two large arrays mapped from disk rather than read: a search touches a few
        dozen of their pages, so a loaded index costs almost no memory however large its text."""
        codes = np.load(folder / "codes.npy", mmap_mode="r", allow_pickle=False)
        suffixes = np.load(folder / "suffixes.npy", mmap_mode="r", allow_pickle=False)
        starts = np.load(folder / "starts.npy", allow_pickle=False)
        names = (folder / "sources.txt").read_text(encoding="utf-8")
        return cls(codes, suffixes, starts, names.split("\n") if names else [])

    @property
    def bytes_held(self) -> int:
        return self.codes.nbytes + self.suffixes.nbytes + self.source_starts.nbytes

    def longest_at(self, query: np.ndarray, at: int) -> tuple[int, int]:
        """(length, training position) of the longest prefix of ``query[at:]`` found in the text."""
        low, high, length = 0, len(self.suffixes), 0
        while at + length < len(query) and low < high:
            symbol = int(query[at + length])
            first = self._bound(low, high, length, symbol, after=False)
            last = self._bound(first, high, length, symbol, after=True)
            if first == last:
                break
            low, high, length = first, last, length + 1
        return length, int(self.suffixes[low]) if length else -1

    def _bound(self, low: int, high: int, offset: int, symbol: int, after: bool) -> int:
        """The first suffix in ``[low, high)`` whose symbol at ``offset`` is at least (or, ``after``,
        more than) ``symbol``; the suffixes there share their first ``offset`` symbols."""
        codes, suffixes, end = self.codes, self.suffixes, len(self.codes)
        while low < high:
            middle = (low + high) // 2
            position = int(suffixes[middle]) + offset
            found = int(codes[position]) if position < end else -1
            if found < symbol or (after and found == symbol):
                low = middle + 1
            else:
                high = middle
        return low

    def spans(self, text: str, least: int) -> list[Span]:
        """Every maximal span of ``text`` of at least ``least`` characters found word for word in the
        training text, left to right (a span inside an earlier one is not repeated)."""
        if len(text) > MAX_QUERY:
            raise ValueError(f"the copy check reads up to {MAX_QUERY:,} characters at a time")
        if least < 1:
            raise ValueError("the shortest span checked is 1 character")
        query = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        found, reach = [], 0
        for at in range(len(query)):
            length, where = self.longest_at(query, at)
            if length >= least and at + length > reach:
                found.append(Span(at, at + length, self.source_of(where)))
                reach = at + length
        return found

    def source_of(self, position: int) -> str:
        index = int(np.searchsorted(self.source_starts, position, side="right")) - 1
        return self.sources[index] if 0 <= index < len(self.sources) else ""
