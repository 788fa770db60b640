"""Whose a visitor's model is, and who sees it: private by default.

A model a visitor trains or brings is theirs. Its card records a digest of its owner (the secret
token their browser keeps, or an API caller's session; never the token itself), and lists of models
show it to that owner only. Its name is the one they chose with a random tail (``poems--3fa9c2e1b7d0``),
so a stranger can neither list it nor guess its name to use it; whoever its owner gives a link or a
file made with it can (that is sharing). Models saved another way (shipped, the command line) carry
no owner and are everyone's.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable

from aigc_demo.backend.checkpoint import ModelCard
from aigc_demo.backend.hub import NAME_PATTERN, CheckpointEntry

MADE_BY = "trained_by"  # the card's extras key that marks a visitor's model
VISITOR = "a visitor of the app"
WHOSE = "visitor"  # the card's extras key naming which address's it is, for the quota (a digest)
OWNER = "owner"  # the card's extras key naming whose it is, for who sees it (a digest)
TAIL = re.compile(r"--[0-9a-f]{12}$")  # the random end of a private model's name
MAX_CHOSEN = 64 - 14  # characters a visitor may choose, so that the name with its tail fits 64


def owner_key(owner: str) -> str:
    """What a card records of its owner: a digest, from which the owner's token cannot be read back."""
    return hashlib.sha256(f"aigc-studio owner {owner}".encode()).hexdigest()[:24]


def private_name(chosen: str) -> str:
    """The name a visitor's model is saved under: theirs with a random tail no one can guess."""
    if not isinstance(chosen, str) or not NAME_PATTERN.fullmatch(chosen) or len(chosen) > MAX_CHOSEN:
        raise ValueError(
            f"a model's name must be 1-{MAX_CHOSEN} characters of lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return f"{TAIL.sub('', chosen)}--{secrets.token_hex(6)}"


def shown_name(name: str) -> str:
    """A model's name as people read it: without a private model's random tail."""
    return TAIL.sub("", name)


def visitor_key(address: str) -> str:
    """Which address a model came from, as its card records it for the quota: a digest, never the
    address."""
    return hashlib.sha256(f"aigc-studio visitor {address}".encode()).hexdigest()[:16]


def mark_as_visitors(card: ModelCard, address: str = "", owner: str = "") -> ModelCard:
    """The card a visitor's model is saved with: marked as a visitor's, from which address (so the
    quota counts it against them) and whose (so that only they are shown it)."""
    card.extras[MADE_BY] = VISITOR
    card.extras[WHOSE] = visitor_key(address)
    card.extras[OWNER] = owner_key(owner)
    return card


def sees(entry: CheckpointEntry, owner: str | None) -> bool:
    """Whether the visitor ``owner`` (None: the server itself) is shown the model: everyone's
    models to all, a visitor's to its owner (one saved before models had owners, to no visitor)."""
    if owner is None or entry.card.extras.get(MADE_BY) != VISITOR:
        return True
    return bool(owner) and entry.card.extras.get(OWNER) == owner_key(owner)


def visible(entries: Iterable[CheckpointEntry], owner: str | None) -> list[CheckpointEntry]:
    return [entry for entry in entries if sees(entry, owner)]
