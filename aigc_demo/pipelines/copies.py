"""Is it a copy? Every span of a model's writing (or reply) that occurs word for word in the text it
learned from, with where it comes from: the speaker of a play's speech, a poem's title and poet, a
training conversation.

A model's index is built once from its training text, exactly the part it learned from (a text
model's first 90%, a chat model's training conversations), and kept beside the hub's own models as
``indexes/NAME-SHA/``, so it belongs to that very file of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aigc_demo.backend.hub import CheckpointEntry, ModelHub
from aigc_demo.data.text import read_text, split_text
from aigc_demo.data.text_index import Span, TextIndex

KINDS = ("char-rnn", "chat-rnn")
LEAST_LATIN, LEAST_CHINESE = 30, 8  # the shortest span reported, by the script of the text checked
_SPEAKER = re.compile(r"^([A-Z][A-Za-z' ]{1,30}):$", re.MULTILINE)  # a play's speaker, on a line of its own


@dataclass(frozen=True)
class CopyCheck:
    spans: list[Span]
    least: int  # the shortest span reported
    learned: int  # characters of training text searched

    def verdict(self, text: str) -> str:
        if not self.spans:
            searched = f"the {self.learned:,} characters it learned from"
            return f"no span of {self.least}+ characters found in {searched}"
        longest = max(self.spans, key=lambda span: span.end - span.start)
        return (
            f"{len(self.spans)} span(s) of {self.least}+ characters are word for word from its training "
            f"text; the longest, {longest.end - longest.start} characters, from {longest.source}: "
            f"“{text[longest.start : longest.end]}”"
        )

    def as_json(self, text: str) -> dict:
        return {
            "verdict": self.verdict(text),
            "least": self.least,
            "learned_characters": self.learned,
            "spans": [
                {"start": s.start, "end": s.end, "text": text[s.start : s.end], "source": s.source}
                for s in self.spans
            ],
        }


def least_for(text: str) -> int:
    """The default shortest span: shorter for Chinese, where a few characters carry a phrase."""
    chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return LEAST_CHINESE if chinese > len(text) / 3 else LEAST_LATIN


def index_path(hub: ModelHub, name: str) -> Path:
    """Where the index of the model file called ``name`` is kept, beside the hub's own models."""
    return hub.user_dir / "indexes" / f"{name}-{hub.load(name).sha256[:12]}"


def training_text(entry: CheckpointEntry, data: Path) -> tuple[str, list[tuple[int, str]]]:
    """The text a model learned from, read from its data as its training read it, and where each
    source in it begins."""
    card = entry.card
    if card.kind == "chat-rnn":
        from aigc_demo.text.dialogue import read_chat_log, split

        learned, _ = split(read_chat_log(read_text(data), data.name))
        pieces, marks, at = [], [], 0
        for number, conversation in enumerate(learned, 1):
            marks.append((at, f"training conversation {number}"))
            pieces.append("\n".join(conversation.turns) + "\n\n")
            at += len(pieces[-1])
        return "".join(pieces), marks
    text, _ = split_text(read_text(data), card.extras.get("split", "last10"))
    return text, sources_of(text, card.dataset.name)


def sources_of(text: str, dataset: str) -> list[tuple[int, str]]:
    """Where each speech of a play (its speaker) or each poem (its title and poet) begins."""
    speakers = [(m.start(), f"{dataset}, {m.group(1)}'s speech") for m in _SPEAKER.finditer(text)]
    if speakers:
        return speakers
    marks, at = [], 0
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        if len(lines) >= 3:  # a poem: its title, its poet, its lines
            marks.append((at, f"{lines[0]} · {lines[1]}"))
        at += len(block) + 2
    return marks or [(0, dataset)]


def build_index(hub: ModelHub, name: str, data: Path) -> Path:
    """Build and keep the index of the text the model ``name`` learned from, read from ``data``."""
    entry = hub.entry(name)
    if entry.card.kind not in KINDS:
        raise ValueError("the copy check reads text and chat models")
    text, marks = training_text(entry, data)
    path = index_path(hub, name)
    TextIndex.build(text, marks).save(path)
    return path


def check_copies(hub: ModelHub, name: str, text: str, least: int | None = None) -> CopyCheck:
    """The spans of ``text`` found word for word in the text the model ``name`` learned from."""
    path = index_path(hub, name)
    if not path.is_dir():
        raise ValueError(f"no copy-check index for {name} yet: build it with `copies --build`")
    index = TextIndex.load(path)
    least = least_for(text) if least is None else least
    return CopyCheck(index.spans(text, least), least, len(index.codes))
