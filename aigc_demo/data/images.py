"""A person's own pictures as training data: a folder or zip of picture files, several picture
files, or MNIST-style IDX files.

Grey pictures are taken to be drawings (handwriting, sketches) and made the way MNIST's digits
were, so a model trained on MNIST can be fine-tuned on them; colour pictures are fitted whole into
a square. Labels come from the folder each picture is in (``3/my_three.png``), else all share one.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from aigc_demo.data.archive import ArchiveError, Limits, read_files, read_members
from aigc_demo.data.mnist import MAX_ELEMENTS, IdxFormatError, ImageSet, read_idx

PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
GREY_SIZE = 28
COLOUR_SIZE = 32
MIN_PICTURES = 20


class ImageFileError(ValueError):
    """Pictures that cannot be used, with a message a person can act on."""


MAX_DRAWING_SIDE = 4096
MAX_UPLOAD_PIXELS = 100_000_000  # pixels an upload's pictures may decode to in all (eight 12-MP photos)
WORKING_SIDE = 256  # pictures to learn from are shrunk to this as they are read
PNG_DATA_URL = "data:image/png;base64,"
MAX_DATA_URL = 1_000_000  # characters: a drawn 280 x 280 PNG takes 5-40 thousand


def prepare_drawing(pixels: np.ndarray, size: int = 28, box: int = 20) -> torch.Tensor:
    """A drawing or photo of a digit, made the way MNIST's images were: grey, bright ink on
    dark, cropped to the ink, scaled so its longer side is ``box`` pixels, and placed in a
    ``size`` x ``size`` image with its centre of mass in the middle. Returns ``(1, size, size)``
    in [0, 1]. A light background (a sketch, paper) is inverted first."""
    array = np.asarray(pixels)
    if array.ndim not in (2, 3) or min(array.shape[:2]) < 1:
        raise ValueError("that is not an image")
    if max(array.shape[:2]) > MAX_DRAWING_SIDE:
        raise ValueError(f"the image is too large: at most {MAX_DRAWING_SIDE} pixels a side")
    if array.ndim == 3 and array.shape[2] == 3 and array.dtype == np.uint8:
        # the mean of three whole numbers, summed exactly: what .mean(axis=2) gives, ~10x faster
        grey = (array[..., 0].astype(np.uint16) + array[..., 1] + array[..., 2]).astype(np.float32) / 3
    else:
        grey = array.astype(np.float32)
    if grey.ndim == 3:
        if grey.shape[2] == 4:  # transparent parts count as white paper
            alpha = grey[..., 3:] / 255.0
            grey = grey[..., :3] * alpha + 255.0 * (1 - alpha)
        grey = grey[..., :3].mean(axis=2) if grey.shape[2] >= 3 else grey[..., 0]
    grey /= max(float(grey.max()), 1.0) if grey.max() > 1.0 else 1.0
    if np.median(grey) > 0.5:
        grey = 1.0 - grey
    grey = np.clip(grey - np.median(grey), 0.0, None)
    peak = float(grey.max())
    if peak < 0.1:
        raise ValueError("no drawing found: draw a digit (or upload a picture of one) first")
    grey /= peak
    rows, cols = np.nonzero(grey > 0.1)
    crop = grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = box / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = np.asarray(Image.fromarray(crop).resize((width, height), Image.Resampling.LANCZOS)).clip(0, 1)
    canvas = np.zeros((size, size), dtype=np.float32)
    total = small.sum()
    centre_y = (small.sum(axis=1) @ np.arange(height)) / total
    centre_x = (small.sum(axis=0) @ np.arange(width)) / total
    top = int(np.clip(round(size / 2 - centre_y - 0.5), 0, size - height))
    left = int(np.clip(round(size / 2 - centre_x - 0.5), 0, size - width))
    canvas[top : top + height, left : left + width] = small
    return torch.from_numpy(canvas).unsqueeze(0)


def read_picture(data: bytes, name: str, working_side: int = WORKING_SIDE) -> np.ndarray:
    """The pixels of an image file as uint8 (H, W, 3) or (H, W, 4) when it has transparency, shrunk
    to at most ``working_side`` a side (the models learn from 28 or 32 pixels): only one picture at
    full size is ever in memory, however many an upload holds.

    The size is checked from the header, before the pixels are decoded."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if max(picture.size) > MAX_DRAWING_SIDE:
                raise ImageFileError(f"{name} is too large: at most {MAX_DRAWING_SIDE} pixels a side")
            transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
            mode = "RGBA" if transparent else "RGB"
            picture.draft(mode, (working_side, working_side))  # JPEG: decode at a reduced scale
            converted = picture.convert(mode)
            converted.thumbnail((working_side, working_side), Image.Resampling.LANCZOS)
            return np.asarray(converted)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as err:
        if isinstance(err, ImageFileError):
            raise
        raise ImageFileError(f"{name} is not a readable picture ({err})") from None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_data_url(url: str, name: str) -> np.ndarray:
    """The pixels of a PNG sent as a data URL (a drawing pad's value), as ``read_picture`` reads a
    file: its length is checked before it is decoded, its size before its pixels are."""
    if not url.startswith(PNG_DATA_URL):
        raise ImageFileError(f"{name} is not a PNG picture")
    if len(url) > MAX_DATA_URL:
        raise ImageFileError(f"{name} is too large: at most {MAX_DATA_URL // 1000} kB")
    try:
        data = base64.b64decode(url[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise ImageFileError(f"{name} is not a readable picture") from None
    if not data.startswith(PNG_SIGNATURE):  # what it says it is, not a GIF or TIFF under the name
        raise ImageFileError(f"{name} is not a PNG picture")
    return read_picture(data, name)


def is_colour(pixels: np.ndarray) -> bool:
    rgb = pixels[..., :3].astype(np.int16)
    return bool(np.abs(rgb - rgb.mean(axis=2, keepdims=True)).max() > 12)


def fit_picture(pixels: np.ndarray, size: int = COLOUR_SIZE) -> torch.Tensor:
    """The whole picture, padded to a square with its border colour and scaled: ``(3, size, size)``
    in [0, 1]. Transparent parts count as white."""
    rgb = pixels.astype(np.float32) / 255.0
    if rgb.shape[2] == 4:
        rgb = rgb[..., :3] * rgb[..., 3:] + (1 - rgb[..., 3:])
    height, width = rgb.shape[:2]
    side = max(height, width)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).mean(axis=0)
    square = np.empty((side, side, 3), dtype=np.float32)
    square[:] = border
    top, left = (side - height) // 2, (side - width) // 2
    square[top : top + height, left : left + width] = rgb
    picture = Image.fromarray((square * 255).round().astype(np.uint8))
    small = np.asarray(picture.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float32) / 255
    return torch.from_numpy(small).permute(2, 0, 1).contiguous()


def _labels(names: Sequence[str]) -> tuple[torch.Tensor, tuple[str, ...]]:
    """Labels from each picture's folder when every picture is in one and there are several;
    folder names are sorted, numerically when they are all numbers (0, 1, ..., 10)."""
    folders = [PurePosixPath(name).parent.name for name in names]
    if "" in folders or len(set(folders)) < 2:
        return torch.zeros(len(names), dtype=torch.int64), ()
    order = sorted(set(folders), key=lambda f: (0, int(f), f) if f.isdigit() else (1, 0, f))
    index = {folder: i for i, folder in enumerate(order)}
    return torch.tensor([index[f] for f in folders]), tuple(order)


def pictures_to_set(
    named: Sequence[tuple[str, bytes]], channels: int | None = None, size: int | None = None
) -> ImageSet:
    """Pictures (name, file content) as a training set. ``channels`` (1 or 3) and ``size`` follow
    a model being fine-tuned; by default colour is kept when any picture has it."""
    if len(named) < MIN_PICTURES:
        raise ImageFileError(f"give at least {MIN_PICTURES} pictures to learn from (found {len(named)})")
    _check_pixels(named)
    # One decoded picture in memory at a time: read once to find whether any is in colour (a grey
    # file from its header alone), again to prepare each (5,000 tiny files of 256 x 256 kept decoded
    # had grown the server by 0.7 GB).
    colour = channels == 3 if channels is not None else any(_in_colour(c, name) for name, c in named)
    tensors = []
    for name, content in named:
        array = read_picture(content, name)
        if colour:
            tensors.append(fit_picture(array, size or COLOUR_SIZE))
            continue
        try:
            tensors.append(prepare_drawing(array, size or GREY_SIZE))
        except ValueError as err:
            raise ImageFileError(f"{name}: {err}") from None
    labels, class_names = _labels([name for name, _ in named])
    return ImageSet(torch.stack(tensors), labels, class_names)


GREY_MODES = ("1", "L", "LA", "I", "I;16", "F")  # modes of a file that holds no colour at all


def _in_colour(data: bytes, name: str) -> bool:
    """Whether a picture file shows colour: no for a grey file, read from its header; else from its
    pixels (an RGB file may hold a grey drawing)."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.mode in GREY_MODES:
                return False
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        pass  # read_picture says what is wrong with it
    return is_colour(read_picture(data, name))


def _check_pixels(named: Sequence[tuple[str, bytes]]) -> None:
    """Refuse pictures that would decode to more than ``MAX_UPLOAD_PIXELS`` in all, from their headers,
    before any is decoded (1,000 large 1-bit PNGs in 184 kB had taken 100 s to decode)."""
    total = 0
    for name, content in named:
        try:
            with Image.open(io.BytesIO(content)) as picture:
                total += picture.width * picture.height
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            raise ImageFileError(f"{name} is not a readable picture") from None
        if total > MAX_UPLOAD_PIXELS:
            raise ImageFileError(
                f"these pictures hold more than {MAX_UPLOAD_PIXELS // 1_000_000:,} million pixels in all; "
                "give smaller pictures (the models learn from 28 or 32 pixels a side) or fewer"
            )


def _is_idx(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return "-ubyte" in name or name.endswith((".idx", "idx1-ubyte", "idx3-ubyte"))


def idx_to_set(paths: Sequence[Path], max_elements: int = MAX_ELEMENTS) -> ImageSet:
    """MNIST-style IDX files: each images file (N, H, W) pairs with the labels file of equal N; no
    file may hold more than ``max_elements`` values."""
    arrays = [read_idx(path, max_elements) for path in paths]
    images = [a for a in arrays if a.ndim == 3]
    labels = {len(a): a for a in arrays if a.ndim == 1}
    if not images:
        raise IdxFormatError("no IDX images file (3 dimensions) among the files given")
    pairs = []
    for block in images:
        if len(block) not in labels:
            raise IdxFormatError(f"no IDX labels file with {len(block):,} labels to go with the images")
        pairs.append((block, labels[len(block)]))
    if len({block.shape[1:] for block, _ in pairs}) > 1:
        raise IdxFormatError("the IDX images files hold pictures of different sizes")
    pixels = torch.from_numpy(np.concatenate([b for b, _ in pairs])).float().div_(255).unsqueeze(1)
    targets = torch.from_numpy(np.concatenate([t for _, t in pairs]).astype(np.int64))
    return ImageSet(pixels, targets, tuple(str(i) for i in range(int(targets.max()) + 1)))


def load_training_images(
    paths: Sequence[str | Path], limits: Limits, channels: int | None = None, size: int | None = None
) -> ImageSet:
    """Pictures to train on from what a person gave: a folder or zip of pictures, picture files,
    or MNIST-style IDX files (plain or ``.gz``)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ImageFileError("give pictures to learn from: a zip of pictures, picture files or IDX files")
    if all(_is_idx(p) for p in paths):
        data = idx_to_set(paths, min(MAX_ELEMENTS, limits.max_files * COLOUR_SIZE * COLOUR_SIZE))
        if len(data) > limits.max_files:
            raise ImageFileError(
                f"the IDX files hold {len(data):,} pictures; this server accepts up to {limits.max_files:,}"
            )
        return data
    if len(paths) == 1 and paths[0].is_dir() and any(_is_idx(p) for p in paths[0].iterdir()):
        return load_training_images(sorted(p for p in paths[0].iterdir() if _is_idx(p)), limits)
    if len(paths) == 1 and (paths[0].is_dir() or paths[0].suffix.lower() == ".zip"):
        named = list(read_members(paths[0], PICTURE_SUFFIXES, limits))
        if not named:
            raise ArchiveError(f"{paths[0].name} holds no pictures ({', '.join(PICTURE_SUFFIXES)})")
        return pictures_to_set(named, channels, size)
    strangers = [p.name for p in paths if p.suffix.lower() not in PICTURE_SUFFIXES]
    if strangers:
        raise ImageFileError(
            f"{strangers[0]} is not a picture: give one zip of pictures, picture files "
            f"({', '.join(PICTURE_SUFFIXES)}) or MNIST-style IDX files"
        )
    return pictures_to_set(read_files(paths, limits, "pictures"), channels, size)
