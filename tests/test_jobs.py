"""Training jobs: one at a time, watched through snapshots, stopped within a step, saved atomically."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest
import torch

from aigc_demo.backend.ownership import shown_name
from aigc_demo.jobs import DEFAULT_LIMITS, JobBusyError, JobSnapshot, TrainingJobs
from aigc_demo.recipes import JobRequest, recipe
from tests.helpers import varied_text

TEXT = varied_text(400)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_job_trains_reports_and_saves_a_usable_model(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "my-text", text=TEXT, source="pasted text", epochs=2, minutes=5))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert done.step == done.total > 0
    assert [s for s, _ in done.train_curve] == list(range(1, done.total + 1))
    assert len(done.valid_curve) == 2
    assert done.samples[0][0] == 0
    assert done.samples[-1][0] == done.total
    assert all(text.startswith("l") for _, text in done.samples)
    assert "saved 'my-text'" in done.message
    entry = hub.entry("my-text")
    assert entry.card.kind == "char-rnn"
    assert entry.card.dataset.name == "pasted text"
    assert entry.card.extras["trained_on"] == {"device": "cpu", "precision": "fp32"}  # where the hub runs
    assert entry.card.metrics["valid_loss"] < done.train_curve[0][1]  # it learned something
    assert "poem_forms" not in entry.card.extras  # prose: no forms of poems
    from aigc_demo.pipelines.writing import Sampling, generate_text

    assert len(generate_text(hub.load("my-text").module, "line", Sampling(), 20, seed=0)[0]) == 20


def test_a_model_trained_on_poems_keeps_their_mix_of_forms_for_free_writing(hub):
    rng = random.Random(0)
    chars = "山水花雲鄉低頭思故床前明月光疑是地上霜春風秋人一舉望"

    def poem(length: int, couplets: int) -> str:  # a title, an author, then lines of ``length``
        line = lambda: "".join(rng.choice(chars) for _ in range(length))  # noqa: E731
        return f"{rng.choice(chars)}\n{rng.choice(chars)}\n" + "".join(
            f"{line()}，{line()}。\n" for _ in range(couplets)
        )

    poems = "\n".join([poem(5, 2) for _ in range(300)] + [poem(7, 4) for _ in range(100)])
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "my-poems", text=poems, source="pasted text", epochs=1, minutes=5))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    shares = hub.entry("my-poems").card.extras["poem_forms"]  # of the training part (the first 90%)
    assert set(shares) == {"5x4", "7x8", "other"}
    assert shares["5x4"] > 0.7


def test_stop_ends_the_job_within_a_step_and_keeps_what_it_learned(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "stopped", text=TEXT, source="pasted text", epochs=100, minutes=30))
    wait_for(lambda: jobs.snapshot().step >= 3)
    asked_at = jobs.stop().step
    assert jobs.snapshot().state in ("stopping", "stopped")
    done = jobs.wait(60)
    assert done.state == "stopped"
    assert done.step <= asked_at + 1
    assert done.step < done.total
    assert len(done.valid_curve) == 1  # the weights it stopped with were validated and saved
    assert hub.entry("stopped").card.metrics["epoch"] < 1


def test_jobs_wait_their_turn_in_a_bounded_line(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "first", text=TEXT, source="pasted text", epochs=100, minutes=30))
    wait_for(lambda: jobs.snapshot().step >= 1)
    second = jobs.start(JobRequest("text", "second", text=TEXT, source="pasted text", epochs=1))
    assert second.state == "waiting"
    assert second.waiting == ["second"]
    for taken in ("first", "second"):
        with pytest.raises(ValueError, match="already running or waiting"):
            jobs.start(JobRequest("text", taken, text=TEXT, source="pasted text", epochs=1))
    with pytest.raises(ValueError, match="too short"):  # checked now, not when its turn comes
        jobs.start(JobRequest("text", "short", text="too short", source="pasted text"))
    for name in ("third", "fourth", "fifth"):
        jobs.start(JobRequest("text", name, text=TEXT, source="pasted text", epochs=1))
    with pytest.raises(JobBusyError, match="4 are waiting") as busy:
        jobs.start(JobRequest("text", "sixth", text=TEXT, source="pasted text", epochs=1))
    assert "first" not in str(busy.value)  # the running job, perhaps another visitor's, is not named
    assert jobs.snapshot().waiting == ["second", "third", "fourth", "fifth"]
    assert jobs.snapshot().name == "first"
    jobs.stop()
    done = jobs.wait(300)
    assert done.name == "fifth"
    assert done.state == "finished"
    assert done.waiting == []
    assert {"first", "second", "third", "fourth", "fifth"} <= {entry.name for entry in hub.entries()}


def test_the_time_budget_stops_a_job(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "quick", text=TEXT, source="pasted text", epochs=100, minutes=0.05))
    done = jobs.wait(60)
    assert done.state == "stopped"
    assert done.message.startswith("time budget reached; saved 'quick'")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "../evil"}, "name"),
        ({"name": ""}, "name"),
        ({"preset": "huge"}, "preset"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": "many"}, "epochs"),
        ({"minutes": float("nan")}, "time budget"),
        ({"minutes": 1000}, "time budget"),
        ({"text": "   "}, "give some text"),
        ({"text": "short text"}, "too short"),
        ({"text": "x" * 3_000_001}, "accepts up to"),
        ({"text": TEXT[:1466] * 8}, "mostly repeats itself"),  # five paragraphs pasted over and over
        ({"kind": "chat", "text": "A: hi there\nB: hello to you\n\n" * 400}, "mostly repeats itself"),
    ],
)
def test_bad_requests_are_refused_before_any_work(hub, changes, message):
    jobs = TrainingJobs(hub, limits=replace(DEFAULT_LIMITS, max_chars=3_000_000))
    spec = JobRequest(**{"kind": "text", "name": "fine", "text": TEXT, "source": "pasted text", **changes})
    with pytest.raises(ValueError, match=message):
        jobs.start(spec)
    assert jobs.snapshot().state == "idle"


def test_an_existing_name_is_never_overwritten(hub):
    from tests.helpers import make_text_card, make_text_model

    model = make_text_model()
    hub.save("taken", model, make_text_card(model))
    with pytest.raises(ValueError, match="already exists"):
        TrainingJobs(hub).start(JobRequest("text", "taken", text=TEXT, source="pasted text"))


def test_a_job_that_fails_says_why_writes_nothing_and_frees_the_slot(hub, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(hub, "save", refuse)
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "doomed", text=TEXT, source="pasted text", epochs=1))
    done = jobs.wait(60)
    assert done.state == "failed"
    assert "No space left on device" in done.message
    assert not list(hub.user_dir.glob("doomed*"))
    monkeypatch.undo()
    jobs.start(JobRequest("text", "after", text=TEXT, source="pasted text", epochs=1))
    assert jobs.wait(60).state == "finished"


def test_a_sprites_job_trains_a_beta_vae_the_image_tab_can_use(hub):
    """The built-in sprites need no data: the job shows the same codes' pictures improving,
    plots reconstruction and KL, and saves an image model with named directions and a map."""
    import numpy as np

    from aigc_demo.data.sprites import RANGES, SHAPES
    from aigc_demo.pipelines.image import decode

    for bad, message in (
        (JobRequest("sprites", "x", preset="huge"), "preset"),
        (JobRequest("sprites", "../x"), "name"),
    ):
        with pytest.raises(ValueError, match=message):
            recipe("sprites").plan_job(bad, hub, DEFAULT_LIMITS)
    jobs = TrainingJobs(hub)
    started = time.monotonic()
    jobs.start(JobRequest("sprites", "my-shapes", epochs=1, minutes=5))
    done = jobs.wait(300)
    assert done.state == "finished", done.message
    assert done.kind == "sprites"
    assert done.step == done.total == -(-recipe("sprites").presets["tiny"]["count"] // 64)
    assert set(done.terms) == {"reconstruction", "kl"}
    assert len(done.terms["kl"]) == done.total
    assert len(done.valid_curve) == 1
    first, last = done.samples[0][1], done.samples[-1][1]
    assert isinstance(last, np.ndarray)
    assert last.shape == first.shape
    assert last.shape[-1] == 3
    assert not np.array_equal(first, last)  # the same codes, drawn better
    assert done.train_curve[-1][1] < done.train_curve[0][1]
    assert "negative ELBO" in done.message
    entry = hub.entry("my-shapes")
    assert entry.card.kind == "image-vae"
    assert entry.card.dataset.name == "procedural sprites"
    named = {d["name"] for d in entry.card.extras["directions"]["named"]}
    assert named == {*RANGES, *SHAPES}
    assert decode(hub.load("my-shapes"), 3).shape == (320, 320, 3)
    assert time.monotonic() - started < 300


def test_a_picture_job_trains_a_vae_on_labelled_folders_then_fine_tunes_it(hub, tmp_path):
    """A person's zip of pictures (one folder per class) → a VAE the Image tab can use, whose map
    names the folders; then the same model fine-tuned on the pictures, from its own weights."""
    import torch

    from aigc_demo.pipelines.image import decode
    from tests.helpers import write_picture_zip

    archive = str(write_picture_zip(tmp_path / "bars.zip", per_class=30))
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("vae", "my-bars", files=[archive], epochs=3, minutes=5))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert done.kind == "vae"
    assert set(done.terms) == {"reconstruction", "kl"}
    assert len(done.valid_curve) == 3
    assert done.samples[-1][1].shape == done.samples[0][1].shape
    entry = hub.entry("my-bars")
    assert entry.card.kind == "image-vae"
    assert entry.card.extras["class_names"] == ["0", "1", "2"]
    assert entry.card.extras["map"]["names"] == ["0", "1", "2"]
    assert decode(hub.load("my-bars"), 1).shape == (280, 280)
    trained = {k: v.clone() for k, v in hub.load("my-bars").module.state_dict().items()}

    jobs.start(JobRequest("vae", "my-bars-2", files=[archive], epochs=1, minutes=5, start_from="my-bars"))
    tuned = jobs.wait(120)
    assert tuned.state == "finished", tuned.message
    card = hub.entry("my-bars-2").card
    assert card.extras["started_from"] == "my-bars"
    assert card.config == entry.card.config  # the architecture it started from
    assert card.extras["training"]["learning_rate"] == 5e-4
    # It started from the trained weights (its first preview is the trained model's last one) ...
    assert (tuned.samples[0][1] == done.samples[-1][1]).all()
    # ... and moved them, while the model it started from is untouched.
    after = hub.load("my-bars-2").module.state_dict()
    assert any(not torch.equal(after[k], trained[k]) for k in trained if after[k].is_floating_point())
    assert all(torch.equal(v, trained[k]) for k, v in hub.load("my-bars").module.state_dict().items())


def test_a_picture_job_trains_a_class_conditional_gan(hub, tmp_path):
    from aigc_demo.pipelines.image import decode
    from tests.helpers import write_picture_zip

    archive = str(write_picture_zip(tmp_path / "bars.zip", per_class=20))
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("gan", "bar-gan", files=[archive], epochs=2, minutes=5))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert set(done.terms) == {"critic", "generator"}
    entry = hub.entry("bar-gan")
    assert entry.card.kind == "image-gan"
    assert entry.card.config["classes"] == 3
    assert decode(hub.load("bar-gan"), 0, label=2).shape == (280, 280)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"files": []}, "give pictures"),
        ({"kind": "diffusion"}, "kind must be one of"),
        ({"start_from": "nobody"}, "no model named 'nobody'"),
        ({"start_from": "a-text-model"}, "is a char-rnn model"),
        ({"start_from": "three-classes", "kind": "gan"}, "is a image-vae model"),
        ({"start_from": "two-classes"}, "draws 2 classes"),
        ({"name": "../x"}, "name"),
    ],
)
def test_bad_picture_jobs_are_refused_before_any_work(hub, tmp_path, changes, message):
    from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
    from tests.helpers import make_image_model, make_text_card, make_text_model, write_picture_zip

    def card(model) -> ModelCard:
        return ModelCard(kind="image-vae", config=dict(model.config), dataset=DatasetInfo(name="x"))

    hub.save("a-text-model", make_text_model(), make_text_card(make_text_model()))
    hub.save("two-classes", make_image_model(classes=2), card(make_image_model(classes=2)))
    hub.save("three-classes", make_image_model(classes=3), card(make_image_model(classes=3)))
    pictures = [str(write_picture_zip(tmp_path / "bars.zip"))]
    spec = JobRequest("vae", "fine", files=pictures)
    for key, value in changes.items():
        setattr(spec, key, value)
    before = sorted(p.name for p in hub.user_dir.iterdir())
    with pytest.raises(ValueError, match=message):
        recipe(spec.kind).plan_job(spec, hub, DEFAULT_LIMITS)
    assert sorted(p.name for p in hub.user_dir.iterdir()) == before
    fine = JobRequest("vae", "fine", files=pictures, start_from="three-classes")
    assert recipe("vae").plan_job(fine, hub, DEFAULT_LIMITS).start is not None


def test_a_text_model_is_fine_tuned_on_new_text(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "base-text", text=TEXT, source="pasted text", epochs=1))
    assert jobs.wait(120).state == "finished"
    other = TEXT.replace("cat", "rat")
    jobs.start(
        JobRequest("text", "tuned-text", text=other, source="pasted text", epochs=1, start_from="base-text")
    )
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    card = hub.entry("tuned-text").card
    assert card.extras["started_from"] == "base-text"
    assert card.config["vocabulary"] == hub.entry("base-text").card.config["vocabulary"]
    with pytest.raises(ValueError, match="does not know"):
        recipe("text").plan_job(
            JobRequest("text", "x", text=TEXT + "ü" * 10, start_from="base-text"), hub, DEFAULT_LIMITS
        )


def test_a_speech_job_learns_a_voice_from_uploaded_recordings_and_fine_tunes_it(hub, tmp_path):
    import shutil

    import numpy as np

    from aigc_demo.pipelines.speech import speak
    from tests.helpers import write_tone_recordings

    folder = write_tone_recordings(tmp_path / "voice", per_digit=3)
    archive = shutil.make_archive(str(tmp_path / "voice"), "zip", folder)
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("speech", "my-voice", files=[archive], epochs=2, minutes=5))
    done = jobs.wait(180)
    assert done.state == "finished", done.message
    assert done.kind == "speech"
    assert set(done.terms) == {"reconstruction", "kl"}
    assert len(done.valid_curve) == 2
    first, last = done.samples[0][1], done.samples[-1][1]
    assert isinstance(last, np.ndarray)
    assert last.shape == first.shape
    assert not np.array_equal(first, last)
    card = hub.entry("my-voice").card
    assert card.kind == "speech-cvae"
    assert card.dataset.name == "voice.zip"
    spoken = speak(hub.load("my-voice"), [4, 2], seed=1)
    assert np.abs(spoken.wave).max() > 0

    loose = sorted(str(p) for p in folder.glob("*.wav"))
    jobs.start(JobRequest("speech", "my-voice-2", files=loose, epochs=1, minutes=5, start_from="my-voice"))
    tuned = jobs.wait(180)
    assert tuned.state == "finished", tuned.message
    assert hub.entry("my-voice-2").card.extras["started_from"] == "my-voice"


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        (lambda name: not name.startswith("7_"), r"too few of \[7\]"),
        (lambda name: name.endswith("_0.wav"), "at least 2 recordings"),
        (lambda name: False, "give recordings"),
    ],
)
def test_bad_speech_jobs_are_refused_before_any_work(hub, tmp_path, keep, message):
    from tests.helpers import write_tone_recordings

    folder = write_tone_recordings(tmp_path / "voice", speakers=("alice",), per_digit=2)
    files = [str(p) for p in sorted(folder.glob("*.wav")) if keep(p.name)]
    with pytest.raises(ValueError, match=message):
        recipe("speech").plan_job(JobRequest("speech", "fine", files=files), hub, DEFAULT_LIMITS)


@pytest.mark.parametrize(
    ("kind", "settings", "starting", "message"),
    [
        ("sprites", {"hidden": 64}, False, "not a setting of this kind"),
        ("sprites", {"learning_rate": -0.1}, False, "learning_rate must be a number from"),
        ("sprites", {"learning_rate": float("nan")}, False, "learning_rate must be a number from"),
        ("sprites", {"batch_size": 0}, False, "batch_size must be a whole number from 1"),
        ("sprites", {"batch_size": 2.5}, False, "whole number"),
        ("sprites", {"batch_size": 500}, False, r"larger than the 100 examples"),
        ("vae", {"latent_dim": 4}, True, "keeps the starting model's architecture"),
        ("text", {"layers": "many"}, False, "layers must be a number"),
        ("text", {"batch_size": True}, False, "batch_size must be a number, got True"),
        ("gan", {"beta": 2}, False, "not a setting of this kind"),
    ],
)
def test_absurd_settings_are_refused_by_name(kind, settings, starting, message):
    from aigc_demo.recipes.base import apply_settings
    from aigc_demo.training.image import ImageVAETrainingConfig

    with pytest.raises(ValueError, match=message):
        apply_settings(ImageVAETrainingConfig(), recipe(kind).settings, settings, starting, 100)


def test_settings_override_the_preset_and_directions_follow_the_latent_size(hub):

    spec = JobRequest(
        "sprites", "x", settings={"latent_dim": 3, "beta": 1.5, "batch_size": 32, "learning_rate": None}
    )
    config = recipe("sprites").plan_job(spec, hub, DEFAULT_LIMITS).config
    assert (config.latent_dim, config.beta, config.batch_size, config.num_directions) == (3, 1.5, 32, 3)
    assert (
        config.learning_rate
        == recipe("sprites").plan_job(JobRequest("sprites", "x"), hub, DEFAULT_LIMITS).config.learning_rate
    )


def test_a_known_public_corpus_is_credited_from_the_catalogue(hub, monkeypatch):
    import hashlib

    from aigc_demo.backend.checkpoint import DatasetInfo
    from aigc_demo.data import text as text_data

    entry = DatasetInfo(name="a public corpus", license="CC0", source="https://example.org/corpus")
    monkeypatch.setitem(text_data.KNOWN_CORPORA, hashlib.sha256(TEXT.encode()).hexdigest(), entry)
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "credited", text=TEXT, source="input.txt", epochs=1))
    assert jobs.wait(120).state == "finished"
    assert hub.entry("credited").card.dataset == entry
    assert text_data.corpus_of(TEXT + "!", "mine.txt").name == "mine.txt"


def test_a_request_being_checked_holds_its_name_but_not_the_lock(hub, monkeypatch):
    """Reading a visitor's upload can take a while: status polls, stops and other requests are
    answered meanwhile, and the name being checked cannot be taken twice."""
    import threading

    from aigc_demo import recipes
    from aigc_demo.recipes.images import SpritesRecipe

    reading, release = threading.Event(), threading.Event()

    class SlowSprites(SpritesRecipe):
        name = "slow-sprites"

        def plan_request(self, *args):
            reading.set()
            assert release.wait(30)  # as if a large upload were being read
            return super().plan_request(*args)

    monkeypatch.setattr(recipes, "RECIPES", (*recipes.RECIPES, SlowSprites()))
    jobs = TrainingJobs(hub)
    slow = threading.Thread(
        target=jobs.start, args=(JobRequest("slow-sprites", "slow", epochs=1, minutes=0.05),)
    )
    slow.start()
    assert reading.wait(30)
    answered = threading.Thread(target=lambda: (jobs.snapshot(), jobs.stop()))
    answered.start()
    answered.join(10)
    assert not answered.is_alive()  # the lock is free while the upload is read
    with pytest.raises(ValueError, match="already running or waiting"):
        jobs.start(JobRequest("sprites", "slow", epochs=1))
    release.set()
    slow.join(30)
    assert jobs.wait(120).state in ("finished", "stopped")
    assert "slow" in {entry.name for entry in hub.entries()}


def test_a_job_is_its_visitors_to_stop_and_one_visitor_holds_at_most_two(hub):
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("text", "a-1", text=TEXT, epochs=100, minutes=30, owner="a", address="10.0.0.1"))
    wait_for(lambda: jobs.snapshot().step >= 1)
    jobs.start(JobRequest("text", "a-2", text=TEXT, epochs=1, owner="a", address="10.0.0.1"))
    with pytest.raises(JobBusyError, match="one visitor may have 2"):
        jobs.start(JobRequest("text", "a-3", text=TEXT, epochs=1, owner="a"))
    with pytest.raises(JobBusyError, match="one visitor may have 2"):  # a fresh session, the same address
        jobs.start(JobRequest("text", "a-4", text=TEXT, epochs=1, owner="a-again", address="10.0.0.1"))
    assert jobs.start(JobRequest("text", "b-1", text=TEXT, epochs=1, owner="b")).state == "waiting"
    with pytest.raises(ValueError, match="only the visitor who started"):
        jobs.stop("b")
    assert jobs.snapshot().state == "running"
    assert jobs.stop("a").state == "stopping"
    done = jobs.wait(300)
    assert shown_name(done.name) == "b-1"
    assert {"a-1", "a-2", "b-1"} <= {shown_name(entry.name) for entry in hub.entries()}


def test_the_time_budget_moves_the_learning_rate_schedule_and_the_best_state_is_kept():
    """A job's monitor measures progress by its budget: the schedule warms up and anneals by that
    share, however many epochs were allowed; a run keeps its weights of the lowest validation loss."""
    from aigc_demo.training.common import BestWeights, Monitor, one_cycle

    class Budgeted(Monitor):
        done = 0.0

        def progress(self, step: int, total: int) -> float:
            return self.done

    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    watcher = Budgeted()
    schedule = one_cycle(optimizer, 1.0, 1000, 100, 1, warmup=0.2, monitor=watcher)
    rates = []
    for done in (0.0, 0.2, 0.6, 1.0):
        watcher.done = done
        optimizer.step()
        schedule.step()
        rates.append(optimizer.param_groups[0]["lr"])
    assert rates[0] == pytest.approx(1 / 25)  # starts low
    assert rates[1] == pytest.approx(1.0)  # the peak at the warm-up's end
    assert rates[3] == pytest.approx(1e-4 / 25)  # annealed when the budget is spent, at step 4 of 100,000
    plain = one_cycle(torch.optim.SGD(model.parameters(), lr=0.1), 1.0, 2, 10, 5, monitor=Monitor())
    assert isinstance(plain, torch.optim.lr_scheduler.OneCycleLR)  # the command line's runs as before

    best = BestWeights()
    for value, loss in ((1.0, 3.0), (2.0, 1.0), (3.0, 2.0)):
        torch.nn.init.constant_(model.weight, value)
        best.offer(model, loss)
    assert best.restore(model).weight.detach().tolist() == [[2.0, 2.0]]


def test_a_job_shows_its_budget_as_its_end_and_says_when_it_over_fitted():
    from aigc_demo.ui.train_view import fit_note

    snap = JobSnapshot(state="running", step=100, total=100_000, elapsed=30.0, budget=120.0)
    assert snap.expected_total == 400  # the budget holds 400 steps at this pace, not 100,000
    assert snap.eta == pytest.approx(90.0)
    done = JobSnapshot(state="finished", valid_curve=[(10, 2.5), (20, 1.9), (30, 2.6)])
    said = fit_note(done, "en")
    assert "best on the validation data (after step 20)" in said
    assert "(1.9 → 2.6)" in said
    assert "over-fitting" in said
    steady = JobSnapshot(state="finished", valid_curve=[(10, 2.5), (20, 1.9), (30, 1.91)])
    assert "over-fitting" not in fit_note(steady, "en")
    assert "过拟合" in fit_note(done, "zh-CN")
