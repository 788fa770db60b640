"""Who goes first when the cores are scarce: a visitor's drag before the next character of a writing,
and the visitors before the training slot.

A picture that follows a drag (``interactive``) is short and wanted now; writings and replies are
stepped a character a pass (``pipelines.streams``) and lose little by waiting a few milliseconds
between passes while such a picture is made (``yield_to_interactive``). A training job waits a little
at each step while anything is served (``yield_to_visitors``), so it keeps running at its own pace and
takes what the visitors leave.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

DRAG_WAIT = 0.02  # seconds work waits for a drag's picture, at most, each time it yields
_changed = threading.Condition()
_interactive = 0  # pictures being made for a drag right now
_streaming: set[int] = set()  # schedulers with live rows


@contextmanager
def interactive() -> Iterator[None]:
    """Mark the work inside as a drag's picture: streams pause between passes until it is done."""
    global _interactive
    with _changed:
        _interactive += 1
    try:
        yield
    finally:
        with _changed:
            _interactive -= 1
            _changed.notify_all()


def mark_streaming(owner: object, live: bool) -> None:
    """Say whether ``owner`` (a scheduler) has live rows: a training job yields to it while it does.
    Said at every pass; only a change takes the lock and wakes a waiting job."""
    if (id(owner) in _streaming) == live:
        return
    with _changed:
        (_streaming.add if live else _streaming.discard)(id(owner))
        _changed.notify_all()


def yield_to_interactive(most: float = DRAG_WAIT) -> None:
    """Wait while a drag's picture is being made, at most ``most`` seconds."""
    if _interactive:  # read without the lock: a pass that misses one by a hair waits at the next
        with _changed:
            _changed.wait_for(lambda: not _interactive, timeout=most)


def yield_to_visitors(most: float) -> None:
    """Wait while anything is served to a visitor, at most ``most`` seconds."""
    if _interactive or _streaming:
        with _changed:
            _changed.wait_for(lambda: not (_interactive or _streaming), timeout=most)
