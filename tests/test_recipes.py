"""Recipes: a new trainable kind is one more recipe, with no edit to the CLI or the job slot."""

from __future__ import annotations

import sys
from typing import ClassVar

import pytest

from aigc_demo import recipes
from aigc_demo.backend import hub as hub_module
from aigc_demo.backend.checkpoint import read_card
from aigc_demo.cli import main
from aigc_demo.jobs import TrainingJobs
from aigc_demo.recipes import JobRequest
from aigc_demo.recipes.text import TextRecipe
from tests.helpers import varied_text

TEXT = varied_text(400)


class LimerickRecipe(TextRecipe):
    """A kind the project does not ship: the text recipe under another name, with its own texts."""

    name = "limericks"
    help = "a text model that writes limericks"
    default_name = "my-limericks"
    texts: ClassVar[dict] = {"kind": ("Limericks", "打油诗")}


@pytest.fixture
def with_limericks(monkeypatch, tmp_path):
    monkeypatch.setattr(recipes, "RECIPES", (*recipes.RECIPES, LimerickRecipe()))
    monkeypatch.setenv("AIGC_HOME", str(tmp_path / "home"))
    hub_module.default_hub.cache_clear()
    yield
    hub_module.default_hub.cache_clear()


def test_a_new_recipe_is_trained_by_the_cli_and_the_job_slot_unchanged(
    with_limericks, hub, tmp_path, monkeypatch
):
    corpus = tmp_path / "limericks.txt"
    corpus.write_text(TEXT)
    out = tmp_path / "limericks.safetensors"
    small = ["--hidden", "16", "--layers", "1", "--seq-len", "16", "--batch-size", "4", "--epochs", "1"]
    command = ["train", "limericks", "--data", str(corpus), "--out", str(out), *small]
    monkeypatch.setattr(sys, "argv", ["aigc_demo", *command])  # what the card records
    assert main(command) == 0
    card = read_card(out)
    assert card.kind == "char-rnn"
    assert "train limericks" in card.training_command
    jobs = TrainingJobs(hub)
    started = jobs.start(
        JobRequest("limericks", "my-limericks", text=TEXT, epochs=1, settings={"hidden": 16})
    )
    assert started.kind == "limericks"
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert hub.entry("my-limericks").card.config["hidden"] == 16


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="kind must be one of text, sprites"):
        recipes.recipe("poetry")


def test_settings_that_multiply_past_the_budget_are_refused_before_any_work(hub, tmp_path):
    """Each setting is in range, but their product is not: the job is refused by what it would
    take (weights, memory per step), saying what to lower; nothing runs and nothing is written."""
    import numpy as np

    from aigc_demo.jobs import DEFAULT_LIMITS
    from tests.helpers import write_idx

    jobs = TrainingJobs(hub)
    huge = {"hidden": 512, "layers": 4, "batch_size": 1024}  # 7 million weights, but 4 GB a step
    picks = np.random.default_rng(0).integers(0, 6000, 200_000)
    wide = "".join(chr(0x4E00 + int(i)) for i in picks)  # 6,000 distinct characters
    folder = tmp_path / "big-pictures"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte", np.zeros((200, 64, 64), np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte", np.arange(200, dtype=np.uint8) % 2)
    for request, message in (
        (JobRequest("text", "too-big", text=varied_text(14_000), settings=huge), "GB for each training step"),
        (JobRequest("vae", "too-wide", files=[str(folder)], preset="base"), "million parameters"),
    ):
        with pytest.raises(ValueError, match=message):
            jobs.start(request)
    assert jobs.snapshot().state == "idle"
    assert list(hub.user_dir.glob("*")) == []
    plan = recipes.recipe("text").plan_job(JobRequest("text", "capped", text=wide), hub, DEFAULT_LIMITS)
    parameters, _ = recipes.recipe("text").footprint(plan)
    assert plan.config.max_vocab == 4000  # rarer characters share one mark
    assert parameters < 4000 * 32 + 4 * 128 * (32 + 128 + 2) + 129 * 4000 + 1
