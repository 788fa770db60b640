"""Files the UI writes for people to download (PNG, GIF, WAV, checkpoints), kept for an hour and
within a size budget, however many requests write them."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

KEEP_FILES_SECONDS = 3600
KEEP_FILES_BYTES = 300 * 1024 * 1024  # the oldest go first beyond this, whatever their age
_OUTPUT_DIR = Path(tempfile.mkdtemp(prefix="aigc-demo-"))


def output_path(name: str) -> Path:
    """A fresh folder per request (two people may ask for the same name at once), after removing
    those older than an hour, and the oldest while all of them hold more than ``KEEP_FILES_BYTES``:
    Gradio has copied the files it serves into its own cache."""
    cutoff = time.time() - KEEP_FILES_SECONDS
    kept = []
    for folder in _OUTPUT_DIR.iterdir():
        with contextlib.suppress(OSError):  # another request may be removing it right now
            stat = folder.stat()
            if stat.st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                kept.append((stat.st_mtime, sum(f.stat().st_size for f in folder.iterdir()), folder))
    total = sum(size for _, size, _ in kept)
    for _, size, folder in sorted(kept):
        if total <= KEEP_FILES_BYTES:
            break
        shutil.rmtree(folder, ignore_errors=True)
        total -= size
    return Path(tempfile.mkdtemp(dir=_OUTPUT_DIR)) / name
