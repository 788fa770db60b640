"""Room on disk for the models visitors train in the app: a count, a size, an age and free space.

Every model a visitor trains or adds is saved through ``make_room`` first, so the user folder never
holds more of them than the quota, whatever visitors do; ``sweep`` also removes those past their age
when the app starts and whenever a job is asked for. Each model is marked with its visitor (a digest of
their address, never the address: ``ownership.mark_as_visitors``), and room is made **among that
visitor's own models only**: past their age, then their oldest, until they keep at most ``per_visitor``
and the new model fits the server's count and size; when the server is full of others' models the save
is refused rather than remove another visitor's work. Models saved another way (the command line, a
person's own files) are never removed and do not count. Only then is the disk itself asked: a model is
not written when it would leave less than ``reserve_bytes`` free.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass

from aigc_demo import settings
from aigc_demo.backend.atomic import remove_stale_temp_files
from aigc_demo.backend.hub import CheckpointEntry, ModelHub
from aigc_demo.backend.ownership import MADE_BY, VISITOR, WHOSE, visitor_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quota:
    models: int
    bytes: int
    max_age_s: float | None = None  # None: kept until the count or size needs room
    reserve_bytes: int = 200_000_000  # disk left free for uploads, logs and everything else
    per_visitor: int = 10  # models one visitor keeps at once

    @classmethod
    def from_settings(cls) -> Quota:
        return cls(
            settings.max_visitor_models(),
            settings.max_visitor_model_bytes(),
            settings.visitor_model_seconds(),
            per_visitor=settings.max_models_per_visitor(),
        )


class DiskFullError(OSError):
    def __str__(self) -> str:
        return str(self.args[0])


def visitor_models(hub: ModelHub) -> list[CheckpointEntry]:
    """The visitors' models in the user folder, oldest first."""
    found = [e for e in hub.entries() if not e.shipped and e.card.extras.get(MADE_BY) == VISITOR]
    return sorted(found, key=lambda e: e.stamp[0])


def make_room(
    hub: ModelHub, quota: Quota, new_bytes: int, address: str = "", now: float | None = None
) -> list[str]:
    """Remove visitors' models past their age, then the oldest of the visitor at ``address`` until
    theirs are within ``per_visitor`` and one of ``new_bytes`` fits the quota; refuse
    (``DiskFullError``) when it still does not (others' models are never removed for it) or the disk
    would be too full. Returns the names removed. A model saved before models were marked with
    their visitor counts as anyone's."""
    if new_bytes > quota.bytes:
        raise DiskFullError(
            f"this model would take {new_bytes / 1e6:.0f} MB and visitors' models may take "
            f"{quota.bytes / 1e6:.0f} MB in all on this server: use a smaller model"
        )
    removed = sweep(hub, quota, now)
    kept = visitor_models(hub)
    key = visitor_key(address)
    own = [e for e in kept if e.card.extras.get(WHOSE, key) == key]

    def full() -> bool:
        too_many = len(kept) + 1 > quota.models or len(own) + 1 > quota.per_visitor
        return too_many or sum(e.size_bytes for e in kept) + new_bytes > quota.bytes

    while own and full():
        oldest = own.pop(0)
        kept.remove(oldest)
        hub.remove(oldest.name)
        removed.append(oldest.name)
    if removed:
        log.info("removed visitors' models to keep within the quota: %s", ", ".join(removed))
    if full():
        raise DiskFullError(
            "this server holds as many visitors' models as it may, and none of them is yours to "
            "replace: try again when older ones expire"
        )
    free = shutil.disk_usage(_existing_folder(hub)).free
    if free - new_bytes < quota.reserve_bytes:
        raise DiskFullError(
            f"the server's disk is nearly full ({free / 1e6:.0f} MB free), so the model was not saved; "
            "try again later"
        )
    return removed


def sweep(hub: ModelHub, quota: Quota, now: float | None = None) -> list[str]:
    """Remove the visitors' models older than the quota's age, and what interrupted saves left in the
    user folder; the names of the models removed."""
    if hub.user_dir.exists():
        remove_stale_temp_files(hub.user_dir)
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
