"""Log-magnitude spectrograms and their inversion by fast Griffin-Lim, on ``torch.stft``.

Speech models here work on a fixed ``128 x 128`` image: 128 frequency bins (the STFT's 129 less
the Nyquist bin) by 128 frames of 8 ms, about one second at 8 kHz. Magnitudes are stored as
``(log(mag + floor) - OFFSET) / SCALE``, which maps silence to about -1 and loud speech to
about +1, a range a network's output handles well.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

FLOOR = 1e-4
OFFSET = math.log(FLOOR) / 2 + 0.5  # centre of the useful log range
SCALE = -math.log(FLOOR) / 2 + 1.0


@dataclass(frozen=True)
class SpectrogramSpec:
    sample_rate: int = 8000
    n_fft: int = 256
    hop: int = 64
    frames: int = 128

    @property
    def bins(self) -> int:
        return self.n_fft // 2  # the Nyquist bin is dropped

    @property
    def num_samples(self) -> int:
        """Samples that give exactly ``frames`` frames with a centred STFT."""
        return (self.frames - 1) * self.hop

    @property
    def seconds(self) -> float:
        return self.num_samples / self.sample_rate

    def window(self, device: torch.device | str = "cpu") -> torch.Tensor:
        return torch.hann_window(self.n_fft, device=device)


SPEC = SpectrogramSpec()


def fit_length(wave: torch.Tensor, num_samples: int) -> torch.Tensor:
    """Crop or zero-pad the last dimension to ``num_samples``."""
    length = wave.shape[-1]
    if length >= num_samples:
        return wave[..., :num_samples]
    return torch.nn.functional.pad(wave, (0, num_samples - length))


def _stft(wave: torch.Tensor, spec: SpectrogramSpec) -> torch.Tensor:
    return torch.stft(
        wave, spec.n_fft, spec.hop, window=spec.window(wave.device), center=True, return_complex=True
    )


def _istft(complex_spec: torch.Tensor, spec: SpectrogramSpec) -> torch.Tensor:
    return torch.istft(
        complex_spec,
        spec.n_fft,
        spec.hop,
        window=spec.window(complex_spec.device),
        center=True,
        length=spec.num_samples,
    )


def magnitude(wave: torch.Tensor, spec: SpectrogramSpec = SPEC) -> torch.Tensor:
    """``(..., samples)`` waveform → ``(..., bins, frames)`` linear STFT magnitude."""
    return _stft(fit_length(wave, spec.num_samples), spec).abs()[..., : spec.bins, :]


def normalize(mag: torch.Tensor) -> torch.Tensor:
    return (torch.log(mag + FLOOR) - OFFSET) / SCALE


def denormalize(image: torch.Tensor) -> torch.Tensor:
    return (torch.exp(image * SCALE + OFFSET) - FLOOR).clamp_min(0.0)


def log_spectrogram(wave: torch.Tensor, spec: SpectrogramSpec = SPEC) -> torch.Tensor:
    """The model-ready spectrogram image of a waveform (cropped or padded to ``spec``)."""
    return normalize(magnitude(wave, spec))


def griffin_lim(
    mag: torch.Tensor,
    spec: SpectrogramSpec = SPEC,
    iterations: int = 48,
    momentum: float = 0.99,
    seed: int = 0,
    between: Callable[[], None] | None = None,
) -> torch.Tensor:
    """A waveform whose STFT magnitude approximates ``mag`` (``(..., bins, frames)``).

    Fast Griffin-Lim (Perraudin, Balazs & Søndergaard, 2013): alternate between the
    magnitude constraint and the set of consistent spectrograms, with an extrapolation step
    that converges in far fewer iterations than the original algorithm. The starting phase is
    drawn from ``seed`` so the same magnitude always gives the same waveform. ``between`` is called
    before each iteration (a server lets more urgent work go first there).
    """
    full = torch.nn.functional.pad(mag, (0, 0, 0, 1))  # restore the (silent) Nyquist bin
    generator = torch.Generator().manual_seed(seed)
    phase = torch.rand(full.shape, generator=generator) * (2 * math.pi)
    estimate = torch.polar(full, phase.to(full.device))
    previous = torch.zeros_like(estimate)
    for _ in range(iterations):
        if between is not None:
            between()
        rebuilt = _stft(_istft(estimate, spec), spec)
        accelerated = rebuilt + momentum * (rebuilt - previous)
        previous = rebuilt
        # full * exp(i angle), bit for bit, in a quarter of the time
        estimate = torch.polar(full, torch.angle(accelerated))
    return _istft(estimate, spec)
