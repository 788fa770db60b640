"""Where training data comes from: a path on the command line, a public dataset's name, the
built-in sprites, or files a person uploaded; and how the data is credited on a model's card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.data import catalog
from aigc_demo.data.archive import NO_LIMITS, Limits
from aigc_demo.data.spoken_digits import SpokenDigits

SPRITES = "sprites"  # ``--data sprites``: the procedural sprites, drawn on demand
SPRITE_COUNTS = {"train": 50_000, "test": 10_000}


def public_or_local(data: Path) -> Path:
    """``--data mnist`` (or another public dataset's name) means its cached copy, fetched on
    first use, unless a file or folder of that name is here."""
    from aigc_demo import settings
    from aigc_demo.data.downloads import DATASETS, dataset_path

    if data.exists() or str(data) not in DATASETS:
        return data
    return dataset_path(str(data), settings.dataset_cache())


def is_sprites(data: Path) -> bool:
    """``--data sprites`` means the built-in sprites, unless a folder of that name is there."""
    return str(data) == SPRITES and not data.exists()


def image_splits(
    data: Path, channels: int | None = None, size: int | None = None
) -> tuple[Any, Any, dict[str, Any]]:
    """(train, test, how to label directions) from MNIST-format files, the built-in sprites, or
    a folder or zip of pictures (10% held out; made ``channels`` x ``size`` when given)."""
    if not has_pictures(data):  # MNIST-format files, or the sprites
        (train, labelling), (test, _) = image_split(data, "train"), image_split(data, "test")
        return train, test, labelling
    from aigc_demo.data.images import load_training_images

    train, test = load_training_images([data], NO_LIMITS, channels, size).held_out()
    return train, test, {"class_names": train.class_names or None}


def has_pictures(data: Path) -> bool:
    """A zip, or a folder with picture files in it (rather than MNIST-format IDX files)."""
    from aigc_demo.data.images import PICTURE_SUFFIXES

    if data.suffix.lower() == ".zip":
        return True
    return data.is_dir() and any(p.suffix.lower() in PICTURE_SUFFIXES for p in data.rglob("*"))


def image_split(data: Path, split: str) -> tuple[Any, dict[str, Any]]:
    """One split ("train" or "test") of MNIST-format files or of the built-in sprites, and how to
    label directions on it (for the sprites: the factors that made them and the shape names)."""
    if is_sprites(data):
        from aigc_demo.data.sprites import SHAPES, make_sprites

        sprites = make_sprites(SPRITE_COUNTS[split], seed=list(SPRITE_COUNTS).index(split))
        factors = {k: v for k, v in sprites.factors.items() if k != "shape"}
        return sprites.as_image_set(), {"traits": factors, "class_names": SHAPES}
    from aigc_demo.data.mnist import load_mnist

    return load_mnist(data, split), {}


def image_credit(data: Path) -> DatasetInfo:
    """The catalogue's entry for MNIST's own files or the sprites, else the folder's name."""
    from aigc_demo.data.mnist import is_official_mnist

    if is_sprites(data):
        return catalog.SPRITES
    return catalog.MNIST if is_official_mnist(data) else DatasetInfo(name=data.resolve().name)


def uploads_credit(files: list[str]) -> DatasetInfo:
    """MNIST's catalogue entry (licence, credit) when the files are MNIST's own, else their names."""
    from aigc_demo.data.mnist import is_official_mnist

    if len(files) == 1 and Path(files[0]).is_dir() and is_official_mnist(files[0]):
        return catalog.MNIST
    return DatasetInfo(name=files_named(files))


def files_named(files: list[str]) -> str:
    """The uploaded files a model learned from, for its card (the first three names)."""
    return ", ".join(Path(f).name for f in files[:3]) + (" ..." if len(files) > 3 else "")


def load_recordings(files: list[str], limits: Limits) -> SpokenDigits:
    """Recordings from what a person gave: one zip or folder of WAV files, or WAV files."""
    from aigc_demo.data.archive import read_files
    from aigc_demo.data.spoken_digits import load_spoken_digits, recordings_to_set

    paths = [Path(f) for f in files]
    if not paths:
        raise ValueError("give recordings to learn from: a zip of WAV files named like 3_name_7.wav")
    if len(paths) == 1 and paths[0].suffix.lower() != ".wav":
        return load_spoken_digits(paths[0], limits=limits)
    strangers = [p.name for p in paths if p.suffix.lower() != ".wav"]
    if strangers:
        raise ValueError(f"{strangers[0]} is not a WAV file: give one zip of recordings or WAV files")
    return recordings_to_set(read_files(paths, limits, "recordings"))
