"""The Speech tab's endpoints, called through the running app as API clients and the page do."""

import pytest
import soundfile as sf
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.helpers import make_card, make_model, make_speech_card, make_speech_model, running_app

CENTRE = [0.0] * 8


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("speech-app")
    hub = ModelHub(root / "shipped", root / "user")
    model = make_speech_model()
    hub.save("voice", model, make_speech_card(model))
    hub.save("not-speech", make_model(), make_card())
    with running_app(hub) as url:
        yield Client(url, verbose=False)


def test_speak_digits_returns_playable_audio_a_wav_file_and_a_spectrogram(client):
    audio, wav, picture = client.predict("voice", "2026", 7, 0.7, *CENTRE, api_name="/speak_digits")
    for path in (audio, wav):
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    assert wav.endswith("digits-2026-seed7.wav")
    played = sf.read(audio, dtype="int16")[0].tolist()
    assert sf.read(wav, dtype="int16")[0].tolist()[-len(played) :] == played  # after the audible cue
    assert picture.endswith(".png")


def test_same_request_gives_the_same_audio(client):
    first = client.predict("voice", "5", 3, 0.7, 1.0, *CENTRE[1:], api_name="/speak_digits")[1]
    second = client.predict("voice", "5", 3, 0.7, 1.0, *CENTRE[1:], api_name="/speak_digits")[1]
    assert sf.read(first)[0].tolist() == sf.read(second)[0].tolist()


def test_random_voice_draws_a_new_seed_and_centres_the_sliders(client):
    seed, *rest = client.predict("voice", "42", 0.7, api_name="/random_voice")
    sliders, (audio, wav, _) = rest[:8], rest[8:]
    assert 0 <= seed < 2**32
    assert sliders == CENTRE
    assert sf.info(audio).duration > 0.2
    assert f"seed{seed}" in wav


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("voice", "12ab", 0, 0.7, *CENTRE), "only the digits 0-9 can be spoken; remove 'a' 'b'"),
        (("voice", "", 0, 0.7, *CENTRE), "at least one digit"),
        (("voice", "9" * 17, 0, 0.7, *CENTRE), "at most 16 digits"),
        (("voice", "1", 0, 0.7, 99.0, *CENTRE[1:]), "greater than maximum"),
        (("voice", "1", -1, 0.7, *CENTRE), "less than minimum"),
        (("voice", "1", 0, 0.0, *CENTRE), "less than minimum"),
        (("nobody", "1", 0, 0.7, *CENTRE), "no model named 'nobody'"),
        ((None, "1", 0, 0.7, *CENTRE), "no speech model is installed"),
        (("not-speech", "1", 0, 0.7, *CENTRE), "is not a speech model"),
    ],
)
def test_bad_requests_get_a_clear_message(client, args, message):
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/speak_digits")


def test_server_keeps_serving_after_bad_requests(client):
    with pytest.raises(AppError):
        client.predict("voice", "x", 0, 0.7, *CENTRE, api_name="/speak_digits")
    assert sf.info(client.predict("voice", "1", 0, 0.7, *CENTRE, api_name="/speak_digits")[1]).frames > 0
