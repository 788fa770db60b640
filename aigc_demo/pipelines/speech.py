"""Speak digits: a voice (seed + slider offsets) → spectrograms → waveform and a picture of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from aigc_demo.audio.silence import active_frames
from aigc_demo.audio.spectrogram import SPEC, denormalize, griffin_lim, normalize
from aigc_demo.backend import priority
from aigc_demo.backend.hub import LoadedModel
from aigc_demo.backend.seeding import check_seed
from aigc_demo.pipelines.latents import steered_latent

MAX_DIGITS = 16
# How far voices stray from the typical one. At 1 a seed's voice is as varied as the training
# voices but less often clear; 0.7 keeps the digit clear in most voices (see the README).
DEFAULT_TEMPERATURE = 0.7
GAP_SECONDS = 0.12  # pause between spoken digits, about a short breath
PEAK = 0.9


@dataclass(frozen=True)
class Speech:
    wave: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    digits: tuple[int, ...]


def parse_digits(text: str) -> tuple[int, ...]:
    """``"2026"`` → ``(2, 0, 2, 6)``; spaces are allowed, anything else is refused by name."""
    if not isinstance(text, str):
        raise ValueError("type the digits to speak, e.g. 2026")
    compact = "".join(text.split())
    if not compact:
        raise ValueError("type at least one digit to speak, e.g. 2026")
    unwanted = sorted({c for c in compact if c not in "0123456789"})
    if unwanted:
        shown = " ".join(repr(c) for c in unwanted[:5])
        raise ValueError(f"only the digits 0-9 can be spoken; remove {shown}")
    if len(compact) > MAX_DIGITS:
        raise ValueError(f"at most {MAX_DIGITS} digits at a time (got {len(compact)})")
    return tuple(int(c) for c in compact)


def voice(
    model: torch.nn.Module,
    seed: int,
    offsets: Sequence[float],
    digits: Sequence[int],
    temperature: float = DEFAULT_TEMPERATURE,
) -> torch.Tensor:
    """The latent codes saying ``digits`` in one voice: noise from ``seed`` placed among the
    training voices of each digit, then moved along the model's principal directions."""
    labels = torch.tensor(list(digits), device=model.directions.device)
    return steered_latent(model, seed, offsets, labels, temperature)


def _trim(wave: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """Cut leading and trailing silence, keeping one 20 ms frame of margin."""
    span = active_frames(wave, sample_rate)
    if span is None:
        return wave
    first, last, window = span
    return wave[max(first - 1, 0) * window : min(last + 2, len(wave) // window) * window]


@torch.inference_mode()
def speak(
    loaded: LoadedModel,
    digits: Sequence[int],
    seed: int,
    offsets: Sequence[float] = (),
    temperature: float = DEFAULT_TEMPERATURE,
) -> Speech:
    """Speak ``digits`` one after another in one voice, with short natural pauses."""
    model = loaded.module
    digits = tuple(int(d) for d in digits)
    if not digits or any(not 0 <= d <= 9 for d in digits):
        raise ValueError("digits must be between 0 and 9")
    z = voice(model, seed, offsets, digits, temperature)
    labels = torch.tensor(digits, device=z.device)
    images = model.decode(z, labels).float().cpu()
    # Between its iterations a drag's picture goes first (``backend.priority``): speech can wait.
    between = priority.yield_to_interactive
    waves = griffin_lim(denormalize(images), SPEC, seed=check_seed(seed), between=between)
    gap = torch.zeros(int(GAP_SECONDS * SPEC.sample_rate))
    parts = []
    for wave in waves:
        parts += [_trim(wave, SPEC.sample_rate), gap]
    joined = torch.cat(parts[:-1])
    joined = joined * (PEAK / joined.abs().max().clamp_min(1e-6))
    return Speech(joined.numpy().astype(np.float32), SPEC.sample_rate, digits)


def spectrogram_picture(wave: np.ndarray, height: int = 256) -> np.ndarray:
    """An RGB picture of a waveform's log spectrogram, low frequencies at the bottom."""
    mag = torch.stft(
        torch.from_numpy(wave), SPEC.n_fft, SPEC.hop, window=SPEC.window(), return_complex=True
    ).abs()[: SPEC.bins]
    level = ((normalize(mag) + 1.0) / 2.3).clamp(0, 1).flip(0).numpy()
    rows = np.repeat(level, max(1, height // level.shape[0]), axis=0)
    columns = np.repeat(rows, 2, axis=1)
    return _colour(columns)


def spectrogram_grid(images: torch.Tensor, columns: int = 5, padding: int = 2) -> np.ndarray:
    """An RGB picture of model spectrograms ``(B, bins, frames)`` in rows of ``columns``, low
    frequencies at the bottom of each."""
    level = ((images.detach().cpu() + 1.0) / 2.3).clamp(0, 1).flip(1).numpy()
    count, height, width = level.shape
    rows = -(-count // columns)
    canvas = np.zeros(
        (rows * (height + padding) + padding, columns * (width + padding) + padding), np.float32
    )
    for i, image in enumerate(level):
        top, left = padding + (i // columns) * (height + padding), padding + (i % columns) * (width + padding)
        canvas[top : top + height, left : left + width] = image
    return _colour(canvas)


# A dark-to-bright palette (black, indigo, magenta, orange, pale yellow), perceptually ordered.
_ANCHORS = np.array(
    [[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]],
    dtype=np.float32,
)


def _colour(level: np.ndarray) -> np.ndarray:
    position = level * (len(_ANCHORS) - 1)
    low = np.floor(position).astype(int).clip(0, len(_ANCHORS) - 2)
    fraction = (position - low)[..., None]
    return (_ANCHORS[low] * (1 - fraction) + _ANCHORS[low + 1] * fraction).astype(np.uint8)
