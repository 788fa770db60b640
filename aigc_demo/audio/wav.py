"""Reading and writing WAV files with soundfile (16-bit PCM out, any PCM or float in)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import torch


class AudioFileError(ValueError):
    """A file that is not readable audio, with the reason in words."""


WAV_FORMATS = ("WAV", "WAVEX", "RF64")  # libsndfile's names of the WAV containers
MAX_SAMPLE_RATE = 192_000  # studio recordings go up to this; a header claiming more is not a recording


def read_wav(
    source: str | Path | BinaryIO, name: str | None = None, max_seconds: float | None = None
) -> tuple[torch.Tensor, int]:
    """A mono float32 waveform in [-1, 1] and its sample rate; stereo is averaged to mono.

    The header is read first: a file that is not WAV (whatever its name), has more than two
    channels, a sample rate no recording has (a 1 GHz header made a 175 kB file cost 918 MB to
    resample), or lasts longer than ``max_seconds`` is refused before its samples are decoded.
    ``name`` is how the file is named in messages (a person's file name, not a stream's)."""
    name = name or str(getattr(source, "name", source))
    try:
        with sf.SoundFile(source) as sound:
            if sound.format not in WAV_FORMATS:
                raise AudioFileError(f"{name} is {sound.format_info}, not a WAV file")
            if sound.channels > 2:
                raise AudioFileError(f"{name} has {sound.channels} channels; give mono or stereo recordings")
            if not 1_000 <= sound.samplerate <= MAX_SAMPLE_RATE:  # what resampling it would cost
                raise AudioFileError(
                    f"{name} says it has {sound.samplerate:,} samples a second; give a recording"
                )
            if max_seconds is not None and sound.frames > max_seconds * sound.samplerate:
                seconds = sound.frames / sound.samplerate
                raise AudioFileError(
                    f"{name} lasts {seconds:.0f} s; give recordings of at most {max_seconds:g} s"
                )
            data, rate = sound.read(dtype="float32", always_2d=True), sound.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError) as err:
        raise AudioFileError(f"{name} is not a readable audio file ({err})") from None
    return torch.from_numpy(data.mean(axis=1)), int(rate)


def resample(wave: torch.Tensor, rate: int, target: int) -> torch.Tensor:
    """The waveform at ``target`` Hz, band-limited through its spectrum: frequencies above the
    new Nyquist limit are dropped, the rest kept exactly (the clips here are a second or two)."""
    if rate == target:
        return wave
    length = max(1, round(wave.shape[-1] * target / rate))
    spectrum = torch.fft.rfft(wave.double())
    kept = torch.zeros(length // 2 + 1, dtype=spectrum.dtype)
    count = min(len(kept), spectrum.shape[-1])
    kept[:count] = spectrum[:count]
    return (torch.fft.irfft(kept, n=length) * (length / wave.shape[-1])).float()


def to_int16(wave: torch.Tensor | np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as 16-bit PCM (clipped, rounded)."""
    samples = wave.detach().cpu().numpy() if isinstance(wave, torch.Tensor) else np.asarray(wave)
    return np.round(np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def write_wav(path: str | Path, wave: torch.Tensor | np.ndarray, sample_rate: int) -> Path:
    """Write a mono waveform as 16-bit PCM WAV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, to_int16(wave), sample_rate, subtype="PCM_16", format="WAV")
    return path
