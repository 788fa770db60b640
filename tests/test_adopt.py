"""A visitor's own checkpoint file added to the app: checked before any weight is read, within the
visitors' quota, never under a name that is taken."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import textwrap

import pytest
import torch

from aigc_demo.backend.checkpoint import CheckpointError, read_card, save_checkpoint
from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.ownership import owner_key, shown_name
from aigc_demo.jobs import TrainingJobs
from aigc_demo.ui.visitor import in_browser
from tests.helpers import make_card, make_image_model

MAX_ELEMENTS = 20 * 1024 * 1024


@pytest.fixture
def jobs(hub) -> TrainingJobs:
    return TrainingJobs(hub)


def _gift(tmp_path, **config_changes):
    """A checkpoint file as another server of this app saved it (float16 weights)."""
    model = make_image_model(seed=3)
    card = make_card(kind="image-vae", config={**model.config, **config_changes})
    path = tmp_path / "gift.safetensors"
    save_checkpoint(path, model.state_dict(), card, torch.float16)
    return model, path


def test_a_checkpoint_this_app_saved_comes_back_usable_and_counted_as_a_visitor_s(jobs, tmp_path):
    model, path = _gift(tmp_path)
    entry = jobs.adopt(path, "brought", MAX_ELEMENTS, owner="browser a")
    extras = read_card(entry.path).extras
    assert extras["trained_by"] == "a visitor of the app"  # within the quota
    assert extras["owner"] == owner_key("browser a")  # theirs
    assert "browser a" not in str(extras)  # a digest, never the token
    assert shown_name(entry.name) == "brought"
    assert re.fullmatch(r"brought--[0-9a-f]{12}", entry.name)  # a tail no one can guess
    loaded = jobs.hub.load(entry.name).module
    for key, value in model.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[key], value.half().float())
    assert entry.size_bytes < path.stat().st_size * 1.2  # kept in float16, not doubled
    again = jobs.adopt(path, "brought", MAX_ELEMENTS, owner="browser b")
    assert (
        again.name != entry.name
    )  # another visitor's "brought" is another model; neither is told of the other
    with pytest.raises(ValueError, match="1-50 characters"):
        jobs.adopt(path, "x" * 51, MAX_ELEMENTS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden": 64}, "not those of the model its card describes"),
        ({"latent_dim": "many"}, "no model this app can build"),
        ({"size": 4096}, r"more than this app runs for a visitor: size 4,096 \(at most 32\)"),
        ({"num_directions": 20_000, "latent_dim": 999}, "num_directions 20,000"),
    ],
)
def test_a_card_that_does_not_fit_its_weights_is_refused(jobs, tmp_path, change, message):
    _, path = _gift(tmp_path, **change)
    with pytest.raises(CheckpointError, match=message):
        jobs.adopt(path, "brought", MAX_ELEMENTS)
    assert "brought" not in {e.name for e in jobs.hub.entries()}


def test_files_that_are_not_this_app_s_checkpoints_are_refused(jobs, tmp_path):
    pickled = tmp_path / "evil.safetensors"
    pickled.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        jobs.adopt(pickled, "evil", MAX_ELEMENTS)
    _, path = _gift(tmp_path)
    with pytest.raises(ValueError, match="name"):
        jobs.adopt(path, "../escape", MAX_ELEMENTS)


def test_a_card_asking_for_a_huge_model_is_refused_before_any_memory_is_taken(tmp_path):
    """The card asks for more numbers than the server allows (within each value's own limit) while its
    file holds a few thousand: the architecture is planned on the meta device, so refusing it costs
    no memory."""
    _, path = _gift(tmp_path, hidden=1024, channels=64)
    script = textwrap.dedent(
        f"""
        import resource, torch
        from pathlib import Path
        from aigc_demo.backend.checkpoint import CheckpointError
        from aigc_demo.backend.hub import ModelHub
        hub = ModelHub(Path({str(tmp_path / "s")!r}), Path({str(tmp_path / "u")!r}))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            hub.adopt(Path({str(path)!r}), "huge", 100_000)
        except CheckpointError as err:
            print("refused:", err)
        print("grew_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "refused: its card asks for" in done.stdout, done.stderr
    assert "at most 100,000 may be" in done.stdout
    grew_kb = int(done.stdout.split("grew_kb")[1])
    assert grew_kb < 50_000  # under 50 MB, against the 1.2 GB the card asked for


def test_the_about_panel_adds_a_model_and_says_where_it_shows(jobs, tmp_path):
    from aigc_demo.ui.model_upload import UploadHandlers
    from aigc_demo.ui.pages import page_of_kind

    _, path = _gift(tmp_path)
    handlers = UploadHandlers(jobs, page_of_kind)
    said = handlers.add_model(None, str(path), "  ")  # an API caller is told the whole name, to use it
    added = re.search(r"\*\*(gift--[0-9a-f]{12})\*\*", said).group(1)
    assert said.endswith("(image-vae): find it in Image. It is yours: other visitors do not see it.")
    assert isinstance(jobs.hub, ModelHub)
    assert added in {e.name for e in jobs.hub.entries(kind="image-vae")}
    said, token = handlers.add_from_page(None, str(path), "mine", "")  # the page: its browser's from now on
    assert said.startswith("Added **mine** (image-vae)")
    assert len(token) >= 16
    mine = [e for e in jobs.hub.entries("image-vae") if shown_name(e.name) == "mine"]
    assert [e.card.extras["owner"] for e in mine] == [owner_key(in_browser(token))]


def test_a_card_asking_for_a_model_the_app_would_not_train_is_refused_before_it_is_built(
    jobs, tmp_path, monkeypatch
):
    """364 bytes of card declaring 20,000 LSTM layers held a worker 211 s: now refused by its numbers,
    before any architecture is planned, even on the meta device."""
    from aigc_demo import models
    from tests.helpers import make_text_card, make_text_model

    model = make_text_model()
    card = make_text_card(model)
    card.config["layers"] = 20_000
    path = tmp_path / "deep.safetensors"
    save_checkpoint(path, model.state_dict(), card)
    planned = []
    monkeypatch.setattr(models, "build", lambda *a: planned.append(a) or 1 / 0)
    with pytest.raises(CheckpointError, match="layers 20,000 \\(at most 4\\)"):
        jobs.adopt(path, "deep", MAX_ELEMENTS)
    assert planned == []


def test_weights_given_in_eight_bits_are_not_widened_on_disk(jobs, tmp_path):
    model = make_image_model(seed=3)
    card = make_card(kind="image-vae", config=model.config)
    narrow = {
        k: (v * 10).to(torch.int8) if v.is_floating_point() else v for k, v in model.state_dict().items()
    }
    path = tmp_path / "int8.safetensors"
    save_checkpoint(path, narrow, card)
    entry = jobs.adopt(path, "eight-bits", MAX_ELEMENTS)
    assert entry.size_bytes < 2.5 * path.stat().st_size  # float16 (2x), not float32 (4x)


def test_what_an_interrupted_save_left_is_swept_and_a_fresh_one_is_not(hub):
    import os
    import time

    from aigc_demo.backend.quota import Quota, sweep

    hub.user_dir.mkdir(parents=True, exist_ok=True)
    old, fresh = hub.user_dir / ".old.safetensors.a1.tmp", hub.user_dir / ".new.safetensors.b2.tmp"
    for leftover in (old, fresh):
        leftover.write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    sweep(hub, Quota(models=10, bytes=10**9))
    assert (old.exists(), fresh.exists()) == (False, True)
