"""The spoken-digit generator: parsing, synthesis, training, evaluation and the CLI."""

import math

import numpy as np
import pytest
import soundfile as sf
import torch

from aigc_demo.backend import hub as hub_module
from aigc_demo.cli import main
from aigc_demo.data.spoken_digits import load_spoken_digits
from aigc_demo.evaluation.speech import evaluate_speech
from aigc_demo.models.speech import SpeechCVAE
from aigc_demo.pipelines.latents import check_offsets, drawn_prior_codes
from aigc_demo.pipelines.speech import (
    GAP_SECONDS,
    MAX_DIGITS,
    parse_digits,
    speak,
    spectrogram_picture,
    voice,
)
from aigc_demo.training.latent_prior import fit_class_prior
from aigc_demo.training.placement import Placement
from aigc_demo.training.speech import (
    Adversary,
    ClassifierTrainingConfig,
    SpeechTrainingConfig,
    spectrograms,
    train_digit_classifier,
    train_speech_cvae,
)
from tests.helpers import make_speech_card, make_speech_model, write_tone_recordings


@pytest.mark.parametrize(("text", "digits"), [("2026", (2, 0, 2, 6)), (" 1 2 ", (1, 2)), ("0", (0,))])
def test_numbers_become_digits(text, digits):
    assert parse_digits(text) == digits


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one digit"),
        ("   ", "at least one digit"),
        ("12a4", "remove 'a'"),
        ("-5", "remove '-'"),
        ("3.14", r"remove '\.'"),
        ("七", "remove '七'"),
        ("1" * (MAX_DIGITS + 1), f"at most {MAX_DIGITS} digits"),
        (None, "type the digits"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_digits(text)


def test_offsets_are_checked_and_padded():
    assert check_offsets([1, -2.5], 3) == [1.0, -2.5, 0.0]
    assert check_offsets([1, 2, 3, 0, 0], 3) == [1.0, 2.0, 3.0]
    for bad, message in [
        ([4.0], "between -3 and 3"),
        ([math.nan], "between"),
        ([math.inf], "between"),
        (["x"], "must be a number"),
        ([0, 0, 0, 1], "has 3 sliders"),
    ]:
        with pytest.raises(ValueError, match=message):
            check_offsets(bad, 3)


@pytest.fixture
def speech_hub(hub):
    model = make_speech_model()
    hub.save("voice", model, make_speech_card(model))
    return hub


def test_a_seed_always_gives_the_same_voice_and_audio(speech_hub):
    loaded = speech_hub.load("voice")
    first, again = speak(loaded, (4, 2), seed=11), speak(loaded, (4, 2), seed=11)
    assert np.array_equal(first.wave, again.wave)
    assert not np.array_equal(first.wave, speak(loaded, (4, 2), seed=12).wave)


def test_sliders_move_the_voice_along_the_directions(speech_hub):
    model = speech_hub.load("voice").module
    moved = voice(model, 5, [1.0, 0.0, -2.0], [3, 4]) - voice(model, 5, [], [3, 4])
    assert torch.allclose(moved, (model.directions[0] - 2 * model.directions[2]).expand(2, -1), atol=1e-6)


def test_a_voice_is_placed_among_each_digits_training_voices(speech_hub):
    model = speech_hub.load("voice").module
    with torch.no_grad():
        model.latent_mean[7] = 5.0
        model.latent_basis.mul_(0.5)
    z = voice(model, 2, [], [7, 1])
    assert torch.allclose(z[0] - z[1], torch.full((4,), 5.0))
    assert torch.allclose(z[1], 0.5 * voice(model.__class__(**model.config), 2, [], [1])[0])


def test_a_learned_prior_over_voices_moves_every_digit_s_voice_alike(speech_hub):
    model = speech_hub.load("voice").module
    mixed = model.__class__(**model.config, prior_components=2)
    mixed.load_state_dict(model.state_dict(), strict=False)
    with torch.no_grad():
        mixed.prior_weights.copy_(torch.tensor([0.0, 1.0]))
        mixed.prior_means[1] = 3.0
    shift = voice(mixed, 4, [], [2, 9]) - voice(model, 4, [], [2, 9])
    expected = torch.full((4,), 3.0) @ model.latent_basis  # the same move, in the voice space's axes
    torch.testing.assert_close(shift, expected.expand(2, -1))


def test_each_digit_draws_its_voices_where_its_own_voices_lie_and_one_draw_keeps_its_speaker():
    # two speakers (x = -3 and +3), digit 0 said with y near 0, digit 1 with y near 2, digit 2 never;
    # the shared mixture: one wide Gaussian per speaker, between the digits
    model = SpeechCVAE(latent_dim=4, channels=8, num_directions=2, prior_components=2, prior_per_class=True)
    with torch.no_grad():
        model.prior_means.copy_(torch.tensor([[-3.0, 1.0, 0.0, 0.0], [3.0, 1.0, 0.0, 0.0]]))
    draws = torch.Generator().manual_seed(0)
    digits = torch.arange(2).repeat_interleave(200)
    codes = 0.3 * torch.randn(400, 4, generator=draws)
    codes[:, 0] += torch.tensor([-3.0, 3.0]).repeat(200)
    codes[:, 1] += 2.0 * digits
    fit_class_prior(model, codes, digits)
    for digit, height, spread in ((0, 0.0, 0.3), (1, 2.0, 0.3), (2, 1.0, 1.0)):  # 2 keeps the shared one
        label = torch.full((2000,), digit)
        drawn = drawn_prior_codes(model, 2000, torch.Generator().manual_seed(1), 1.0, label)
        assert drawn[:, 1].mean() == pytest.approx(height, abs=0.1)
        assert drawn[:, 1].std() == pytest.approx(spread, rel=0.2)
        assert drawn[:, 0].abs().mean() == pytest.approx(3.0, abs=0.2)
    for seed in range(20):  # one voice saying 0 and 1: the same speaker for both
        both = drawn_prior_codes(model, 1, torch.Generator().manual_seed(seed), 1.0, torch.tensor([0, 1]))
        assert both[0, 0].sign() == both[1, 0].sign()
    plain = drawn_prior_codes(model, 2000, torch.Generator().manual_seed(1), 1.0)
    assert plain[:, 1].std() == pytest.approx(1.0, rel=0.2)  # without a digit: the shared mixture


def test_speech_is_one_mono_clip_with_pauses_between_digits(speech_hub):
    result = speak(speech_hub.load("voice"), (1, 2, 3), seed=0)
    assert result.sample_rate == 8000
    assert result.wave.dtype == np.float32
    assert result.wave.ndim == 1
    assert np.abs(result.wave).max() == pytest.approx(0.9, abs=1e-3)
    assert len(result.wave) >= 2 * GAP_SECONDS * 8000
    assert len(result.wave) <= 3 * 1.1 * 8000


def test_spectrogram_picture_is_an_rgb_image(speech_hub):
    picture = spectrogram_picture(speak(speech_hub.load("voice"), (7,), seed=0).wave)
    assert picture.dtype == np.uint8
    assert picture.ndim == 3
    assert picture.shape[2] == 3
    assert picture.shape[0] >= 128


@pytest.fixture(scope="module")
def tone_data(tmp_path_factory):
    folder = write_tone_recordings(tmp_path_factory.mktemp("tones"), per_digit=8)
    return folder, *load_spoken_digits(folder).split()


def test_training_the_generator_lowers_its_loss_and_finds_labelled_directions(tone_data):
    _, train, test = tone_data
    logs = []
    config = SpeechTrainingConfig(epochs=4, batch_size=8, latent_dim=4, channels=8, num_directions=3)
    model, metrics, labels = train_speech_cvae(train, test, config, log=logs.append)
    losses = [float(line.split("loss ")[1].split()[0]) for line in logs]
    assert losses[-1] < losses[0]
    assert set(metrics) == {
        "test_reconstruction_sse",
        "test_kl_nats",
        "prior_components",
        "prior_log_likelihood_nats",
        "train_seconds",
    }
    assert model.config["prior_components"] == 1  # a handful of recordings: one Gaussian over voices
    assert not torch.equal(model.prior_scales[0], torch.eye(4))  # fitted to the training voices
    assert model.config["prior_per_class"]  # and each digit's version of it, to its own
    assert not torch.allclose(model.class_prior_means[0], model.class_prior_means[1])
    assert model.directions.abs().sum() > 0
    assert len(labels) == 3
    assert all(set(label) == {"factor", "score", "low", "high"} for label in labels)
    assert all(label["factor"] in {None, "pitch", "length", "speaker"} for label in labels)


def test_an_adversarial_fine_tune_trains_a_critic_whose_judgement_moves_the_generator(tone_data):
    _, train, test = tone_data
    sizes = {"batch_size": 8, "latent_dim": 4, "channels": 8, "num_directions": 3}
    quiet = {"log": lambda _: None}
    trained, _, _ = train_speech_cvae(train, test, SpeechTrainingConfig(epochs=1, **sizes), **quiet)
    adversary = Adversary(SpeechTrainingConfig(adversarial=0.5, **sizes), Placement.choose())
    images, draws = spectrograms(train), torch.Generator().manual_seed(0)
    losses = []
    for _ in range(20):
        rows = torch.randint(len(images), (16,), generator=draws)
        real, digits = images[rows], train.digits[rows]
        reconstruction = (trained.decode(trained.encode(real, digits)[0], digits) - real).pow(2).sum()
        critic_loss, judged = adversary.judge(trained, real, digits, reconstruction)
        losses.append(critic_loss)
        assert judged.requires_grad  # the generator's loss, to step on
    assert sum(losses[-5:]) < sum(losses[:5]) - 2.5  # it learns to tell recordings from drawn voices
    runs = {}
    for weight in (0.0, 0.5):
        config = SpeechTrainingConfig(epochs=1, adversarial=weight, **sizes)
        runs[weight], _, _ = train_speech_cvae(train, test, config, start_from=trained, **quiet)
    plain, judged = (runs[w].decoder[-1].weight for w in (0.0, 0.5))
    assert not torch.allclose(plain, judged)  # the critic's judgement moves the generator


def test_a_fine_tune_of_a_model_with_one_prior_for_all_digits_gives_it_one_per_digit(tone_data):
    _, train, test = tone_data
    sizes = {"batch_size": 8, "latent_dim": 4, "channels": 8, "num_directions": 3}
    quiet = {"log": lambda _: None}
    trained, _, _ = train_speech_cvae(train, test, SpeechTrainingConfig(epochs=1, **sizes), **quiet)
    older = SpeechCVAE(**{k: v for k, v in trained.config.items() if k != "prior_per_class"})
    older.load_state_dict(trained.state_dict(), strict=False)
    assert not hasattr(older, "class_prior_means")
    config = SpeechTrainingConfig(epochs=1, **sizes)
    tuned, _, _ = train_speech_cvae(train, test, config, start_from=older, **quiet)
    assert tuned.config["prior_per_class"]
    assert not torch.allclose(tuned.class_prior_means[0], tuned.class_prior_means[1])


def test_classifier_learns_to_tell_the_tones_apart(tone_data):
    _, train, test = tone_data
    config = ClassifierTrainingConfig(epochs=12, batch_size=10, channels=8)
    _, metrics = train_digit_classifier(train, test, config, log=lambda _: None)
    assert metrics["test_accuracy"] >= 0.8


def test_evaluation_reports_recognition_and_diversity(tone_data):
    _, _, test = tone_data
    torch.manual_seed(0)
    from aigc_demo.models.speech import DigitClassifier

    report = evaluate_speech(make_speech_model(), DigitClassifier(channels=8), clips_per_digit=3, real=test)
    assert 0.0 <= report.recognition <= 1.0
    assert len(report.recognition_per_digit) == 10
    assert report.diversity_real > 0
    assert report.diversity_ratio == pytest.approx(report.diversity_generated / report.diversity_real)
    assert report.noise_floor_generated < 0
    assert report.noise_floor_real < 0
    assert report.noise_floor_real_vocoded < 0
    assert 0 < report.flatness_generated < 1
    assert 0 < report.flatness_real < 1


def test_the_noise_floor_rises_with_a_hiss_and_ignores_padding():
    from aigc_demo.evaluation.speech import noise_floor_db, spectral_flatness

    time = torch.arange(8000) / 8000
    tone = torch.sin(2 * torch.pi * 440 * time) * (time < 0.5)  # half a second, then silence
    hiss = 0.01 * torch.randn(8000, generator=torch.Generator().manual_seed(0))
    clean, hissing = noise_floor_db(tone[None] + 1e-4 * hiss[None]), noise_floor_db((tone + hiss)[None])
    assert hissing > clean + 20  # -40 dB of hiss against a floor near -80 dB
    assert hissing == pytest.approx(-37, abs=2)  # the hiss's level below the tone's
    padded = torch.cat([tone + hiss, torch.zeros(4000)])
    assert noise_floor_db(padded[None]) == pytest.approx(hissing, abs=0.5)  # zeros are not sound
    assert spectral_flatness(tone[None]) < 0.01  # one harmonic
    assert spectral_flatness((tone + 9 * hiss)[None]) > 10 * spectral_flatness((tone + hiss)[None])
    assert spectral_flatness(hiss[None]) > 0.5  # white noise is flat


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_HOME", str(tmp_path / "home"))
    hub_module.default_hub.cache_clear()
    model = make_speech_model()
    hub_module.default_hub().save("voice", model, make_speech_card(model))
    yield tmp_path
    hub_module.default_hub.cache_clear()


def test_cli_writes_one_wav_with_all_digits(cli_home):
    out = cli_home / "digits.wav"
    assert (
        main(["speech", "--checkpoint", "voice", "--digits", "0123456789", "--seed", "0", "--out", str(out)])
        == 0
    )
    info = sf.info(out)
    assert (info.samplerate, info.subtype) == (8000, "PCM_16")
    assert info.duration > 10 * 0.1


def test_cli_writes_a_file_per_digit_and_voice(cli_home):
    out_dir = cli_home / "clips"
    assert (
        main(
            [
                "speech",
                "--checkpoint",
                "voice",
                "--digits",
                "37",
                "--per-digit",
                "2",
                "--out-dir",
                str(out_dir),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out_dir.iterdir()) == ["3_0.wav", "3_1.wav", "7_0.wav", "7_1.wav"]


def test_cli_refuses_bad_digits_clearly(cli_home, capsys):
    assert main(["speech", "--checkpoint", "voice", "--digits", "12x", "--out", str(cli_home / "x.wav")]) == 2
    assert "only the digits 0-9" in capsys.readouterr().err
    assert not (cli_home / "x.wav").exists()


def test_cli_trains_a_speech_model_into_the_user_folder(cli_home, tone_data, capsys):
    folder, _, _ = tone_data
    assert (
        main(
            [
                "train",
                "speech",
                "--data",
                str(folder),
                "--out",
                "tones",
                "--epochs",
                "1",
                "--latent-dim",
                "4",
                "--directions",
                "4",
                "--channels",
                "8",
                "--batch-size",
                "16",
            ]
        )
        == 0
    )
    entry = hub_module.default_hub().entry("tones")
    assert entry.card.kind == "speech-cvae"
    assert entry.card.dataset.license == "CC BY-SA 4.0"
    assert entry.card.training_command.startswith("python -m aigc_demo ")
    assert len(entry.card.extras["directions"]) == 4
    assert (
        main(["eval", "speech", "--checkpoint", "tones", "--classifier", "tones-judge", "--per-digit", "2"])
        == 2
    )
    assert "no model named 'tones-judge'" in capsys.readouterr().err
    from aigc_demo.models.speech import DigitClassifier
    from tests.helpers import make_card

    judge = DigitClassifier(channels=8)
    hub_module.default_hub().save(
        "tones-judge", judge, make_card(kind="speech-classifier", config=judge.config)
    )
    judged = ["eval", "speech", "--checkpoint", "tones", "--classifier", "tones-judge", "--per-digit", "2"]
    assert main([*judged, "--record"]) == 2  # diversity needs the real recordings
    assert main([*judged, "--data", str(folder), "--record"]) == 0
    assert main([*judged, "--data", str(folder), "--temperature", "1", "--record"]) == 0
    metrics = list(hub_module.default_hub().entry("tones").card.metrics)
    assert metrics[:5] == [
        "recognised_at_temperature_1",
        "diversity_ratio_at_temperature_1",
        "recognised_as_asked_digit",
        "diversity_ratio",
        "spectral_flatness",
    ]


def test_cli_refuses_a_bad_output_name_before_training(cli_home, tone_data, capsys):
    folder, _, _ = tone_data
    assert main(["train", "speech", "--data", str(folder), "--out", "../evil"]) == 2
    assert "model name '../evil'" in capsys.readouterr().err


def test_temperature_narrows_the_voice_and_is_checked(speech_hub):
    from aigc_demo.pipelines.latents import check_temperature

    model = speech_hub.load("voice").module
    centre = voice(model, 9, [], [2], temperature=0.1)
    assert (voice(model, 9, [], [2], 0.5) - centre).norm() < (voice(model, 9, [], [2], 1.0) - centre).norm()
    for bad in (0.0, 1.5, "warm", None):
        with pytest.raises(ValueError, match="temperature must"):
            check_temperature(bad)
