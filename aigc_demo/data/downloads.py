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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aigc_demo.backend.atomic import atomic_write_bytes
from aigc_demo.data import corpora
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
class Corpus:
    """A file made from a dataset's downloaded files (``make`` reads their folder), checked against
    its own checksum before it is kept; the downloaded files are then removed."""

    name: str
    checksum: str  # "sha256:<hex>" of the bytes ``make`` returns
    make: Callable[[Path], bytes]


@dataclass(frozen=True)
class PublicDataset:
    name: str
    files: tuple[RemoteFile, ...]
    corpus: Corpus | None = None


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
    "tang-poems": PublicDataset(
        "tang-poems",
        (
            RemoteFile(
                "https://registry.npmjs.org/chinese-poetry/-/chinese-poetry-2.0.1.tgz",
                "chinese-poetry.tgz",
                "sha256:25b549e46919c3a0569db6b68ddc96956b04a484ea4518ad2bbd4f137e307e86",
            ),
        ),
        Corpus(
            "tang_poems.txt",
            "sha256:7a395f111a3bd6abaa3a4078d874896c2236a284528a60d18468f422af59b645",
            corpora.tang_poems,
        ),
    ),
    "chitchat": PublicDataset(
        "chitchat",
        (
            RemoteFile(
                "https://files.pythonhosted.org/packages/cb/49/"
                "c6697dfcd1263d36fff35f2889742703553083ed080c95f77dd948eaf578/"
                "chitchat_dataset-0.9.0-py3-none-any.whl",
                "chitchat_dataset.whl",
                "sha256:7bf89f36645e2d5ec87d53370c8e851b5a688479c7beb7079cb4c87fc5acea3e",
            ),
        ),
        Corpus(
            "conversations.jsonl",
            "sha256:d2543da0d3b903a80ed3a0d94f1b4bfea6074cf7a156fa72acb55ef83e715e4b",
            corpora.chitchat,
        ),
    ),
    "kdconv": PublicDataset(
        "kdconv",
        tuple(
            RemoteFile(
                "https://raw.githubusercontent.com/thu-coai/KdConv/"
                f"653db76432de09a004ba708a68f8bbd5500e6bec/data/{name.replace('-', '/')}",
                name,
                checksum,
            )
            for name, checksum in {
                "film-dev.json": "sha256:2f156d8d34bdd3eac31c196772156d36e017f8cb2255a2c312bd98e367ed363e",
                "film-test.json": "sha256:5ba2b79f9791bedbe5fe8a1bf5d7cbf277697743ee426ecd05459d9e28bcf21b",
                "music-dev.json": "sha256:ee34a4af167195db43fdcc910f8d125956222517f0572d248a069057493d557f",
                "music-test.json": "sha256:46f048c5db9dde45127cf6630b2fa06b685be369b71c5bc2dc3022d3f4bbad65",
                "travel-dev.json": "sha256:8d1f31295888cf61eff398bab8aa042f7fccd04a088bd63c939f0b79625a9093",
                "travel-test.json": "sha256:730426b0997b8375c8477c7e658c0ec645fced6ab8d546adda114b21cf30faac",
            }.items()
        ),
        Corpus(
            "conversations.jsonl",
            "sha256:3235aada47e31399af3a410bc1445e51c36236543763b135270bc177831bf45c",
            corpora.kdconv,
        ),
    ),
}


def public_name_of(data: Path, catalogue: Mapping[str, PublicDataset] = DATASETS) -> str | None:
    """The name of the public dataset whose files ``data`` holds, byte for byte (by the same
    checksums a download is checked against), or None. A command that names it runs anywhere."""
    for name, dataset in catalogue.items():
        if dataset.corpus is not None:
            if _holds_corpus(data, dataset.corpus):
                return name
        elif all(_holds(data, remote) for remote in dataset.files):
            return name
    return None


def _holds_corpus(data: Path, corpus: Corpus) -> bool:
    path = data / corpus.name if data.is_dir() else data
    return path.name == corpus.name and path.is_file() and _matches(path, corpus.checksum)


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
    if dataset.corpus is not None:
        return _made_corpus(dataset, folder)
    for remote in dataset.files:
        if remote.checksum.startswith("wav-set:"):
            _fetch_recordings(remote, folder)
        elif not (folder / remote.name).is_file() or not _matches(folder / remote.name, remote.checksum):
            _fetch(remote, folder / remote.name)
    only = dataset.files[0].name
    return folder / only if len(dataset.files) == 1 and not only.endswith(".zip") else folder


def _made_corpus(dataset: PublicDataset, folder: Path) -> Path:
    """The dataset's corpus file: kept from an earlier run, or made from its downloads (each checked)
    and checked itself before it is kept; the downloads are removed once it is."""
    corpus = dataset.corpus
    assert corpus is not None
    target = folder / corpus.name
    if target.is_file() and _matches(target, corpus.checksum):
        return target
    for remote in dataset.files:
        if not (folder / remote.name).is_file() or not _matches(folder / remote.name, remote.checksum):
            _fetch(remote, folder / remote.name)
    made = corpus.make(folder)
    algorithm, expected = corpus.checksum.split(":", 1)
    if hashlib.new(algorithm, made).hexdigest() != expected:
        raise DownloadError(
            f"{dataset.name}: the corpus made from its sources did not match its checksum; nothing was kept"
        )
    atomic_write_bytes(target, made)
    for remote in dataset.files:
        (folder / remote.name).unlink(missing_ok=True)
    return target


def _digest(path: Path, algorithm: str) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.new(algorithm, usedforsecurity=False)).hexdigest()


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
