"""Where things live and how big the queue is, read from the environment in one place.

Environment variables:
    AIGC_HOME         folder for checkpoints a person trains (default: a folder under the
                      user's cache directory).
    AIGC_DEVICE       ``cpu``, ``cuda`` or ``mps`` to override automatic device selection.
    AIGC_QUEUE_SIZE   how many requests may wait in the app's queue (default 64).
    AIGC_CONCURRENCY  how many heavy requests of one kind run at once (default 2).
    AIGC_MAX_UPLOAD_MB  largest accepted upload in megabytes (default 20).
    AIGC_MAX_TRAIN_CHARS  longest text the Train tab learns from (default 2,000,000).
    AIGC_MAX_TRAIN_FILES  most pictures or recordings one upload to the Train tab may hold
                      (default 70,000: all of MNIST).
    AIGC_MAX_UNPACKED_MB  most megabytes an uploaded zip may unpack to (default 200).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CHECKPOINTS = PROJECT_ROOT / "checkpoints"


def user_cache_dir() -> Path:
    """The platform's per-user cache directory (XDG on Linux, Caches on macOS)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def user_home() -> Path:
    """The folder where trained checkpoints are saved (``AIGC_HOME``)."""
    configured = os.environ.get("AIGC_HOME")
    return Path(configured).expanduser() if configured else user_cache_dir() / "aigc-demo"


def user_checkpoints() -> Path:
    return user_home() / "checkpoints"


def dataset_cache() -> Path:
    """Where public datasets are kept once downloaded (``$AIGC_HOME/datasets``)."""
    return user_home() / "datasets"


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def queue_size() -> int:
    return _positive_int("AIGC_QUEUE_SIZE", 64)


def concurrency_limit() -> int:
    return _positive_int("AIGC_CONCURRENCY", 2)


def max_upload_size() -> str:
    """Largest upload the server accepts, e.g. ``"20mb"`` (``AIGC_MAX_UPLOAD_MB``)."""
    return f"{_positive_int('AIGC_MAX_UPLOAD_MB', 20)}mb"


def max_train_chars() -> int:
    """Longest text a training job in the app accepts (``AIGC_MAX_TRAIN_CHARS``)."""
    return _positive_int("AIGC_MAX_TRAIN_CHARS", 2_000_000)


def max_train_files() -> int:
    """Most pictures or recordings a training upload may hold (``AIGC_MAX_TRAIN_FILES``)."""
    return _positive_int("AIGC_MAX_TRAIN_FILES", 70_000)


def max_unpacked_bytes() -> int:
    """Most bytes an uploaded archive may unpack to (``AIGC_MAX_UNPACKED_MB``)."""
    return _positive_int("AIGC_MAX_UNPACKED_MB", 200) * 1_000_000
