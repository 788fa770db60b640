"""Visitors' models on disk: a count, a size and an age, the oldest going first; others untouched."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from aigc_demo import settings
from aigc_demo.backend.ownership import mark_as_visitors, shown_name
from aigc_demo.backend.quota import DiskFullError, Quota, make_room, sweep, visitor_models
from aigc_demo.jobs import TrainingJobs
from aigc_demo.recipes import JobRequest
from tests.helpers import make_card, make_model, varied_text

TEXT = varied_text(400)


def save_visitors(hub, names, age_step: float = 10.0):
    """Visitors' models saved one after another, the first the oldest (by ``age_step`` seconds)."""
    now = time.time()
    for i, name in enumerate(names):
        entry = hub.save(name, make_model(), mark_as_visitors(make_card()))
        stamp = now - age_step * (len(names) - i)
        os.utime(entry.path, (stamp, stamp))
    return now


def test_the_oldest_visitors_models_make_room_and_others_are_never_touched(hub):
    own = hub.save("my-own", make_model(), make_card())  # saved another way: never counted or removed
    os.utime(own.path, (0, 0))
    save_visitors(hub, ["first", "second", "third"])
    size = hub.entry("first").size_bytes
    assert make_room(hub, Quota(models=3, bytes=10**9), size) == ["first"]
    assert make_room(hub, Quota(models=5, bytes=2 * size), size) == ["second"]
    assert [e.name for e in visitor_models(hub)] == ["third"]
    assert hub.entry("my-own").path.exists()
    assert sorted(os.listdir(hub.user_dir)) == ["my-own.safetensors", "third.safetensors"]


def test_models_past_their_age_go_first(hub):
    now = save_visitors(hub, ["old", "older-still", "new"], age_step=3600)
    quota = Quota(models=10, bytes=10**9, max_age_s=2.5 * 3600)
    assert make_room(hub, quota, 1000, now=now) == ["old"]
    assert make_room(hub, Quota(models=10, bytes=10**9), 1000) == []  # no age: kept while there is room
    assert sweep(hub, Quota(models=10, bytes=10**9, max_age_s=1.5 * 3600), now=now) == ["older-still"]
    assert [e.name for e in visitor_models(hub)] == ["new"]


def test_a_model_bigger_than_the_quota_or_the_free_disk_is_refused_before_writing(hub):
    save_visitors(hub, ["kept"])
    with pytest.raises(DiskFullError, match="use a smaller model"):
        make_room(hub, Quota(models=10, bytes=1000), 5000)
    with pytest.raises(DiskFullError, match="disk is nearly full"):
        make_room(hub, Quota(models=10, bytes=10**9, reserve_bytes=10**18), 1000)
    assert [e.name for e in visitor_models(hub)] == ["kept"]


def test_jobs_keep_visitors_models_within_the_quota_and_say_when_the_disk_is_full(hub):
    jobs = TrainingJobs(hub, quota=Quota(models=2, bytes=10**9))
    for name in ("one", "two", "three"):
        jobs.start(JobRequest("text", name, text=TEXT, source="pasted text", epochs=1, minutes=5, owner="v"))
        assert jobs.wait(120).state == "finished"
    assert [shown_name(e.name) for e in visitor_models(hub)] == ["two", "three"]
    assert sorted(shown_name(Path(f).stem) for f in os.listdir(hub.user_dir)) == ["three", "two"]

    full = TrainingJobs(hub, quota=Quota(models=10, bytes=10**9, reserve_bytes=10**18))
    full.start(JobRequest("text", "four", text=TEXT, source="pasted text", epochs=1, minutes=5, owner="v"))
    done = full.wait(120)
    assert done.state == "failed"
    assert "disk is nearly full" in done.message
    assert not any(name.startswith("four") or name.startswith(".four") for name in os.listdir(hub.user_dir))


def test_a_public_server_has_tighter_defaults(monkeypatch):
    for name in ("AIGC_PUBLIC", "SPACE_ID", "AIGC_MAX_MODELS", "AIGC_MODEL_HOURS", "AIGC_MAX_JOB_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    local = (settings.max_visitor_models(), settings.visitor_model_seconds(), settings.max_job_minutes())
    assert local == (100, None, 60)
    monkeypatch.setenv("SPACE_ID", "someone/aigc-studio")
    assert settings.public()
    assert (settings.max_visitor_models(), settings.visitor_model_seconds(), settings.max_job_minutes()) == (
        20,
        24 * 3600.0,
        10,
    )
    monkeypatch.setenv("AIGC_MAX_MODELS", "7")  # a setting given wins over either default
    assert settings.max_visitor_models() == 7
    monkeypatch.setenv("AIGC_PUBLIC", "0")
    assert not settings.public()
    monkeypatch.setenv("AIGC_PUBLIC", "maybe")
    with pytest.raises(ValueError, match="AIGC_PUBLIC must be 1 or 0"):
        settings.public()


def test_a_visitor_makes_room_only_among_their_own_models(hub):
    """One address adding model after model replaces its own oldest, never another visitor's; when the
    server is full of others' models, its save is refused instead."""
    for name, address in (
        ("alice-1", "198.51.100.1"),
        ("bob-1", "198.51.100.2"),
        ("alice-2", "198.51.100.1"),
    ):
        hub.save(name, make_model(), mark_as_visitors(make_card(), address))
        time.sleep(0.01)
    assert "198.51.100" not in hub.entry("alice-1").path.read_bytes().decode(
        "latin-1"
    )  # a digest, not the address
    size = hub.entry("bob-1").size_bytes
    quota = Quota(models=3, bytes=10**9, per_visitor=2)
    assert make_room(hub, quota, size, "198.51.100.1") == ["alice-1"]  # her own oldest
    assert make_room(hub, Quota(models=10, bytes=10**9, per_visitor=1), size, "198.51.100.1") == ["alice-2"]
    hub.save("alice-3", make_model(), mark_as_visitors(make_card(), "198.51.100.1"))
    with pytest.raises(DiskFullError, match="none of them is yours"):
        make_room(hub, Quota(models=2, bytes=10**9, per_visitor=5), size, "203.0.113.9")  # a third visitor
    assert sorted(e.name for e in visitor_models(hub)) == ["alice-3", "bob-1"]  # both still there
