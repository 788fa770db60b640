"""Spoken-digit recordings in the Free Spoken Digit Dataset's layout, from a folder or a zip.

File names carry the labels: ``{digit}_{speaker}_{index}.wav`` (e.g. ``7_jackson_32.wav``).
The dataset's own split holds out recordings with index 0-4 of every speaker for testing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from aigc_demo.audio.spectrogram import SPEC, SpectrogramSpec, fit_length
from aigc_demo.audio.wav import AudioFileError, read_wav

FILE_NAME = re.compile(r"^(?P<digit>\d)_(?P<speaker>[A-Za-z0-9-]+)_(?P<index>\d+)\.wav$", re.IGNORECASE)
HELD_OUT_BELOW = 5  # recordings 0-4 of every speaker and digit are the test set
PEAK = 0.9


@dataclass(frozen=True)
class SpokenDigits:
    waves: torch.Tensor  # (N, samples), peak-normalised, fitted to the spectrogram length
    digits: torch.Tensor  # (N,) int64
    speakers: tuple[str, ...]
    indices: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.digits)

    def subset(self, mask: list[bool]) -> SpokenDigits:
        keep = torch.tensor(mask, dtype=torch.bool)
        return SpokenDigits(
            self.waves[keep],
            self.digits[keep],
            tuple(s for s, k in zip(self.speakers, mask, strict=True) if k),
            tuple(i for i, k in zip(self.indices, mask, strict=True) if k),
        )

    def split(self) -> tuple[SpokenDigits, SpokenDigits]:
        """(train, held-out test) by the dataset's recording index."""
        held_out = [index < HELD_OUT_BELOW for index in self.indices]
        return self.subset([not h for h in held_out]), self.subset(held_out)


def _recordings(source: Path) -> Iterator[tuple[str, bytes | Path]]:
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                yield path.name, path
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    yield Path(info.filename).name, archive.read(info)
    else:
        raise ValueError(f"{source} is neither a folder nor a zip file of WAV recordings")


def load_spoken_digits(source: str | Path, spec: SpectrogramSpec = SPEC) -> SpokenDigits:
    """Every ``D_speaker_N.wav`` under ``source``; other files are ignored."""
    source = Path(source)
    if not source.exists():
        raise ValueError(f"{source} does not exist")
    waves, digits, speakers, indices = [], [], [], []
    for name, content in _recordings(source):
        match = FILE_NAME.match(name)
        if match is None:
            continue
        wave, rate = read_wav(io.BytesIO(content) if isinstance(content, bytes) else content)
        if rate != spec.sample_rate:
            raise AudioFileError(f"{name} is sampled at {rate} Hz; expected {spec.sample_rate} Hz")
        peak = wave.abs().max()
        if peak > 0:
            wave = wave * (PEAK / peak)
        waves.append(fit_length(wave, spec.num_samples))
        digits.append(int(match["digit"]))
        speakers.append(match["speaker"].lower())
        indices.append(int(match["index"]))
    if not waves:
        raise ValueError(f"no recordings named like 3_speaker_7.wav found in {source}")
    return SpokenDigits(torch.stack(waves), torch.tensor(digits), tuple(speakers), tuple(indices))
