"""Keep sampled poems in a form: at each step only the characters the form allows may be drawn.

A form fixes the body's layout (see ``text.poetry``): Han characters where the half-lines are,
a comma or a full stop where the form puts them, the right number of lines, then the blank line
that ends the poem, and the writing stops. Title and author lines are left to the model. The
model still chooses every character: the guide only removes those the form forbids and draws
from what is left, renormalised, so the same seed writes the same poem.

``free`` draws each sample's layout from the mix of layouts in the model's training poems (its
card's ``poem_forms``), so a batch of free poems comes in the corpus's proportions; a sample
drawn as ``other`` is written freely until the model ends the poem.
"""

from __future__ import annotations

import numpy as np

from aigc_demo.backend.seeding import check_seed
from aigc_demo.text import poetry
from aigc_demo.text.script import is_han
from aigc_demo.text.vocabulary import Vocabulary

FORM_CHOICES = (poetry.FREE, *poetry.FORMS)


def check_form(form: object) -> str:
    if form not in FORM_CHOICES:
        raise ValueError(f"form must be one of {', '.join(FORM_CHOICES)}")
    return str(form)


def layouts_for(
    form: str, shares: dict[str, float] | None, seed: int, samples: int, prompt: str = ""
) -> list[poetry.Layout | None] | None:
    """Each sample's layout for ``form``; None when nothing is to be guided (free, for a model
    whose card has no poem-form shares: it writes as it always has). Free layouts are drawn
    among those the poem begun in ``prompt`` can still become."""
    if check_form(form) != poetry.FREE:
        return [poetry.FORMS[form]] * samples
    if not shares:
        return None
    shares = poetry.fitting_shares(shares, poetry.current_poem(prompt))
    if not shares:  # the prompt's poem is past every form: the model writes as it always has
        return None
    draws = np.random.default_rng((check_seed(seed), 1)).random(samples)  # apart from the characters' stream
    return [poetry.draw_layout(shares, float(u)) for u in draws]


class FormGuide:
    """Which character ids each sample may draw next, given what it has written so far."""

    def __init__(self, vocabulary: Vocabulary, prompt: str, layouts: list[poetry.Layout | None]):
        chars = np.array(list(vocabulary.chars))
        known = chars != vocabulary.unknown if vocabulary.unknown else np.ones(len(chars), bool)
        newline = chars == "\n"
        han = known & np.array([is_han(c) for c in chars])
        wording = han | np.isin(chars, list(poetry.HEADING_EXTRAS))  # what titles and names are made of
        self.allowed = {
            poetry.HEADING: wording | newline,
            poetry.HEADING_TEXT: wording,
            poetry.FREE_TEXT: known,
            poetry.LINE_BREAK: newline,
            poetry.NEWLINE: newline,
            poetry.HAN: han,
            poetry.MID: np.isin(chars, list(poetry.MID_MARKS)),
            poetry.END: np.isin(chars, list(poetry.END_MARKS)),
        }
        if not all(mask.any() for mask in self.allowed.values()):
            raise ValueError(
                "this model cannot write poems in a form: its characters lack Han script, "
                "new lines or the marks a form needs"
            )
        self.chars, self.layouts = vocabulary.chars, layouts
        self.newline = int(np.flatnonzero(newline)[0])
        poem = poetry.current_poem(prompt)
        self.poems = [poem] * len(layouts)
        slots = [poetry.next_slot(poem, layout) for layout in layouts]  # a broken prompt raises here
        # A title or author line typed in the prompt is taken as whole: its line ends next.
        self.slots = [poetry.LINE_BREAK if slot == poetry.HEADING else slot for slot in slots]
        if poetry.DONE in self.slots:
            raise ValueError("the prompt already holds a whole poem; give a title to start a new one")

    @property
    def finished(self) -> bool:
        return all(slot == poetry.DONE for slot in self.slots)

    def mask(self) -> np.ndarray:
        """``(samples, vocabulary)``: True where a character may come next (anything once done)."""
        return np.stack([self.allowed.get(slot, self.allowed[poetry.FREE_TEXT]) for slot in self.slots])

    def advance(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Take the drawn ids: (ids written, -1 for a sample already done; ids to feed the model)."""
        written = np.where([slot == poetry.DONE for slot in self.slots], -1, chosen)
        for row, index in enumerate(written.tolist()):
            if index >= 0:
                self.poems[row] += self.chars[index]
                self.slots[row] = poetry.next_slot(self.poems[row], self.layouts[row])
        return written, np.where(written < 0, self.newline, written)


def guide_for(
    vocabulary: Vocabulary, prompt: str, form: str, shares: dict[str, float] | None, seed: int, samples: int
) -> FormGuide | None:
    """The guide for ``samples`` poems in ``form`` after ``prompt`` (as the model reads it), or
    None when nothing is guided (free, for a model without poem-form shares)."""
    layouts = layouts_for(form, shares, seed, samples, prompt)
    return None if layouts is None else FormGuide(vocabulary, prompt, layouts)
