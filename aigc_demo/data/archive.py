"""Files inside a folder or a zip archive, read within limits.

An upload is untrusted: a zip bomb declares a few kilobytes packed and gigabytes unpacked, and an
archive may hold thousands of stray files. The limits are checked against the archive's own
directory before anything is unpacked; ``zipfile`` then refuses to read more than a member
declares (its CRC check fails), so the declared sizes bound the memory used. Member names are
only read (for labels), never used to write anything.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class ArchiveError(ValueError):
    """An archive or folder that cannot be used, with the reason."""


@dataclass(frozen=True)
class Limits:
    """How much of a person's data is read: files, unpacked bytes, and characters of a text."""

    max_files: int
    max_bytes: int  # all matching files together, unpacked
    max_chars: int = sys.maxsize  # of a text to learn from


NO_LIMITS = Limits(max_files=sys.maxsize, max_bytes=sys.maxsize)  # for a path given on the command line


def _wanted(name: str, suffixes: tuple[str, ...]) -> bool:
    path = PurePosixPath(name)
    hidden = any(part.startswith((".", "__MACOSX")) for part in path.parts)
    return not hidden and path.suffix.lower() in suffixes


def _check(count: int, total: int, source: Path, limits: Limits) -> None:
    if count > limits.max_files:
        raise ArchiveError(
            f"{source.name} holds {count:,} files; this server accepts up to {limits.max_files:,}"
        )
    if total > limits.max_bytes:
        raise ArchiveError(
            f"{source.name} unpacks to {total / 1e6:,.0f} MB; this server accepts up to "
            f"{limits.max_bytes / 1e6:,.0f} MB"
        )


def read_members(
    source: str | Path, suffixes: tuple[str, ...], limits: Limits
) -> Iterator[tuple[str, bytes]]:
    """``(relative path, content)`` of each file in a folder or zip whose name ends in one of
    ``suffixes`` (lower case, with the dot), in path order; hidden files are skipped."""
    source = Path(source)
    if source.is_dir():
        files = sorted(
            p
            for p in source.rglob("*")
            if p.is_file() and _wanted(p.relative_to(source).as_posix(), suffixes)
        )
        _check(len(files), sum(p.stat().st_size for p in files), source, limits)
        for path in files:
            yield path.relative_to(source).as_posix(), path.read_bytes()
        return
    if not zipfile.is_zipfile(source):
        raise ArchiveError(f"{source.name} is neither a folder nor a zip file")
    try:
        with zipfile.ZipFile(source) as archive:
            members = sorted(
                (
                    info
                    for info in archive.infolist()
                    if not info.is_dir() and _wanted(info.filename, suffixes)
                ),
                key=lambda info: info.filename,
            )
            _check(len(members), sum(info.file_size for info in members), source, limits)
            for info in members:
                yield info.filename, archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError) as err:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
        raise ArchiveError(f"{source.name} could not be unpacked ({err})") from None


def read_files(paths: list[Path], limits: Limits, what: str) -> list[tuple[str, bytes]]:
    """``(name, content)`` of loose files a person gave instead of an archive, within the same
    limits; ``what`` names them in the refusal ("pictures", "recordings")."""
    if len(paths) > limits.max_files or sum(p.stat().st_size for p in paths) > limits.max_bytes:
        raise ArchiveError(f"too many {what} or too many megabytes for this server")
    return [(p.name, p.read_bytes()) for p in paths]
