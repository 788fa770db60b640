import math

import numpy as np
import pytest
import soundfile as sf
import torch

from aigc_demo.audio.pitch import estimate_pitch
from aigc_demo.audio.spectrogram import (
    SPEC,
    denormalize,
    fit_length,
    griffin_lim,
    log_spectrogram,
    magnitude,
    normalize,
)
from aigc_demo.audio.wav import AudioFileError, read_wav, to_int16, write_wav
from tests.helpers import tone


@pytest.mark.parametrize("frequency", [110.0, 220.0, 330.0])
def test_griffin_lim_recovers_the_pitch_of_a_tone(frequency):
    wave = fit_length(tone(frequency, seconds=1.0), SPEC.num_samples)
    rebuilt = griffin_lim(magnitude(wave))
    assert rebuilt.shape == (SPEC.num_samples,)
    assert estimate_pitch(rebuilt, SPEC.sample_rate) == pytest.approx(frequency, rel=0.03)
    error = (magnitude(rebuilt) - magnitude(wave)).norm() / magnitude(wave).norm()
    assert error < 0.15  # spectral convergence: the magnitudes match closely


def test_griffin_lim_is_deterministic_for_a_seed():
    mag = magnitude(tone(200.0))
    assert torch.equal(griffin_lim(mag, iterations=5, seed=3), griffin_lim(mag, iterations=5, seed=3))


def test_spectrogram_has_the_model_shape_and_range():
    image = log_spectrogram(tone(200.0, seconds=2.0))
    assert image.shape == (SPEC.bins, SPEC.frames) == (128, 128)
    assert image.min() >= -1.0
    assert image.max() <= 1.6
    silence = log_spectrogram(torch.zeros(100))
    assert torch.allclose(silence, torch.full_like(silence, float(normalize(torch.tensor(0.0)))))


def test_normalisation_round_trips():
    mag = torch.rand(10, 10) * 30
    assert torch.allclose(denormalize(normalize(mag)), mag, atol=1e-4)


def test_fit_length_pads_and_crops():
    assert fit_length(torch.ones(5), 8).tolist() == [1, 1, 1, 1, 1, 0, 0, 0]
    assert fit_length(torch.arange(10.0), 3).tolist() == [0, 1, 2]


@pytest.mark.parametrize("frequency", [95.0, 140.0, 260.0])
def test_pitch_of_plain_tones(frequency):
    assert estimate_pitch(tone(frequency), 8000) == pytest.approx(frequency, rel=0.02)


def test_pitch_of_silence_or_noise_is_unknown():
    assert math.isnan(estimate_pitch(torch.zeros(4000), 8000))
    noise = torch.randn(4000, generator=torch.Generator().manual_seed(0))
    assert math.isnan(estimate_pitch(noise, 8000))


def test_wav_round_trip_is_16_bit_pcm(tmp_path):
    wave = tone(300.0)
    path = write_wav(tmp_path / "out" / "tone.wav", wave, 8000)
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype, info.format) == (8000, 1, "PCM_16", "WAV")
    back, rate = read_wav(path)
    assert rate == 8000
    assert torch.allclose(back, wave, atol=1 / 32767)


def test_stereo_is_read_as_mono(tmp_path):
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([np.full(100, 0.5), np.full(100, -0.1)], axis=1), 8000, subtype="PCM_16")
    wave, _ = read_wav(path)
    assert wave.shape == (100,)
    assert float(wave[0]) == pytest.approx(0.2, abs=1e-3)


def test_int16_conversion_clips_instead_of_wrapping():
    assert to_int16(np.array([-2.0, -1.0, 0.0, 1.0, 2.0])).tolist() == [-32767, -32767, 0, 32767, 32767]


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00", b"not audio at all" * 20])
def test_unreadable_audio_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError, match="not a readable audio file"):
        read_wav(path)


def test_a_header_claiming_a_rate_no_recording_has_is_refused_before_decoding():
    """A WAV header may say any sample rate: 1 GHz over a few samples would cost ~1 GB to resample."""
    import io
    import struct

    samples = b"\x00\x00" * 1000
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 1_000_000_000, 2_000_000_000, 2, 16)
    claimed = io.BytesIO(header + b"data" + struct.pack("<I", len(samples)) + samples)
    with pytest.raises(AudioFileError, match="1,000,000,000 samples a second"):
        read_wav(claimed, "claimed.wav", max_seconds=10)
