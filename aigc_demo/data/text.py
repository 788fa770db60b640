"""Plain-text corpora: read a file people give us, and split it the way the benchmarks do."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.data import catalog

SPLITS = ("last10", "whole")

# sha256 of the public corpora, to credit them whatever the file is called.
KNOWN_CORPORA = {
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed": catalog.TINY_SHAKESPEARE,
    "7a395f111a3bd6abaa3a4078d874896c2236a284528a60d18468f422af59b645": catalog.TANG_POEMS,
    "d2543da0d3b903a80ed3a0d94f1b4bfea6074cf7a156fa72acb55ef83e715e4b": catalog.CHIT_CHAT,
    "3235aada47e31399af3a410bc1445e51c36236543763b135270bc177831bf45c": catalog.KDCONV,
}


class TextFileError(ValueError):
    """A file that is not usable text, with a message a person can act on."""


def decode_text(data: bytes, name: str = "the file") -> str:
    """UTF-8 (with or without a BOM) or BOM-marked UTF-16; anything else is refused by name."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise TextFileError(
                f"{name} is not UTF-8 text (byte {err.start} is 0x{data[err.start]:02x}); "
                "save it as UTF-8 and try again"
            ) from None
    if "\x00" in text:
        raise TextFileError(f"{name} holds NUL bytes: it looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise TextFileError(f"no text file at {path}")
    text = decode_text(path.read_bytes(), path.name)
    if not text.strip():
        raise TextFileError(f"{path.name} holds no text")
    return text


def split_text(text: str, split: str = "last10") -> tuple[str, str]:
    """(training text, validation text). ``last10`` holds out the final 10% (nanoGPT's split)."""
    if split == "whole":
        return text, text
    if split != "last10":
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    cut = int(len(text) * 0.9)
    return text[:cut], text[cut:]


def dataset_of(path: Path) -> DatasetInfo:
    """The catalogue entry of a known public corpus, else an entry named after the file."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return KNOWN_CORPORA.get(digest) or DatasetInfo(name=Path(path).name)


def corpus_of(text: str, name: str) -> DatasetInfo:
    """The catalogue entry of a known public corpus (as read, UTF-8), else an entry called ``name``."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return KNOWN_CORPORA.get(digest) or DatasetInfo(name=name)
