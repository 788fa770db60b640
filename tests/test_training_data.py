"""Training data a person gives: pictures in folders or zips, IDX files, and the limits that
keep an upload from exhausting the server."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import torch

from aigc_demo.data.archive import ArchiveError, Limits, read_members
from aigc_demo.data.images import PICTURE_SUFFIXES, ImageFileError, load_training_images
from aigc_demo.data.mnist import IdxFormatError
from tests.helpers import drawn_bar, png_bytes, write_bar_digits, write_picture_zip

ROOMY = Limits(max_files=1000, max_bytes=50_000_000)


def test_zip_of_labelled_folders_becomes_mnist_style_digits(tmp_path):
    data = load_training_images([write_picture_zip(tmp_path / "bars.zip")], ROOMY)
    assert data.images.shape == (30, 1, 28, 28)
    assert data.class_names == ("0", "1", "2")
    assert torch.bincount(data.labels).tolist() == [10, 10, 10]
    # Dark strokes on light paper become bright ink on black, as MNIST's are.
    assert data.images.mean() < 0.3
    assert data.images.amax(dim=(1, 2, 3)).min() > 0.9
    # Each class keeps its own stroke: the mean pictures differ.
    means = [data.images[data.labels == k].mean(0) for k in range(3)]
    assert (means[0] - means[2]).abs().max() > 0.5


def test_a_folder_gives_the_same_pictures_as_its_zip(tmp_path):
    archive = write_picture_zip(tmp_path / "bars.zip")
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "unpacked")
    from_zip = load_training_images([archive], ROOMY)
    from_folder = load_training_images([tmp_path / "unpacked"], ROOMY)
    assert torch.equal(from_zip.images, from_folder.images)
    assert torch.equal(from_zip.labels, from_folder.labels)


def test_colour_pictures_stay_colour_and_loose_files_share_one_label(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for index in range(20):
        pixels = np.zeros((30, 50, 3), dtype=np.uint8)
        pixels[..., index % 3] = 200 + rng.integers(0, 50)
        paths.append(tmp_path / f"{index}.png")
        paths[-1].write_bytes(png_bytes(pixels))
    data = load_training_images(paths, ROOMY)
    assert data.images.shape == (20, 3, 32, 32)
    assert data.class_names == ()
    assert data.labels.unique().tolist() == [0]
    assert data.images[0, 0].mean() > 0.7
    assert data.images[0, 1:].max() < 0.05


def test_fine_tuning_asks_for_the_models_size_and_channels(tmp_path):
    data = load_training_images([write_picture_zip(tmp_path / "bars.zip")], ROOMY, channels=3, size=16)
    assert data.images.shape == (30, 3, 16, 16)


def test_idx_files_pair_images_with_labels(tmp_path):
    folder = write_bar_digits(tmp_path / "idx", train=40, test=10)
    data = load_training_images(sorted(folder.iterdir()), ROOMY)
    assert torch.equal(load_training_images([folder], ROOMY).images, data.images)  # the folder itself
    assert data.images.shape == (50, 1, 28, 28)
    assert data.class_names[:1] == ("0",)
    row = 2 + 2 * int(data.labels[0])
    assert data.images[0, 0, row, 10] == 1.0
    with pytest.raises(IdxFormatError, match="labels"):
        load_training_images([folder / "train-images-idx3-ubyte.gz"], ROOMY)


def test_bad_uploads_are_refused_by_name(tmp_path):
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(png_bytes(drawn_bar(0))[:60])
    good = [tmp_path / f"{i}.png" for i in range(20)]
    for path in good:
        path.write_bytes(png_bytes(drawn_bar(1)))
    with pytest.raises(ImageFileError, match=r"cut\.png is not a readable picture"):
        load_training_images([*good, truncated], ROOMY)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(ImageFileError, match=r"notes\.txt is not a picture"):
        load_training_images([*good, notes], ROOMY)
    with pytest.raises(ImageFileError, match="at least 20 pictures"):
        load_training_images(good[:5], ROOMY)
    blank = tmp_path / "blank.png"
    blank.write_bytes(png_bytes(np.full((28, 28), 255)))
    with pytest.raises(ImageFileError, match=r"blank\.png: no drawing found"):
        load_training_images([*good, blank], ROOMY)
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ArchiveError, match=r"fake\.zip"):
        load_training_images([fake], ROOMY)
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(ArchiveError, match="holds no pictures"):
        load_training_images([empty], ROOMY)
    with pytest.raises(ImageFileError, match="give pictures"):
        load_training_images([], ROOMY)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            archive.writestr(f"{index}.png", b"\0" * 30_000_000)  # 30 MB of zeros packs to ~30 kB
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ArchiveError, match="unpacks to 90 MB"):
        list(read_members(bomb, PICTURE_SUFFIXES, Limits(max_files=10, max_bytes=50_000_000)))
    with pytest.raises(ArchiveError, match="holds 3 files"):
        list(read_members(bomb, PICTURE_SUFFIXES, Limits(max_files=2, max_bytes=10**9)))


def test_a_member_larger_than_its_header_says_is_refused(tmp_path):
    """A forged directory entry cannot smuggle more bytes than the limits were checked against."""
    archive_path = tmp_path / "forged.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.png", b"\0" * 1_000_000)
    data = bytearray(archive_path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # claim 1 kB unpacked
    archive_path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="could not be unpacked"):
        list(read_members(archive_path, PICTURE_SUFFIXES, ROOMY))


def test_large_pictures_are_shrunk_as_they_are_read_so_an_upload_costs_one_at_a_time(tmp_path):
    """20 pictures of 1920 x 1920 (a 0.2 MB zip, 74 M pixels: within the upload's budget): each is
    shrunk as it is read, so the decoded pixels held at once stay small (numpy's allocations, measured
    with tracemalloc: kept whole, they would be 20 x 11 MB)."""
    import io
    import tracemalloc

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1920, 1920), "white")
    ImageDraw.Draw(picture).ellipse((400, 400, 1500, 1500), fill=(200, 30, 30))
    encoded = io.BytesIO()
    picture.save(encoded, format="PNG")
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for i in range(20):
            bundle.writestr(f"{'ab'[i % 2]}/{i}.png", encoded.getvalue())
    tracemalloc.start()
    data = load_training_images([archive], Limits(100, 10**9))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert data.images.shape == (20, 3, 32, 32)
    assert data.class_names == ("a", "b")
    assert data.images[0, 0, 16, 16] > data.images[0, 1, 16, 16]  # the red disc survives
    assert peak < 40_000_000, peak


def test_a_grey_picture_file_is_known_to_hold_no_colour_from_its_header(monkeypatch):
    """Whether an upload is in colour is read from grey files' headers, without decoding them (a
    pass over 1,500 drawings had taken half of preparing them); an RGB file is looked at."""
    from aigc_demo.data import images
    from tests.helpers import png_bytes

    grey = png_bytes(np.zeros((64, 64), dtype=np.uint8))
    red = np.zeros((8, 8, 3), dtype=np.uint8)
    red[..., 0] = 255
    decoded = []
    monkeypatch.setattr(images, "read_picture", lambda data, name: decoded.append(name) or red)
    assert not images._in_colour(grey, "grey.png")
    assert decoded == []  # never decoded
    assert images._in_colour(png_bytes(red), "red.png")
    assert decoded == ["red.png"]
