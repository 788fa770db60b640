"""Write files so that a crash or a full disk never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: temp file, fsync, rename, fsync the folder.

    Readers see either the old file or the new one, never a mix. On any error the temp file
    is removed, the old file is left as it was and the error propagates.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp makes owner-only files; keep the replaced file's mode, else the usual 0644.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def remove_stale_temp_files(folder: Path, older_than_s: float = 3600.0) -> list[Path]:
    """Remove what writes interrupted by a crash left in ``folder`` (their temp files, older than any
    write takes); the paths removed."""
    now = time.time()
    removed = []
    for leftover in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if now - leftover.stat().st_mtime > older_than_s:
                leftover.unlink()
                removed.append(leftover)
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows cannot open folders)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
