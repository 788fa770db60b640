"""The form of a classical Chinese poem, as the Tang-poem corpus lays it out.

Each poem is a paragraph: title line, author line, then body lines. A body line is a couplet
(``秦川雄帝宅，函谷壯皇居。``); its half-lines are what lies between punctuation marks.
Regulated verse uses half-lines of five or of seven characters throughout.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from aigc_demo.text.script import is_han

CLASSICAL_FORMS = (5, 7)
_PUNCTUATION = re.compile(r"[，。！？；：、,.!?;:　\s]+")


def half_line_lengths(body: str) -> list[int]:
    return [len(part) for line in body.splitlines() for part in _PUNCTUATION.split(line) if part]


def body_lengths(poem: str) -> list[int]:
    """The half-line lengths of a poem's body (the lines after title and author)."""
    return half_line_lengths("\n".join(poem.strip("\n").split("\n")[2:]))


def classical_length(lengths: list[int]) -> int | None:
    """5 or 7 when every one of the half-line ``lengths`` is that long."""
    if not lengths or len(set(lengths)) != 1 or lengths[0] not in CLASSICAL_FORMS:
        return None
    return lengths[0]


def poem_form(poem: str) -> int | None:
    """5 or 7 when every half-line of the body has that length."""
    return classical_length(body_lengths(poem))


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


# Writing a poem in a form. A form is a body layout: ``couplets`` lines, each two half-lines of
# ``length`` characters with a mark after each (as in the module's first example), then the blank line
# that ends the poem. Quatrains (jueju) have two such lines, regulated verse (lüshi) four.
MID_MARKS = "，"
END_MARKS = "。？！"
HEADING_EXTRAS = " 、"  # what titles hold besides Han characters ("帝京篇十首 一")
MAX_HEADING_LINE = (24, 4)  # characters of the title line, of the author line, before it must end
MAX_FREE_BODY = 600  # characters of an irregular poem's body before it is cut


@dataclass(frozen=True)
class Layout:
    length: int  # characters per half-line
    couplets: int  # body lines

    @property
    def key(self) -> str:
        """How the poem-form shares name it: half-line length x number of half-lines, e.g. ``5x8``."""
        return f"{self.length}x{2 * self.couplets}"

    @property
    def pattern(self) -> str:
        """The body as slots: ``H`` a Han character, ``M`` a mid mark, ``E`` an end mark, new lines."""
        half = "H" * self.length
        return f"{half}M{half}E\n" * self.couplets + "\n"


FORMS = {
    "quatrain-5": Layout(5, 2),
    "quatrain-7": Layout(7, 2),
    "regulated-5": Layout(5, 4),
    "regulated-7": Layout(7, 4),
}
FREE = "free"
OTHER = "other"  # the share of poems in no layout (mixed half-lines, odd counts, other lengths)

# What may come next in a poem being written (see ``next_slot``).
HEADING, HEADING_TEXT, LINE_BREAK, FREE_TEXT, DONE = "heading", "heading-text", "line-break", "free", "done"
HAN, MID, END, NEWLINE = "H", "M", "E", "\n"


class FormError(ValueError):
    """The poem already written (in a prompt) does not fit the form asked for."""


def layout_of(poem: str) -> Layout | None:
    """The layout a corpus poem (title, author, body) keeps, or None for an irregular one."""
    lengths = body_lengths(poem)
    length = classical_length(lengths)
    return Layout(length, len(lengths) // 2) if length and len(lengths) % 2 == 0 else None


def layout_shares(poems: list[str], floor: float = 0.001) -> dict[str, float]:
    """How the poems divide among layouts (``5x8``: share) and ``other``; layouts rarer than
    ``floor`` count as other. Shares sum to 1 (rounded to 4 places)."""
    counts = Counter(layout.key if (layout := layout_of(poem)) else OTHER for poem in poems)
    total = sum(counts.values())
    if not total:
        raise ValueError("there are no poems to count")
    shares = {key: n / total for key, n in counts.most_common() if key != OTHER and n / total >= floor}
    shares[OTHER] = 1 - sum(shares.values())
    return {key: round(share, 4) for key, share in shares.items()}


def layout_named(key: str) -> Layout | None:
    """The layout a share table's key names (``5x8``: five characters, eight half-lines); None
    for ``other``."""
    if key == OTHER:
        return None
    length, half_lines = map(int, key.split("x"))
    return Layout(length, half_lines // 2)


def draw_layout(shares: dict[str, float], uniform: float) -> Layout | None:
    """The layout at ``uniform`` (in [0, 1)) of the cumulative ``shares``; None for ``other``."""
    total = sum(shares.values())
    reach = 0.0
    for key, share in shares.items():
        reach += share / total
        if uniform < reach:
            return layout_named(key)
    return None


def current_poem(text: str) -> str:
    """The poem ``text`` ends in: what follows its last blank line."""
    ended = text.rfind("\n\n")
    return text[ended + 2 :] if ended >= 0 else text


def fitting_shares(shares: dict[str, float], poem: str) -> dict[str, float]:
    """The ``shares`` of the layouts ``poem`` (as begun) can still become (``other`` too, while
    an irregular poem could still go on)."""
    kept = {}
    for key, share in shares.items():
        try:
            if next_slot(poem, layout_named(key)) != DONE:
                kept[key] = share
        except FormError:
            continue
    return kept


def next_slot(poem: str, layout: Layout | None) -> str:
    """What may come next in ``poem`` (the text since the poem began: title line, author line,
    body) written in ``layout`` (None: any body, until the blank line that ends a poem)."""
    lines = poem.lstrip("\n").split("\n")
    if len(lines) <= 2:  # still writing the title or the author line
        if not lines[-1]:
            return HEADING_TEXT
        return LINE_BREAK if len(lines[-1]) >= MAX_HEADING_LINE[len(lines) - 1] else HEADING
    body = "\n".join(lines[2:])
    if layout is None:
        if body.endswith("\n\n") or len(body) >= MAX_FREE_BODY:
            return DONE
        return HEADING_TEXT if not body else FREE_TEXT
    pattern = layout.pattern
    for position, (char, slot) in enumerate(zip(body, pattern, strict=False)):
        if not fits(char, slot):
            raise FormError(
                f"the poem begun in the prompt does not fit the form ({layout.length} characters "
                f"per half-line, {2 * layout.couplets} half-lines): character {position + 1} of its "
                f"body is {char!r}; choose another form or free"
            )
    return DONE if len(body) >= len(pattern) else pattern[len(body)]


def fits(char: str, slot: str) -> bool:
    """Whether ``char`` may fill a body ``slot`` of a layout."""
    if slot == HAN:
        return is_han(char)
    return char in {MID: MID_MARKS, END: END_MARKS}.get(slot, slot)


def corpus_forms(text: str, least: int = 20) -> dict[str, float] | None:
    """The layout shares of ``text`` when it is a corpus of poems laid out as the Tang corpus is
    (at least ``least`` poems, half of them in a layout); None for any other text."""
    poems = split_poems(text)
    if len(poems) < least or 2 * sum(layout_of(poem) is not None for poem in poems) < len(poems):
        return None
    return layout_shares(poems)


def total_variation(first: dict[str, float], second: dict[str, float]) -> float:
    """Half the summed absolute difference of two share tables: 0 the same mix, 1 nothing shared."""
    return 0.5 * sum(abs(first.get(key, 0.0) - second.get(key, 0.0)) for key in first.keys() | second.keys())
