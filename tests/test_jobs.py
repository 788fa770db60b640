"""Training jobs: one at a time, watched through snapshots, stopped within a step, saved atomically."""

from __future__ import annotations

import time

import pytest

from aigc_demo.training.jobs import JobBusyError, TextJobSpec, TrainingJobs

TEXT = "".join(f"line {i}: the cat sat on the mat and the dog ran after it.\n" for i in range(400))


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_job_trains_reports_and_saves_a_usable_model(hub):
    jobs = TrainingJobs(hub)
    jobs.start_text(TextJobSpec("my-text", TEXT, "pasted text", epochs=2, minutes=5))
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
    assert entry.card.metrics["valid_loss"] < done.train_curve[0][1]  # it learned something
    from aigc_demo.pipelines.text import Sampling, generate_text

    assert len(generate_text(hub.load("my-text").module, "line", Sampling(), 20, seed=0)[0]) == 20


def test_stop_ends_the_job_within_a_step_and_keeps_what_it_learned(hub):
    jobs = TrainingJobs(hub)
    jobs.start_text(TextJobSpec("stopped", TEXT, "pasted text", epochs=100, minutes=30))
    wait_for(lambda: jobs.snapshot().step >= 3)
    with pytest.raises(JobBusyError, match="one job runs at a time"):
        jobs.start_text(TextJobSpec("another", TEXT, "pasted text"))
    asked_at = jobs.stop().step
    assert jobs.snapshot().state in ("stopping", "stopped")
    done = jobs.wait(60)
    assert done.state == "stopped"
    assert done.step <= asked_at + 1
    assert done.step < done.total
    assert len(done.valid_curve) == 1  # the weights it stopped with were validated and saved
    assert hub.entry("stopped").card.metrics["epoch"] < 1


def test_the_time_budget_stops_a_job(hub):
    jobs = TrainingJobs(hub)
    jobs.start_text(TextJobSpec("quick", TEXT, "pasted text", epochs=100, minutes=0.05))
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
    ],
)
def test_bad_requests_are_refused_before_any_work(hub, changes, message):
    jobs = TrainingJobs(hub, max_chars=3_000_000)
    spec = TextJobSpec(**{"name": "fine", "text": TEXT, "source": "pasted text", **changes})
    with pytest.raises(ValueError, match=message):
        jobs.start_text(spec)
    assert jobs.snapshot().state == "idle"


def test_an_existing_name_is_never_overwritten(hub):
    from tests.helpers import make_text_card, make_text_model

    model = make_text_model()
    hub.save("taken", model, make_text_card(model))
    with pytest.raises(ValueError, match="already exists"):
        TrainingJobs(hub).start_text(TextJobSpec("taken", TEXT, "pasted text"))


def test_a_job_that_fails_says_why_writes_nothing_and_frees_the_slot(hub, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(hub, "save", refuse)
    jobs = TrainingJobs(hub)
    jobs.start_text(TextJobSpec("doomed", TEXT, "pasted text", epochs=1))
    done = jobs.wait(60)
    assert done.state == "failed"
    assert "No space left on device" in done.message
    assert not list(hub.user_dir.glob("doomed*"))
    monkeypatch.undo()
    jobs.start_text(TextJobSpec("after", TEXT, "pasted text", epochs=1))
    assert jobs.wait(60).state == "finished"


def test_a_sprites_job_trains_a_beta_vae_the_image_tab_can_use(hub):
    """The built-in sprites need no data: the job shows the same codes' pictures improving,
    plots reconstruction and KL, and saves an image model with named directions and a map."""
    import numpy as np

    from aigc_demo.data.sprites import RANGES, SHAPES
    from aigc_demo.pipelines.image import decode
    from aigc_demo.training.jobs import SPRITE_PRESETS, SpriteJobSpec, check_sprite_spec

    for bad, message in ((SpriteJobSpec("x", preset="huge"), "preset"), (SpriteJobSpec("../x"), "name")):
        with pytest.raises(ValueError, match=message):
            check_sprite_spec(bad, hub)
    jobs = TrainingJobs(hub)
    started = time.monotonic()
    jobs.start_sprites(SpriteJobSpec("my-shapes", epochs=1, minutes=5))
    done = jobs.wait(300)
    assert done.state == "finished", done.message
    assert done.kind == "sprites"
    assert done.step == done.total == -(-SPRITE_PRESETS["tiny"]["count"] // 64)
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
