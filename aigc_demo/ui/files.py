"""Files the UI writes for people to download (WAV, GIF), kept for an hour."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

KEEP_FILES_SECONDS = 3600
_OUTPUT_DIR = Path(tempfile.mkdtemp(prefix="aigc-demo-"))


def output_path(name: str) -> Path:
    """A fresh folder per request (two people may ask for the same name at once), after
    removing those older than an hour: Gradio has copied their files into its own cache."""
    cutoff = time.time() - KEEP_FILES_SECONDS
    for folder in _OUTPUT_DIR.iterdir():
        with contextlib.suppress(OSError):  # another request may be removing it right now
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=_OUTPUT_DIR)) / name
