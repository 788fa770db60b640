"""The checkpoint format: safetensors weights with a JSON model card in the header.

safetensors holds only raw tensors and a string-to-string header, so loading a checkpoint can
never run code (unlike pickle-based ``torch.save`` files). The card is stored as one JSON
document under the header key ``aigc_demo``; a ``.safetensors`` file without it is foreign.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import safetensors
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open
from safetensors.torch import save as serialize

import aigc_demo
from aigc_demo.backend.atomic import atomic_write_bytes

FORMAT_VERSION = 1
METADATA_KEY = "aigc_demo"
SUFFIX = ".safetensors"


class CheckpointError(ValueError):
    """A file is not a checkpoint this version of the project can read (a bad value given: its
    message says why, in words a person can act on)."""


@dataclass(frozen=True)
class DatasetInfo:
    """What a model was trained on, and under which terms that data may be shared."""

    name: str
    license: str = ""
    source: str = ""
    attribution: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def library_versions() -> dict[str, str]:
    return {
        "aigc_demo": aigc_demo.__version__,
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "python": platform.python_version(),
    }


@dataclass
class ModelCard:
    """Everything a checkpoint says about itself besides its weights.

    ``config`` holds the architecture's constructor arguments, so the model can be rebuilt
    from the card alone. The first entry of ``metrics`` is the headline figure. ``extras``
    holds what a model kind records beside that (training settings, labelled directions).
    """

    kind: str
    config: dict[str, Any]
    dataset: DatasetInfo
    training_command: str = ""
    seed: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=_now)
    versions: dict[str, str] = field(default_factory=library_versions)
    format_version: int = FORMAT_VERSION

    @property
    def headline_metric(self) -> tuple[str, float] | None:
        return next(iter(self.metrics.items()), None)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> ModelCard:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise CheckpointError(f"model card is not valid JSON ({err})") from None
        if not isinstance(raw, dict):
            raise CheckpointError("model card is not a JSON object")
        version = raw.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise CheckpointError(f"model card has no valid format_version ({version!r})")
        if version > FORMAT_VERSION:
            raise CheckpointError(
                f"checkpoint format {version} is newer than this version of the project "
                f"reads ({FORMAT_VERSION}); update aigc_demo"
            )
        if not isinstance(raw.get("kind"), str) or not raw["kind"]:
            raise CheckpointError("model card names no model kind")
        if not isinstance(raw.get("config"), dict):
            raise CheckpointError("model card has no architecture config")
        dataset = raw.get("dataset")
        if not isinstance(dataset, dict) or not isinstance(dataset.get("name"), str):
            raise CheckpointError("model card names no dataset")
        _check_fields(raw)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in raw.items() if key in known}
        dataset_fields = {f.name for f in dataclasses.fields(DatasetInfo)}
        values["dataset"] = DatasetInfo(**{k: str(v) for k, v in dataset.items() if k in dataset_fields})
        try:
            return cls(**values)
        except TypeError as err:
            raise CheckpointError(f"model card is malformed ({err})") from None


# What a card's fields may hold: anyone may give the app a checkpoint, and every visitor's pages
# show its card (the About page lists every one), so a field of the wrong type or size is refused
# when the card is read, never met later by a page.
TEXTS = {"training_command": 4000, "description": 2000, "created": 64}
MAX_METRICS = 64


def _check_fields(raw: dict) -> None:
    for name, longest in TEXTS.items():
        value = raw.get(name, "")
        if not isinstance(value, str) or len(value) > longest:
            raise CheckpointError(f"model card's {name} must be text of at most {longest:,} characters")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise CheckpointError("model card's seed must be a whole number")
    metrics = raw.get("metrics", {})
    if (
        not isinstance(metrics, dict)
        or len(metrics) > MAX_METRICS
        or not all(
            isinstance(key, str) and len(key) <= 64 and _is_number(value) for key, value in metrics.items()
        )
    ):
        raise CheckpointError(f"model card's metrics must be at most {MAX_METRICS} named numbers")
    for name in ("extras", "versions"):
        if not isinstance(raw.get(name, {}), dict):
            raise CheckpointError(f"model card's {name} must be an object")
    if not all(isinstance(value, str) for value in raw.get("versions", {}).values()):
        raise CheckpointError("model card's versions must be texts")


def _is_number(value: Any) -> bool:
    """A number (a run that diverged may record NaN: its model is still listed)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def save_checkpoint(
    path: Path,
    tensors: Mapping[str, torch.Tensor],
    card: ModelCard,
    storage_dtype: torch.dtype | None = None,
    before_write: Callable[[int], None] | None = None,
) -> int:
    """Write ``tensors`` and ``card`` to ``path`` atomically; return the file size in bytes.

    ``storage_dtype`` (e.g. ``torch.float16``) converts floating-point tensors to halve the
    file; they are cast back to the model's dtype when loaded into it. ``before_write`` is told
    the file's size first and may refuse it by raising.
    """

    def prepare(tensor: torch.Tensor) -> torch.Tensor:
        tensor = tensor.detach().to("cpu")
        if storage_dtype is not None and tensor.is_floating_point():
            tensor = tensor.to(storage_dtype)
        return tensor.contiguous()

    data = serialize(
        {name: prepare(t) for name, t in tensors.items()}, metadata={METADATA_KEY: card.to_json()}
    )
    if before_write is not None:
        before_write(len(data))
    atomic_write_bytes(Path(path), data)
    return len(data)


MAX_HEADER_BYTES = 1_000_000  # the shipped checkpoints' headers (card and tensor index) take 2-146 kB


def _check_header(path: Path) -> None:
    """Refuse a header larger than any checkpoint's before it is parsed: safetensors reads the whole
    index of tensors to open a file, and 300,000 of them had stalled the server 5 s."""
    try:
        with open(path, "rb") as stream:
            length = int.from_bytes(stream.read(8), "little")
    except OSError as err:
        raise CheckpointError(f"not a readable safetensors file ({err.strerror})") from None
    if length > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"not a readable safetensors file: its header would take {length:,} bytes "
            f"(a checkpoint's takes at most {MAX_HEADER_BYTES:,})"
        )


def read_card(path: Path) -> ModelCard:
    """Read only the header of a checkpoint: cheap enough to scan a folder with."""
    _check_header(path)
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"not a readable safetensors file ({err})") from None
    if METADATA_KEY not in metadata:
        raise CheckpointError("a safetensors file without an AIGC Studio model card")
    return ModelCard.from_json(metadata[METADATA_KEY])


def tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Every tensor's name and shape, from the header alone (no weights are read)."""
    _check_header(path)
    try:
        with safe_open(str(path), framework="pt") as handle:
            return {key: tuple(handle.get_slice(key).get_shape()) for key in handle.keys()}  # noqa: SIM118
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"not a readable safetensors file ({err})") from None


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in pieces."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def load_checkpoint(
    path: Path, device: torch.device | str = "cpu"
) -> tuple[dict[str, torch.Tensor], ModelCard]:
    """Read a checkpoint's tensors (onto ``device``) and its card."""
    card = read_card(path)
    try:
        tensors = load_file(str(path), device=str(device))
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"could not read the weights ({err})") from None
    return tensors, card


def rewrite_card(path: Path, change: Callable[[ModelCard], None]) -> int:
    """Let ``change`` edit the card of the checkpoint at ``path`` and write it back with the
    stored tensors exactly as they were (atomically); the file's new size in bytes."""
    tensors, card = load_checkpoint(path)
    change(card)
    return save_checkpoint(path, tensors, card)
