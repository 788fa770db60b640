"""Fundamental-frequency (pitch) estimate of a voice or tone, by normalised autocorrelation."""

from __future__ import annotations

import math

import torch


def estimate_pitch(
    wave: torch.Tensor,
    sample_rate: int,
    low_hz: float = 60.0,
    high_hz: float = 400.0,
    frame: int = 512,
    hop: int = 128,
) -> float:
    """Median pitch in Hz over the voiced frames of a mono waveform; NaN when nothing is voiced.

    A frame counts as voiced when its autocorrelation, normalised by the frame's energy, has a
    peak above 0.5 in the ``[low_hz, high_hz]`` lag range and it is no quieter than -30 dB
    below the loudest frame.
    """
    if wave.numel() < frame:
        wave = torch.nn.functional.pad(wave, (0, frame - wave.numel()))
    frames = wave.unfold(0, frame, hop) * torch.hann_window(frame)
    frames = frames - frames.mean(1, keepdim=True)
    spectrum = torch.fft.rfft(frames, n=2 * frame)
    autocorr = torch.fft.irfft(spectrum.abs().pow(2), n=2 * frame)[:, :frame]
    energy = autocorr[:, 0].clamp_min(1e-12)
    shortest, longest = math.floor(sample_rate / high_hz), math.ceil(sample_rate / low_hz)
    peaks, lags = (autocorr[:, shortest : longest + 1] / energy[:, None]).max(dim=1)
    loud = energy > energy.max() * 1e-3
    voiced = (peaks > 0.5) & loud
    if not voiced.any():
        return math.nan
    return float((sample_rate / (lags[voiced] + shortest).double()).median())
