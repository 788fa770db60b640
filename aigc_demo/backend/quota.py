"""Room on disk for the models visitors train in the app: a count, a size, an age and free space.

Every model a visitor trains is saved through ``make_room`` first, so the user folder never holds
more of them than the quota, whatever visitors do; ``sweep`` also removes those past their age
when the app starts and whenever a job is asked for. Models past their age go first, then the
oldest ones until the new model fits; models saved another way (the command line, a person's own
files) are never removed and do not count. Only then is the disk itself asked: a model is not
written when it would leave less than ``reserve_bytes`` free.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass

from aigc_demo import settings
from aigc_demo.backend.checkpoint import ModelCard
from aigc_demo.backend.hub import CheckpointEntry, ModelHub

log = logging.getLogger(__name__)

MADE_BY = "trained_by"  # the card's extras key that marks a visitor's model
VISITOR = "a visitor of the app"


@dataclass(frozen=True)
class Quota:
    models: int
    bytes: int
    max_age_s: float | None = None  # None: kept until the count or size needs room
    reserve_bytes: int = 200_000_000  # disk left free for uploads, logs and everything else

    @classmethod
    def from_settings(cls) -> Quota:
        return cls(
            settings.max_visitor_models(),
            settings.max_visitor_model_bytes(),
            settings.visitor_model_seconds(),
        )


class DiskFullError(OSError):
    def __str__(self) -> str:
        return str(self.args[0])


def mark_as_visitors(card: ModelCard) -> ModelCard:
    """The card a visitor's model is saved with: marked, so that the quota counts it."""
    card.extras[MADE_BY] = VISITOR
    return card


def visitor_models(hub: ModelHub) -> list[CheckpointEntry]:
    """The visitors' models in the user folder, oldest first."""
    found = [e for e in hub.entries() if not e.shipped and e.card.extras.get(MADE_BY) == VISITOR]
    return sorted(found, key=lambda e: e.stamp[0])


def make_room(hub: ModelHub, quota: Quota, new_bytes: int, now: float | None = None) -> list[str]:
    """Remove visitors' models past their age, then the oldest until one of ``new_bytes`` fits
    the quota; refuse (``DiskFullError``) when the disk would still be too full. Returns the
    names removed."""
    if new_bytes > quota.bytes:
        raise DiskFullError(
            f"this model would take {new_bytes / 1e6:.0f} MB and visitors' models may take "
            f"{quota.bytes / 1e6:.0f} MB in all on this server: use a smaller model"
        )
    removed = sweep(hub, quota, now)
    kept = visitor_models(hub)
    while kept and (
        len(kept) + 1 > quota.models or sum(e.size_bytes for e in kept) + new_bytes > quota.bytes
    ):
        oldest = kept.pop(0)
        hub.remove(oldest.name)
        removed.append(oldest.name)
    if removed:
        log.info("removed visitors' models to keep within the quota: %s", ", ".join(removed))
    free = shutil.disk_usage(_existing_folder(hub)).free
    if free - new_bytes < quota.reserve_bytes:
        raise DiskFullError(
            f"the server's disk is nearly full ({free / 1e6:.0f} MB free), so the model was not saved; "
            "try again later"
        )
    return removed


def sweep(hub: ModelHub, quota: Quota, now: float | None = None) -> list[str]:
    """Remove the visitors' models older than the quota's age; the names removed."""
    if quota.max_age_s is None:
        return []
    now = time.time() if now is None else now
    old = [e.name for e in visitor_models(hub) if now - e.stamp[0] / 1e9 > quota.max_age_s]
    for name in old:
        hub.remove(name)
    return old


def _existing_folder(hub: ModelHub):
    folder = hub.user_dir
    while not folder.exists():
        folder = folder.parent
    return folder
