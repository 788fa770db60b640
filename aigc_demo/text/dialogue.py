"""Conversations as the dialogue model reads them, and the chat logs people give to train one.

A conversation is a list of turns between two speakers, A first. The model reads it as one stream
of characters: every turn opens with its speaker's mark and closes with ``END``. The marks are
control characters, which never occur in cleaned text, so a turn cannot forge one.

A chat log is JSON Lines (one ``{"turns": [...]}`` per conversation, as in ``shared/data/dialogue``)
or plain text: lines ``A: ...`` and ``B: ...`` (any short name before the colon), a line without a
name continuing the turn above, and a blank line between conversations.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from dataclasses import dataclass

SPEAKERS = ("\x01", "\x02")  # the marks of speaker A and speaker B
END = "\x03"  # closes a turn: a reply is done when the model writes it
MARKS = "".join(SPEAKERS) + END
REPLY = SPEAKERS[1]  # in a chat the person is A and the model replies as B
# Of earlier turns the model reads before a reply: the models rank replies better the more they read,
# and chat-en's last passes train on windows of this length (docs/MODELS.md, "Reading more context").
CONTEXT_CHARS = 960
CONTEXT_TURNS = 20
HELD_OUT_BUCKETS = 10  # one conversation in ten is held out, chosen by its id

_SPEAKER_LINE = re.compile(r"^\s*([^:：\s][^:：]{0,23})[:：]\s?(.*)$")


class ChatLogError(ValueError):
    """A chat log that cannot be read, with a message a person can act on."""


@dataclass(frozen=True)
class Conversation:
    turns: tuple[str, ...]
    key: str  # what decides the held-out part: the id, else the text

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.key.encode("utf-8")) % HELD_OUT_BUCKETS == 0

    def text(self) -> str:
        return "".join(SPEAKERS[i % 2] + turn + END for i, turn in enumerate(self.turns))


def clean_turn(text: str) -> str:
    """A turn as the model reads it: newlines kept, other control characters (the marks among
    them) removed, surrounding whitespace stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or not unicodedata.category(c).startswith("C")).strip()


def context_text(context: list[str], max_chars: int = CONTEXT_CHARS, max_turns: int = CONTEXT_TURNS) -> str:
    """The stream before a reply: the last turns of ``context`` (the newest the person's, speaker A;
    they alternate back from there), as many whole turns as fit ``max_chars`` (the newest cut to its
    end if it alone does not), then the reply mark."""
    kept: list[str] = []
    used = 0
    for back, turn in enumerate(reversed(context[-max_turns:] if max_turns else [])):
        piece = SPEAKERS[back % 2 == 1] + turn + END
        if used + len(piece) > max_chars:
            if not kept:
                kept.append(SPEAKERS[0] + turn[-(max_chars - 2) :] + END)
            break
        kept.append(piece)
        used += len(piece)
    return "".join(reversed(kept)) + REPLY


def reply_text(reply: str) -> str:
    """A reply as the model writes it after the reply mark: its characters, then ``END``."""
    return reply + END


def reply_examples(conversations: list[Conversation]) -> list[tuple[list[str], str, int]]:
    """(context, reply, conversation number) for every turn after the first."""
    return [
        (list(c.turns[:j]), c.turns[j], number)
        for number, c in enumerate(conversations)
        for j in range(1, len(c.turns))
    ]


def split(conversations: list[Conversation]) -> tuple[list[Conversation], list[Conversation]]:
    """(training, held-out) by each conversation's id, so one conversation is always on one side."""
    held = [c for c in conversations if c.held_out]
    return [c for c in conversations if not c.held_out], held


def read_chat_log(text: str, name: str = "the chat log") -> list[Conversation]:
    """Conversations of at least two turns from a chat log's text (JSON Lines or ``A: ...`` lines)."""
    first = text.lstrip()[:1]
    conversations = _from_json_lines(text, name) if first in "{[" and first else _from_lines(text)
    kept = [c for c in conversations if len(c.turns) >= 2]
    if not kept:
        raise ChatLogError(
            f"{name} holds no conversation of two turns or more: give JSON Lines "
            '({"turns": ["hi", "hello"]} per line) or lines like "A: hi" and "B: hello"'
        )
    return kept


def _from_json_lines(text: str, name: str) -> list[Conversation]:
    conversations = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise ChatLogError(f"line {number} of {name} is not valid JSON") from None
        turns = record.get("turns") if isinstance(record, dict) else record
        if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
            raise ChatLogError(f'line {number} of {name} needs "turns": a list of texts')
        cleaned = tuple(t for t in map(clean_turn, turns) if t)
        key = record.get("id") if isinstance(record, dict) else None
        conversations.append(Conversation(cleaned, str(key) if key is not None else "\n".join(cleaned)))
    return conversations


def _from_lines(text: str) -> list[Conversation]:
    """``A: ...`` / ``B: ...`` lines, a blank line between conversations. Each turn is kept as its
    lines and joined once, so a turn of many lines costs the time of reading them (joining as they
    came, 1 M continuation lines took 27 s)."""
    conversations: list[Conversation] = []
    turns: list[list[str]] = []
    speaker = None

    def close() -> None:
        nonlocal turns, speaker
        cleaned = tuple(t for t in (clean_turn("\n".join(lines)) for lines in turns) if t)
        if cleaned:
            conversations.append(Conversation(cleaned, "\n".join(cleaned)))
        turns, speaker = [], None

    for line in text.splitlines():
        if not line.strip():
            close()
            continue
        match = _SPEAKER_LINE.match(line)
        if match and match.group(1).strip() != speaker:
            speaker = match.group(1).strip()
            turns.append([match.group(2)])
        elif match:
            turns[-1].append(match.group(2))  # the same speaker again: one turn
        elif turns:
            turns[-1].append(line)
    close()
    return conversations
