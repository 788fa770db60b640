"""The form of a classical Chinese poem, as the Tang-poem corpus lays it out.

Each poem is a paragraph: title line, author line, then body lines. A body line is a couplet
(``秦川雄帝宅，函谷壯皇居。``); its half-lines are what lies between punctuation marks.
Regulated verse uses half-lines of five or of seven characters throughout.
"""

from __future__ import annotations

import re

CLASSICAL_FORMS = (5, 7)
_PUNCTUATION = re.compile(r"[，。！？；：、,.!?;:　\s]+")


def half_line_lengths(body: str) -> list[int]:
    return [len(part) for line in body.splitlines() for part in _PUNCTUATION.split(line) if part]


def poem_form(poem: str) -> int | None:
    """5 or 7 when every half-line of the body (lines after title and author) has that length."""
    lengths = half_line_lengths("\n".join(poem.strip("\n").split("\n")[2:]))
    if not lengths or len(set(lengths)) != 1 or lengths[0] not in CLASSICAL_FORMS:
        return None
    return lengths[0]


def split_poems(text: str) -> list[str]:
    """The corpus's paragraphs (poems), in order."""
    return [poem for poem in re.split(r"\n\s*\n", text) if poem.strip()]


def classical_poems(text: str) -> str:
    """The poems of ``text`` that keep one classical form, laid out as the corpus lays them out.

    Training on these alone teaches a model the form without the corpus's irregular poems, which
    make up about one in eleven of the Tang poems.
    """
    return "\n\n".join(poem.strip("\n") for poem in split_poems(text) if poem_form(poem)) + "\n"


def headings(poems: list[str]) -> list[str]:
    """Title and author lines of each poem that has a body, with the newline that starts the body."""
    return [
        "\n".join(lines[:2]) + "\n"
        for lines in (poem.strip("\n").split("\n") for poem in poems)
        if len(lines) > 2
    ]
