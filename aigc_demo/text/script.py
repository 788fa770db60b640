"""Simplified and Traditional Chinese: detect Chinese vocabularies and convert between the scripts.

Conversion uses OpenCC (the maintained open-source converter, phrase-aware, with its own
dictionaries); its Traditional standard matches the Tang-poem corpus's forms (e.g. 爲, 啓).
"""

from __future__ import annotations

from functools import lru_cache

import opencc

SCRIPTS = ("traditional", "simplified")


def is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F


def is_chinese(text: str) -> bool:
    """True when most of the characters are Han characters (a Chinese model's vocabulary)."""
    return bool(text) and sum(map(is_han, text)) > len(text) / 2


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text) if text else text


def to_traditional_where_unknown(text: str, known: str | set[str]) -> str:
    """``text`` in Traditional characters, but a character in ``known`` (a model's vocabulary) is
    kept as it is: 干 is Simplified for 幹 and also a Traditional character of its own (方干 is a
    poet's name), so only characters the model does not know are converted."""
    converted = to_traditional(text)
    if len(converted) != len(text):  # a phrase of another length: take OpenCC's reading whole
        return converted
    return "".join(old if old in known else new for old, new in zip(text, converted, strict=True))


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text


def in_script(text: str, script: str) -> str:
    """``text`` (Traditional, as the Chinese model writes) shown in the chosen script."""
    if script not in SCRIPTS:
        raise ValueError(f"script must be one of {SCRIPTS}, got {script!r}")
    return to_simplified(text) if script == "simplified" else text
