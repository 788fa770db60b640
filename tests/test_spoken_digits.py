import zipfile

import pytest
import soundfile as sf
import torch

from aigc_demo.audio.spectrogram import SPEC
from aigc_demo.audio.wav import AudioFileError
from aigc_demo.data.spoken_digits import PEAK, load_spoken_digits
from tests.helpers import write_tone_recordings


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    folder = write_tone_recordings(tmp_path_factory.mktemp("fsdd"))
    (folder / "README.md").write_text("not a recording")
    (folder / "notes.wav").write_bytes(b"ignored: the name carries no label")
    return folder


def test_labels_come_from_file_names(recordings):
    data = load_spoken_digits(recordings)
    assert len(data) == 2 * 10 * 6
    assert data.waves.shape == (120, SPEC.num_samples)
    assert sorted(set(data.speakers)) == ["alice", "bob"]
    assert data.digits.bincount().tolist() == [12] * 10
    assert torch.allclose(data.waves.abs().amax(1), torch.full((120,), PEAK), atol=1e-4)


def test_split_holds_out_the_first_five_recordings_of_each_speaker(recordings):
    train, test = load_spoken_digits(recordings).split()
    assert (len(train), len(test)) == (20, 100)
    assert set(test.indices) == {0, 1, 2, 3, 4}
    assert set(train.indices) == {5}


def test_zip_gives_the_same_data_as_the_folder(recordings, tmp_path):
    archive = tmp_path / "recordings.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(recordings.iterdir()):
            zf.write(path, f"recordings/{path.name}")
    from_zip, from_folder = load_spoken_digits(archive), load_spoken_digits(recordings)
    assert torch.equal(from_zip.waves, from_folder.waves)
    assert from_zip.speakers == from_folder.speakers


def test_an_absurd_sample_rate_is_refused(tmp_path):
    sf.write(tmp_path / "3_carol_0.wav", [0.1] * 1600, 1000)
    with pytest.raises(AudioFileError, match="1000 Hz; give 4000-192000 Hz"):
        load_spoken_digits(tmp_path)


def test_folder_without_recordings_is_refused(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(ValueError, match="no recordings named like"):
        load_spoken_digits(tmp_path)


def test_missing_or_unsupported_source_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_spoken_digits(tmp_path / "nowhere")
    text = tmp_path / "data.txt"
    text.write_text("x")
    with pytest.raises(ValueError, match="neither a folder nor a zip"):
        load_spoken_digits(text)


def test_recordings_at_other_rates_are_resampled_to_the_models_rate(tmp_path):
    """A phone records at 44.1 kHz; the model hears 8 kHz. The tone keeps its pitch."""
    import torch

    from aigc_demo.audio.wav import write_wav
    from tests.helpers import tone

    for digit in range(10):
        write_wav(tmp_path / f"{digit}_phone_0.wav", tone(300, seconds=1.0, sample_rate=44_100), 44_100)
    data = load_spoken_digits(tmp_path)
    spectrum = torch.fft.rfft(data.waves[0][:8000]).abs()
    assert int(spectrum.argmax()) == 300  # 1 Hz bins over one second at 8 kHz
    (tmp_path / "3_long_0.wav").unlink(missing_ok=True)
    write_wav(tmp_path / "3_long_1.wav", tone(300, seconds=11.0), 8000)
    with pytest.raises(ValueError, match="lasts 11 s"):
        load_spoken_digits(tmp_path)


def test_recordings_are_judged_by_their_header_before_they_are_decoded(tmp_path):
    """An hour of silence (58 MB, a 0.1 MB zip) is refused by its length before its samples are
    decoded, and a FLAC stream named like a WAV file by what it is. Measured with tracemalloc: 138
    MB at the peak, all of it the zip member being read (twice its size); decoded, 288 MB."""
    import tracemalloc
    import zipfile

    import numpy as np
    import soundfile as sf

    from aigc_demo.audio.wav import AudioFileError

    hour = tmp_path / "hour.wav"
    sf.write(hour, np.zeros(8000 * 3600, np.int16), 8000, subtype="PCM_16")
    archive = tmp_path / "voice.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(hour, "3_long_0.wav")
    hour.unlink()
    tracemalloc.start()
    with pytest.raises(AudioFileError, match=r"3_long_0\.wav lasts 3600 s"):
        load_spoken_digits(archive)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert archive.stat().st_size < 1_000_000
    assert peak < 200_000_000, peak
    flac = tmp_path / "flac"
    flac.mkdir()
    sf.write(flac / "4_x_0.wav", np.zeros(8000, np.int16), 8000, format="FLAC")
    with pytest.raises(AudioFileError, match=r"4_x_0\.wav is FLAC"):
        load_spoken_digits(flac)
