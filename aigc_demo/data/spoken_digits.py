"""Spoken-digit recordings in the Free Spoken Digit Dataset's layout, from a folder or a zip.

File names carry the labels: ``{digit}_{speaker}_{index}.wav`` (e.g. ``7_jackson_32.wav``).
The dataset's own split holds out recordings with index 0-4 of every speaker for testing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import torch

from aigc_demo.audio.spectrogram import SPEC, SpectrogramSpec, fit_length
from aigc_demo.audio.wav import AudioFileError, read_wav, resample
from aigc_demo.data.archive import NO_LIMITS, Limits, read_members

FILE_NAME = re.compile(r"^(?P<digit>\d)_(?P<speaker>[A-Za-z0-9-]+)_(?P<index>\d+)\.wav$", re.IGNORECASE)
HELD_OUT_BELOW = 5  # recordings 0-4 of every speaker and digit are the test set
PEAK = 0.9
MIN_RATE, MAX_RATE = 4000, 192_000
MAX_SECONDS = 10.0  # longer recordings are not single spoken digits


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

    def held_out_evenly(self, every: int = 10) -> tuple[SpokenDigits, SpokenDigits]:
        """(train, test) holding out every ``every``-th recording of each digit (the first, the
        ``every+1``-th, ...): a split for recordings that do not follow the dataset's numbering."""
        seen: dict[int, int] = {}
        held_out = []
        for digit in self.digits.tolist():
            held_out.append(seen.get(digit, 0) % every == 0)
            seen[digit] = seen.get(digit, 0) + 1
        return self.subset([not h for h in held_out]), self.subset(held_out)


def load_spoken_digits(
    source: str | Path, spec: SpectrogramSpec = SPEC, limits: Limits = NO_LIMITS
) -> SpokenDigits:
    """Every ``D_speaker_N.wav`` in a folder or zip; other files are ignored."""
    source = Path(source)
    if not source.exists():
        raise ValueError(f"{source} does not exist")
    return recordings_to_set(read_members(source, (".wav",), limits), spec, source.name)


def recordings_to_set(
    named: Iterable[tuple[str, bytes]], spec: SpectrogramSpec = SPEC, source: str = "the files"
) -> SpokenDigits:
    """Recordings (file name, WAV content) named ``D_speaker_N.wav``; others are ignored."""
    waves, digits, speakers, indices = [], [], [], []
    for path, content in named:
        name = PurePosixPath(path).name
        match = FILE_NAME.match(name)
        if match is None:
            continue
        wave, rate = read_wav(io.BytesIO(content), name, MAX_SECONDS)  # refused before decoding
        if not MIN_RATE <= rate <= MAX_RATE:
            raise AudioFileError(f"{name} is sampled at {rate} Hz; give {MIN_RATE}-{MAX_RATE} Hz recordings")
        wave = resample(wave, rate, spec.sample_rate)  # a phone's 44.1 kHz to the model's 8 kHz
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
