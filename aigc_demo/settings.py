"""Where things live and how big the queue is, read from the environment in one place.

Environment variables:
    AIGC_HOME         folder for checkpoints a person trains (default: a folder under the
                      user's cache directory).
    AIGC_DEVICE       ``cpu``, ``cuda`` or ``mps`` to override automatic device selection.
    AIGC_QUEUE_SIZE   how many requests may wait in the app's queue (default 64).
    AIGC_CONCURRENCY  how many heavy requests of one kind run at once (default 2).
    AIGC_STREAMS      how many writings (Text's, its branches', the API's) are written at once
                      (default 32); they are stepped together, a character each per batched pass.
    AIGC_QUEUE_SHARE  how many requests one visitor (one address) may have waiting (default 16; public 8).
    AIGC_SESSIONS     how many visitors' sessions the server remembers; the least recently used
                      is forgotten first (default 1,000; public 400).
    AIGC_MAX_UPLOAD_MB  largest accepted upload in megabytes (default 20).
    AIGC_MAX_TRAIN_CHARS  longest text the Train tab learns from (default 2,000,000).
    AIGC_MAX_TRAIN_FILES  most pictures or recordings one upload to the Train tab may hold
                      (default 70,000: all of MNIST).
    AIGC_MAX_UNPACKED_MB  most megabytes an uploaded zip may unpack to (default 200).
    AIGC_PUBLIC       ``1`` for a server open to anonymous visitors, ``0`` for one that is not;
                      by default on where Hugging Face Spaces runs the app (``SPACE_ID`` is set).
                      A public server has tighter defaults for the settings below.
    AIGC_MAX_JOB_MINUTES  longest time budget of one training job (60; public 10).
    AIGC_MAX_MODELS   most models the app's visitors keep; saving one more removes the oldest
                      (100; public 20).
    AIGC_MAX_MODELS_MB  most megabytes they keep (1,000; public 200).
    AIGC_MODEL_HOURS  hours a visitor's model is kept (unset: until the quota needs room; public 24).
    AIGC_UPLOAD_MINUTES  minutes an uploaded file is kept on the server (60; public 10).
    AIGC_UPLOAD_MB_PER_HOUR  megabytes one address may upload in an hour (2,000; public 200).
    AIGC_CONTENT_PRODUCER  the producer every file's AI-generated label names (default "AIGC Studio").
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


def public() -> bool:
    """Whether the app serves anonymous visitors (``AIGC_PUBLIC``, else whether Spaces runs it)."""
    raw = os.environ.get("AIGC_PUBLIC", "").strip().lower()
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    if raw:
        raise ValueError(f"AIGC_PUBLIC must be 1 or 0, got {raw!r}")
    return bool(os.environ.get("SPACE_ID"))


def trusted_proxies() -> int:
    """How many proxies in front of the server add the address they saw to ``X-Forwarded-For``
    (``AIGC_TRUSTED_PROXIES``): the visitor's address is the one the nearest of them saw. By default
    one on Hugging Face Spaces (its proxy), else none: the connection's own address, since a header a
    client writes itself proves nothing."""
    raw = os.environ.get("AIGC_TRUSTED_PROXIES", "").strip()
    if raw == "":
        return 1 if os.environ.get("SPACE_ID") else 0
    if not raw.isdigit() or int(raw) > 10:
        raise ValueError(f"AIGC_TRUSTED_PROXIES must be a whole number from 0 to 10, got {raw!r}")
    return int(raw)


def _limit(name: str, local: int, hosted: int) -> int:
    """A positive whole-number setting whose default is tighter on a public server."""
    return _positive_int(name, hosted if public() else local)


def queue_size() -> int:
    return _positive_int("AIGC_QUEUE_SIZE", 64)


def queue_share() -> int:
    """Most requests one address may have waiting in the queue (``AIGC_QUEUE_SHARE``)."""
    return _limit("AIGC_QUEUE_SHARE", 16, 8)


def session_capacity() -> int:
    """Sessions kept in memory, least recently used forgotten first (``AIGC_SESSIONS``)."""
    return _limit("AIGC_SESSIONS", 1000, 400)


def concurrency_limit() -> int:
    return _positive_int("AIGC_CONCURRENCY", 2)


def streams_limit() -> int:
    return _positive_int("AIGC_STREAMS", 32)


def max_upload_size() -> str:
    """Largest upload the server accepts, e.g. ``"20mb"`` (``AIGC_MAX_UPLOAD_MB``)."""
    return f"{max_upload_mb()}mb"


def max_upload_mb() -> int:
    return _limit("AIGC_MAX_UPLOAD_MB", 20, 10)


def max_train_chars() -> int:
    """Longest text a training job in the app accepts (``AIGC_MAX_TRAIN_CHARS``)."""
    return _positive_int("AIGC_MAX_TRAIN_CHARS", 2_000_000)


def max_train_files() -> int:
    """Most pictures or recordings a training upload may hold (``AIGC_MAX_TRAIN_FILES``)."""
    return _positive_int("AIGC_MAX_TRAIN_FILES", 70_000)


def max_unpacked_bytes() -> int:
    """Most bytes an uploaded archive may unpack to (``AIGC_MAX_UNPACKED_MB``)."""
    return _positive_int("AIGC_MAX_UNPACKED_MB", 200) * 1_000_000


def max_job_minutes() -> int:
    """Longest time budget one training job may ask for (``AIGC_MAX_JOB_MINUTES``)."""
    return _limit("AIGC_MAX_JOB_MINUTES", 60, 10)


def max_visitor_models() -> int:
    """Most models the app's visitors keep at once (``AIGC_MAX_MODELS``)."""
    return _limit("AIGC_MAX_MODELS", 100, 20)


def max_models_per_visitor() -> int:
    """Most models one visitor (one address) keeps at once (``AIGC_MAX_MODELS_PER_VISITOR``)."""
    return _limit("AIGC_MAX_MODELS_PER_VISITOR", 10, 3)


def max_visitor_model_bytes() -> int:
    """Most bytes the app's visitors' models take together (``AIGC_MAX_MODELS_MB``)."""
    return _limit("AIGC_MAX_MODELS_MB", 1000, 200) * 1_000_000


def visitor_model_seconds() -> float | None:
    """How long a visitor's model is kept (``AIGC_MODEL_HOURS``); None: until room is needed."""
    if os.environ.get("AIGC_MODEL_HOURS", "").strip() == "" and not public():
        return None
    return _limit("AIGC_MODEL_HOURS", 24, 24) * 3600.0


def upload_budget_bytes() -> int:
    """Bytes one address may upload in an hour (``AIGC_UPLOAD_MB_PER_HOUR``)."""
    return _limit("AIGC_UPLOAD_MB_PER_HOUR", 2000, 200) * 1_000_000


def max_body_bytes() -> int:
    """Largest request body other than an upload (``AIGC_MAX_BODY_MB``): room for the longest text
    the Train page learns from, four bytes a character, and a megabyte more."""
    return _positive_int("AIGC_MAX_BODY_MB", 4 * max_train_chars() // 1_000_000 + 1) * 1_000_000


def upload_seconds() -> int:
    """How long an uploaded file stays on the server (``AIGC_UPLOAD_MINUTES``)."""
    return _limit("AIGC_UPLOAD_MINUTES", 60, 10) * 60


def content_producer() -> str:
    """Who the labels name as the content's producer (``AIGC_CONTENT_PRODUCER``): a service
    registered in China puts its code here; by default the app's name."""
    return os.environ.get("AIGC_CONTENT_PRODUCER", "").strip()[:200] or "AIGC Studio"
