"""The model hub: finds checkpoints, loads them lazily onto the device and caches them.

Two folders are searched: the shipped ``checkpoints/`` (read-only) and the user folder where
trained models are saved. Every listing re-reads the folders, but a file's header is parsed
again only when its modification time or size changed, so new and replaced checkpoints show up
without a restart at the cost of one ``stat`` per file. All methods are safe to call from many
threads at once; a model is loaded once even when several requests ask for it together.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from aigc_demo import models, settings
from aigc_demo.backend.checkpoint import (
    SUFFIX,
    CheckpointError,
    ModelCard,
    file_sha256,
    load_checkpoint,
    read_card,
    save_checkpoint,
    tensor_shapes,
)
from aigc_demo.backend.device import describe, select_device, threads_if_cpu

log = logging.getLogger(__name__)

# Formats that unpickle on load: a file like this can run code, so it is never opened.
PICKLE_SUFFIXES = frozenset({".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"})
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

Stamp = tuple[int, int]  # (mtime_ns, size): identifies one version of a file


class UnknownModelError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class CheckpointEntry:
    name: str
    path: Path
    card: ModelCard
    size_bytes: int
    shipped: bool
    stamp: Stamp


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str


@dataclass(frozen=True)
class LoadedModel:
    entry: CheckpointEntry
    module: nn.Module
    device: torch.device
    sha256: str  # of the checkpoint file the weights were read from: receipts name it


def check_model_name(name: str) -> str:
    """Return ``name`` if it is safe as a file name and a model id, else raise ``ValueError``."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"model name {name!r} must be 1-64 characters of lower-case letters, digits, '.', "
            "'_' or '-', starting with a letter or digit"
        )
    return name


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class ModelHub:
    def __init__(self, shipped_dir: Path, user_dir: Path, device: torch.device | None = None):
        self.shipped_dir = Path(shipped_dir)
        self.user_dir = Path(user_dir)
        self.device = device if device is not None else select_device()
        self._lock = threading.Lock()
        self._inspected: dict[Path, tuple[Stamp, CheckpointEntry | SkippedFile]] = {}
        self._entries: dict[str, CheckpointEntry] = {}
        self._skipped: list[SkippedFile] = []
        self._loaded: dict[str, LoadedModel] = {}
        self._load_locks: dict[str, threading.Lock] = {}

    # ---- discovery -------------------------------------------------------------------

    def entries(self, kind: str | None = None) -> list[CheckpointEntry]:
        """Every usable checkpoint (shipped first, then by name), optionally of one kind."""
        self.rescan()
        with self._lock:
            found = list(self._entries.values())
        found.sort(key=lambda e: (not e.shipped, e.name))
        return [e for e in found if kind is None or e.card.kind == kind]

    def names(self, *kinds: str) -> list[str]:
        """The names of the models of ``kinds``, kind by kind in that order (every model when no kind
        is given)."""
        if not kinds:
            return [e.name for e in self.entries()]
        return [e.name for kind in kinds for e in self.entries(kind)]

    def skipped(self) -> list[SkippedFile]:
        """Files in the checkpoint folders that were not loaded, each with the reason."""
        self.rescan()
        with self._lock:
            return list(self._skipped)

    def entry(self, name: str) -> CheckpointEntry:
        self.rescan()
        with self._lock:
            found = self._entries.get(name)
            available = sorted(self._entries)
        if found is None:
            listing = ", ".join(available) or "none yet"
            shown = name if len(name) <= 64 else name[:64] + "…"  # a visitor's name is not echoed whole
            raise UnknownModelError(f"no model named {shown!r} (available: {listing})")
        return found

    def rescan(self) -> None:
        with self._lock:
            entries: dict[str, CheckpointEntry] = {}
            skipped: list[SkippedFile] = []
            inspected: dict[Path, tuple[Stamp, CheckpointEntry | SkippedFile]] = {}
            for folder, shipped in ((self.shipped_dir, True), (self.user_dir, False)):
                for path in self._candidates(folder):
                    stamp = _stamp(path)
                    if stamp is None:  # removed while we looked
                        continue
                    previous = self._inspected.get(path)
                    fresh = previous is None or previous[0] != stamp
                    result = self._inspect(path, stamp, shipped) if fresh else previous[1]
                    inspected[path] = (stamp, result)
                    if isinstance(result, CheckpointEntry) and result.name in entries:
                        result = SkippedFile(path, f"a shipped model is already named {result.name!r}")
                    if isinstance(result, CheckpointEntry):
                        entries[result.name] = result
                        continue
                    skipped.append(result)
                    if fresh:  # warn once per version of the file, not on every listing
                        log.warning("Skipping %s: %s", path, result.reason)
            self._inspected, self._entries, self._skipped = inspected, entries, skipped
            for name in [n for n, m in self._loaded.items() if entries.get(n) != m.entry]:
                del self._loaded[name]

    @staticmethod
    def _candidates(folder: Path) -> list[Path]:
        try:
            names = sorted(os.listdir(folder))
        except FileNotFoundError:
            return []
        suffixes = PICKLE_SUFFIXES | {SUFFIX}
        return [folder / n for n in names if not n.startswith(".") and Path(n).suffix.lower() in suffixes]

    @staticmethod
    def _inspect(path: Path, stamp: Stamp, shipped: bool) -> CheckpointEntry | SkippedFile:
        if path.suffix.lower() in PICKLE_SUFFIXES:
            return SkippedFile(
                path,
                "pickle-based files can run code when loaded and are never "
                "opened; convert the weights to .safetensors",
            )
        try:
            card = read_card(path)
        except CheckpointError as err:
            return SkippedFile(path, str(err))
        if not models.is_known(card.kind):
            return SkippedFile(path, f"model kind {card.kind!r} is not known to this version")
        return CheckpointEntry(path.stem, path, card, stamp[1], shipped, stamp)

    # ---- loading ---------------------------------------------------------------------

    def load(self, name: str) -> LoadedModel:
        """The named model on the hub's device, in eval mode; loaded on first use, then cached."""
        cached = self._current(name)
        if cached is not None:
            return cached
        self.entry(name)  # an unknown name is refused before it is given a lock of its own
        with self._lock:
            name_lock = self._load_locks.setdefault(name, threading.Lock())
        with name_lock:
            cached = self._current(name)  # another thread may have loaded it meanwhile
            if cached is not None:
                return cached
            entry = self.entry(name)
            loaded = LoadedModel(entry, self._build(entry), self.device, file_sha256(entry.path))
            with self._lock:
                self._loaded[name] = loaded
            log.info("Loaded %s (%s) on %s", name, entry.card.kind, self.device)
            return loaded

    def loaded_models(self) -> list[LoadedModel]:
        with self._lock:
            return list(self._loaded.values())

    def _current(self, name: str) -> LoadedModel | None:
        with self._lock:
            cached = self._loaded.get(name)
        if cached is not None and _stamp(cached.entry.path) == cached.entry.stamp:
            return cached
        return None

    def _build(self, entry: CheckpointEntry) -> nn.Module:
        tensors, _ = load_checkpoint(entry.path)
        try:
            module = models.build(entry.card.kind, entry.card.config)
            module.load_state_dict(tensors, strict=True)
        except (TypeError, ValueError, RuntimeError) as err:
            raise CheckpointError(f"{entry.path.name} does not match its model kind: {err}") from None
        return module.to(self.device).eval().requires_grad_(False)

    # ---- saving ----------------------------------------------------------------------

    def save(
        self,
        name: str,
        module: nn.Module,
        card: ModelCard,
        storage_dtype: torch.dtype | None = None,
        before_write: Callable[[int], None] | None = None,
    ) -> CheckpointEntry:
        """Save a trained model to the user folder (atomically) and return its entry;
        ``before_write`` is told the file's size first and may refuse it by raising."""
        check_model_name(name)
        if (self.shipped_dir / f"{name}{SUFFIX}").exists():
            raise ValueError(f"{name!r} is the name of a shipped model; choose another name")
        if not models.is_known(card.kind):
            raise ValueError(f"model kind {card.kind!r} is not registered")
        path = self.user_dir / f"{name}{SUFFIX}"
        save_checkpoint(path, module.state_dict(), card, storage_dtype, before_write)
        with self._lock:  # the new file may share the old one's size and mtime tick
            self._inspected.pop(path, None)
            self._loaded.pop(name, None)
        return self.entry(name)

    def adopt(
        self,
        path: Path,
        name: str,
        max_elements: int,
        before_write: Callable[[int], None] | None = None,
        edit_card: Callable[[ModelCard], ModelCard] = lambda card: card,
    ) -> CheckpointEntry:
        """Save a checkpoint someone gives (an upload) under ``name``, checked first as strictly as
        a file in the folders and more: its card names a known kind, the architecture the card asks
        for is built without memory (on the meta device) and must hold exactly the file's tensors,
        with at most ``max_elements`` numbers in all, before any weight is read."""
        card = read_card(path)
        if not models.is_known(card.kind):
            raise CheckpointError(f"its model kind {card.kind!r} is not one this app knows")
        over = models.over_limits(card.kind, card.config)
        if over:  # what using it would cost: a model the app would not train for a visitor
            raise CheckpointError(
                f"its card asks for more than this app runs for a visitor: {'; '.join(over)}"
            )
        try:
            with torch.device("meta"):
                planned = models.build(card.kind, card.config)
        except (TypeError, ValueError, RuntimeError, KeyError) as err:
            raise CheckpointError(f"its card describes no model this app can build ({err})") from None
        size = sum(t.numel() for t in (*planned.parameters(), *planned.buffers()))
        if size > max_elements:
            raise CheckpointError(f"its card asks for {size:,} numbers; at most {max_elements:,} may be")
        wanted = {key: tuple(value.shape) for key, value in planned.state_dict().items()}
        if wanted != tensor_shapes(path):
            raise CheckpointError("its weights are not those of the model its card describes")
        tensors, _ = load_checkpoint(path)
        module = models.build(card.kind, card.config)
        module.load_state_dict(tensors, strict=True)
        # Weights given in 16 bits or fewer (float16, int8, ...) are kept in float16, never widened
        # to float32 (int8 weights had taken four times their upload on disk).
        floating = {k for k, v in module.state_dict().items() if v.is_floating_point()}
        narrow = all(tensors[k].element_size() <= 2 for k in floating if k in tensors)
        return self.save(
            name, module, edit_card(card), torch.float16 if narrow else None, before_write=before_write
        )

    def remove(self, name: str) -> None:
        """Delete a model from the user folder (shipped models are never removed)."""
        entry = self.entry(name)
        if entry.shipped:
            raise ValueError(f"{name!r} is a shipped model and is never removed")
        entry.path.unlink(missing_ok=True)
        self.rescan()

    def describe_device(self) -> str:
        return describe(self.device)

    def cpu_threads(self) -> int | None:
        """The threads of the CPU the models run on; None on a GPU."""
        return threads_if_cpu(self.device)


@lru_cache(maxsize=1)
def default_hub() -> ModelHub:
    """The process-wide hub over the shipped folder and ``AIGC_HOME``, shared by CLI and UI."""
    hub = ModelHub(settings.SHIPPED_CHECKPOINTS, settings.user_checkpoints())
    log.info("Models run on %s", hub.describe_device())
    return hub
