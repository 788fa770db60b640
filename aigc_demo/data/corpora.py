"""The text corpora made from what their authors publish: the Tang poems (from the ``chinese-poetry``
npm package), Chit-Chat (from its PyPI wheel) and KdConv (from its GitHub repository's JSON files).

Each maker reads the downloaded files (already checked against their checksums) and returns the
corpus's bytes, made exactly as its folder's README under ``shared/data`` describes; the download
code then checks those bytes against the corpus's own checksum before keeping them, so a maker that
drifted from the published processing can never hand out a different corpus.
"""

from __future__ import annotations

import io
import json
import random
import tarfile
import zipfile
from pathlib import Path

UNTITLED = "無題"  # the title of a poem the source gives none
SHUFFLE_SEED = 607  # the dialogue corpora keep the first 90% of a shuffle with this seed
KDCONV_FILES = tuple(f"{d}-{s}.json" for d in ("film", "music", "travel") for s in ("dev", "test"))


def tang_poems(folder: Path) -> bytes:
    """The first 30 batch files of the Quan Tangshi (poems 0-29,999 of the source's order): one
    poem per paragraph (title, author, then each line), blank lines between them."""
    with tarfile.open(folder / "chinese-poetry.tgz") as package:
        poems = []
        for start in range(0, 30_000, 1000):
            member = package.extractfile(f"package/dist/quantangshi/poet.tang.{start}.json")
            if member is None:
                raise ValueError(f"the package lacks poet.tang.{start}.json")
            for poem in json.load(member):
                lines = [line.strip() for line in poem.get("paragraphs", []) if line.strip()]
                if lines:
                    poems.append(
                        "\n".join([poem["title"].strip() or UNTITLED, poem["author"].strip(), *lines])
                    )
    return ("\n\n".join(poems) + "\n").encode()


def chitchat(folder: Path) -> bytes:
    """Each run of messages by one sender is one turn (its texts stripped, joined by new lines);
    two turns by one sender in a row (where empty ones were dropped) are joined; conversations of
    fewer than two turns and repeats are left out; then the 90% part."""
    with zipfile.ZipFile(folder / "chitchat_dataset.whl") as wheel:
        source = json.loads(wheel.read("chitchat_dataset/dataset.json"))
    conversations = []
    for conversation_id, conversation in source.items():
        turns: list[tuple[str, str]] = []
        for group in conversation["messages"]:
            text = "\n".join(m["text"].strip() for m in group if m["text"].strip()).strip()
            if not text:
                continue
            sender = group[0]["sender"]
            if turns and turns[-1][0] == sender:
                turns[-1] = (sender, f"{turns[-1][1]}\n{text}")
            else:
                turns.append((sender, text))
        conversations.append((conversation_id, [text for _, text in turns]))
    return _ninety_percent(conversations)


def kdconv(folder: Path) -> bytes:
    """Each conversation's messages, stripped, one turn each (film, music, travel; dev then test);
    then the 90% part."""
    conversations = []
    for name in KDCONV_FILES:
        domain, split = name.removesuffix(".json").split("-")
        source = json.loads((folder / name).read_text(encoding="utf-8"))
        for index, conversation in enumerate(source):
            turns = [m["message"].strip() for m in conversation["messages"]]
            conversations.append((f"{domain}/{split}/{index}", [t for t in turns if t]))
    return _ninety_percent(conversations)


def _ninety_percent(conversations: list[tuple[str, list[str]]]) -> bytes:
    """Conversations of two turns or more, each distinct list of turns once; of those, the first 90%
    of a seeded shuffle, written one JSON object per line in the source's order."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for conversation_id, turns in conversations:
        if len(turns) >= 2 and tuple(turns) not in seen:
            seen.add(tuple(turns))
            kept.append((conversation_id, turns))
    shuffled = list(kept)
    random.Random(SHUFFLE_SEED).shuffle(shuffled)
    chosen = {conversation_id for conversation_id, _ in shuffled[: len(kept) * 9 // 10]}
    out = io.StringIO()
    for conversation_id, turns in kept:
        if conversation_id in chosen:
            out.write(json.dumps({"id": conversation_id, "turns": turns}, ensure_ascii=False) + "\n")
    return out.getvalue().encode()
