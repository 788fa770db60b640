"""MNIST-style IDX files (``train-images-idx3-ubyte.gz`` and friends), plain or gzipped.

IDX is a tiny format: a magic number giving the element type and the number of dimensions, the
size of each dimension as big-endian 32-bit integers, then the raw values. Only unsigned-byte
data (type 0x08) is used by MNIST and Fashion-MNIST, and only that is accepted here.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

UNSIGNED_BYTE = 0x08
MAX_ELEMENTS = 200_000_000  # refuses absurd headers before allocating anything
MAX_SIDE = 64  # widest and highest IDX pictures accepted (MNIST's are 28)
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class IdxFormatError(ValueError):
    """A file that is not a usable IDX file, with the reason."""


def read_idx(path: str | Path, max_elements: int = MAX_ELEMENTS) -> np.ndarray:
    """The array stored in an IDX file (``.gz`` is decompressed). The header is read and checked
    first — at most ``max_elements`` values, pictures at most ``MAX_SIDE`` wide and high — and then
    no more data than it declares, so a small file that claims or inflates to gigabytes costs nothing."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            shape = _idx_shape(handle, path.name)
            count = int(np.prod(shape, dtype=np.int64))
            if count > max_elements:
                raise IdxFormatError(f"{path.name} claims {count:,} values, more than this loader accepts")
            if len(shape) == 3 and max(shape[1:]) > MAX_SIDE:
                raise IdxFormatError(
                    f"{path.name} holds pictures of {shape[1]} x {shape[2]}; the image models draw at most "
                    f"{MAX_SIDE} x {MAX_SIDE}"
                )
            data = handle.read(count + 1)  # one byte more tells a file longer than its header says
    except (OSError, EOFError, zlib.error) as err:
        raise IdxFormatError(f"{path.name} could not be read ({err})") from None
    if len(data) != count:
        held = f"{len(data):,}" if len(data) < count else "more"
        raise IdxFormatError(f"{path.name} holds {held} bytes of data; its header says {count:,}")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _idx_shape(handle: BinaryIO, name: str) -> tuple[int, ...]:
    """The shape an IDX file's header declares, checked to be of unsigned bytes."""
    head = handle.read(4)
    if len(head) < 4:
        raise IdxFormatError(f"{name} is too short to be an IDX file")
    zero, kind, dims = struct.unpack(">HBB", head)
    if zero != 0 or kind != UNSIGNED_BYTE or not 1 <= dims <= 4:
        raise IdxFormatError(f"{name} is not an unsigned-byte IDX file")
    sizes = handle.read(4 * dims)
    if len(sizes) < 4 * dims:
        raise IdxFormatError(f"{name} ends inside its header")
    return struct.unpack(f">{dims}I", sizes)


@dataclass(frozen=True)
class ImageSet:
    images: torch.Tensor  # (N, 1, H, W) float32 in [0, 1], white ink on black
    labels: torch.Tensor  # (N,) int64
    class_names: tuple[str, ...] = ()  # what each label means, where known

    def __len__(self) -> int:
        return len(self.labels)

    def held_out(self, share: float = 0.1, seed: int = 0) -> tuple[ImageSet, ImageSet]:
        """(train, test): a seeded ``share`` of the pictures (at least one) is kept aside."""
        order = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))
        cut = max(1, round(len(self) * share))
        return self._subset(order[cut:]), self._subset(order[:cut])

    def _subset(self, index: torch.Tensor) -> ImageSet:
        return ImageSet(self.images[index], self.labels[index], self.class_names)


def _find(folder: Path, stem: str) -> Path:
    for name in (f"{stem}.gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{folder} has no {stem}.gz (or {stem})")


def load_mnist(folder: str | Path, split: str = "train") -> ImageSet:
    """The ``train`` or ``test`` split of an MNIST-format folder (MNIST, Fashion-MNIST, ...)."""
    folder = Path(folder)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    images_file, labels_file = (_find(folder, stem) for stem in SPLITS[split])
    images, labels = read_idx(images_file), read_idx(labels_file)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise IdxFormatError(f"{images_file.name} and {labels_file.name} do not pair up as images and labels")
    pixels = torch.from_numpy(images.copy()).float().div_(255).unsqueeze(1)
    return ImageSet(pixels, torch.from_numpy(labels.astype(np.int64)))


# sha256 of the official train-images-idx3-ubyte.gz, to recognise MNIST whatever its folder is called.
MNIST_TRAIN_IMAGES_SHA256 = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"


def is_official_mnist(folder: str | Path) -> bool:
    try:
        path = _find(Path(folder), SPLITS["train"][0])
    except FileNotFoundError:
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == MNIST_TRAIN_IMAGES_SHA256
