"""Public datasets fetched on first use, checked against known checksums, and kept in a cache.

Each file is downloaded to a temporary name beside its place, its checksum compared, and only
then renamed into place: an interrupted or corrupted download never looks like data. A host
without internet gets a message that says so and where to put the files by hand.

The spoken-digit set has no stable archive (GitHub builds its zip on request), so it is checked
by content: the sha256 of every recording, listed in name order, hashed once more.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aigc_demo.data.archive import Limits, read_members

CHUNK = 1 << 20
TIMEOUT_S = 30
MAX_DOWNLOAD_BYTES = 200_000_000  # the largest file here is MNIST's 9.9 MB training images


class DownloadError(ValueError):
    """A dataset could not be fetched or did not match its checksum; the message says what to do."""


@dataclass(frozen=True)
class RemoteFile:
    url: str
    name: str  # where it lands in the dataset's folder
    checksum: str  # "sha256:<hex>" or "md5:<hex>" of the file, or "wav-set:<hex>" (see module doc)


@dataclass(frozen=True)
class PublicDataset:
    name: str
    files: tuple[RemoteFile, ...]


def _mnist_style(base: str, checksums: Mapping[str, str]) -> tuple[RemoteFile, ...]:
    return tuple(RemoteFile(base + name, name, checksum) for name, checksum in checksums.items())


DATASETS: dict[str, PublicDataset] = {
    "mnist": PublicDataset(
        "mnist",
        _mnist_style(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            {
                "train-images-idx3-ubyte.gz": "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
                "train-labels-idx1-ubyte.gz": "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
                "t10k-images-idx3-ubyte.gz": "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",  # noqa: E501
                "t10k-labels-idx1-ubyte.gz": "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",  # noqa: E501
            },
        ),
    ),
    "fashion-mnist": PublicDataset(
        "fashion-mnist",
        _mnist_style(
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            {
                "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
            },
        ),
    ),
    "tiny-shakespeare": PublicDataset(
        "tiny-shakespeare",
        (
            RemoteFile(
                "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                "input.txt",
                "sha256:86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            ),
        ),
    ),
    "fsdd": PublicDataset(
        "fsdd",
        (
            RemoteFile(
                "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/"
                "26eb9aaf76e81b692f806f9140c2d2777410d7a1.zip",
                "recordings.zip",
                "wav-set:1801eae019c063377d98f831d3f93574f259475df7332bb0e3d1b080fb5e6959",
            ),
        ),
    ),
}


def public_name_of(data: Path, catalogue: Mapping[str, PublicDataset] = DATASETS) -> str | None:
    """The name of the public dataset whose files ``data`` holds, byte for byte (by the same
    checksums a download is checked against), or None. A command that names it runs anywhere."""
    for name, dataset in catalogue.items():
        if all(_holds(data, remote) for remote in dataset.files):
            return name
    return None


def _holds(data: Path, remote: RemoteFile) -> bool:
    if remote.checksum.startswith("wav-set:"):
        if not data.is_dir():
            return False
        named = {p.name: p.read_bytes() for p in data.glob("*.wav")}
        return bool(named) and wav_set_digest(named) == remote.checksum.removeprefix("wav-set:")
    path = data / remote.name if data.is_dir() else data
    return path.name == remote.name and path.is_file() and _matches(path, remote.checksum)


def dataset_path(name: str, cache: Path, catalogue: Mapping[str, PublicDataset] = DATASETS) -> Path:
    """The local copy of a public dataset (its folder, or its one text file), fetched on first use."""
    if name not in catalogue:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(catalogue)}")
    dataset = catalogue[name]
    folder = cache / dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    for remote in dataset.files:
        if remote.checksum.startswith("wav-set:"):
            _fetch_recordings(remote, folder)
        elif not (folder / remote.name).is_file() or not _matches(folder / remote.name, remote.checksum):
            _fetch(remote, folder / remote.name)
    only = dataset.files[0].name
    return folder / only if len(dataset.files) == 1 and not only.endswith(".zip") else folder


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _matches(path: Path, checksum: str) -> bool:
    algorithm, expected = checksum.split(":", 1)
    return _digest(path, algorithm) == expected


def _download(url: str, target: Path) -> Path:
    """``url`` into a temporary file beside ``target``; a clear error when the host is offline."""
    temporary = Path(tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")[1])
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, temporary.open("wb") as out:
            received = 0
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if received > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(f"{url} sent more than {MAX_DOWNLOAD_BYTES:,} bytes; stopped")
                out.write(chunk)
        return temporary
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        temporary.unlink(missing_ok=True)
        reason = getattr(err, "reason", err)
        raise DownloadError(
            f"could not download {url} ({reason}); this machine may be offline. Download it "
            f"elsewhere and put it at {target}"
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fetch(remote: RemoteFile, target: Path) -> None:
    temporary = _download(remote.url, target)
    if not _matches(temporary, remote.checksum):
        temporary.unlink(missing_ok=True)
        raise DownloadError(f"{remote.url} did not match its checksum ({remote.checksum}); nothing was kept")
    os.replace(temporary, target)


def wav_set_digest(named: Mapping[str, bytes]) -> str:
    """The content checksum of a set of recordings: independent of the archive that carried them."""
    lines = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(named.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def _fetch_recordings(remote: RemoteFile, folder: Path) -> None:
    """The recordings of an archive, checked by content, unpacked into ``folder/recordings``."""
    expected = remote.checksum.removeprefix("wav-set:")
    recordings = folder / "recordings"
    if recordings.is_dir():
        present = {p.name: p.read_bytes() for p in recordings.glob("*.wav")}
        if present and wav_set_digest(present) == expected:
            return
    archive = _download(remote.url, folder / remote.name)
    try:
        limits = Limits(max_files=100_000, max_bytes=MAX_DOWNLOAD_BYTES)
        named = {PurePosixPath(n).name: data for n, data in read_members(archive, (".wav",), limits)}
        if wav_set_digest(named) != expected:
            raise DownloadError(
                f"the recordings in {remote.url} did not match their checksum; nothing was kept"
            )
        unpacked = Path(tempfile.mkdtemp(dir=folder, prefix=".recordings."))
        for name, data in named.items():
            (unpacked / name).write_bytes(data)
        if recordings.exists():
            for stale in recordings.iterdir():
                stale.unlink()
            recordings.rmdir()
        os.replace(unpacked, recordings)
    finally:
        archive.unlink(missing_ok=True)
