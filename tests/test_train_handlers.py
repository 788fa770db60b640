"""The Train tab's handlers called as plain methods, without a server; and the recipes they read."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from aigc_demo.data.downloads import DATASETS
from aigc_demo.jobs import JobSnapshot, TrainingJobs
from aigc_demo.recipes import RECIPES, app_recipes, cli_recipes, recipe
from aigc_demo.recipes.base import SETTINGS
from aigc_demo.ui.i18n import table
from aigc_demo.ui.train_handlers import TrainHandlers
from aigc_demo.ui.train_view import Viewer
from aigc_demo.ui.visitor import in_browser
from tests.helpers import make_text_card, make_text_model, varied_text

TEXT = varied_text(400)


@pytest.fixture
def handlers(hub) -> TrainHandlers:
    return TrainHandlers(TrainingJobs(hub))


@pytest.fixture
def page(handlers):
    """The Train page over ``handlers``' job slot, built inside an app, as its events see it."""
    from types import SimpleNamespace

    import gradio as gr

    from aigc_demo.ui.train_tab import build_page

    with gr.Blocks() as demo:
        return build_page(
            SimpleNamespace(hub=handlers.hub, jobs=handlers.jobs, demo=demo, page_of_kind=lambda k: None)
        )


def test_every_recipe_is_complete_for_where_it_appears():
    names = [r.name for r in RECIPES]
    assert len(names) == len(set(names))
    for each in app_recipes():
        assert "tiny" in each.presets, each.name
        assert set(each.settings) <= set(SETTINGS), each.name
        assert set(each.public_datasets) <= set(DATASETS), each.name
        assert each.gives in ("text", "files", "nothing"), each.name
        needed = {"kind", *(["files"] if each.gives == "files" else [])}
        assert needed <= set(each.texts), each.name
        for language in ("en", "zh-CN"):
            assert table()[language][f"train_kind_{each.name}"], (each.name, language)
    for each in cli_recipes():
        parser = argparse.ArgumentParser()
        each.add_arguments(parser)  # its flags parse, and none clashes with another
        assert each.config_class.__dataclass_fields__["seed"], each.name


def test_start_job_trains_any_app_recipe_and_reports_its_status(handlers, hub):
    started = handlers.start_job(None, "text", "  handled  ", TEXT, None, "tiny", 1, 5, "", {"batch_size": 8})
    assert (started["state"], started["kind"], started["name"]) == ("running", "text", "handled")
    done = handlers.jobs.wait(120)
    assert done.state == "finished", done.message
    assert hub.entry("handled").card.extras["training"]["batch_size"] == 8
    assert handlers.training_status(None)["state"] == "finished"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("diffusion", "x", TEXT), "kind must be one of"),
        (("image-classifier", "x", TEXT), "command line"),
        (("text", "x", TEXT, None, "tiny", 1, 5, "", "batch_size=8"), "JSON object"),
        (("sprites", "x", None, None, "tiny", 1, 5, "some-model"), "starts afresh"),
        (("speech", "x", None, []), "give recordings"),
    ],
)
def test_bad_requests_get_a_message_and_start_nothing(handlers, arguments, message):
    import gradio as gr

    with pytest.raises(gr.Error, match=message):
        handlers.start_job(None, *arguments)
    assert handlers.jobs.snapshot().state == "idle"


def test_choosing_a_kind_shows_the_inputs_its_recipe_needs(page):
    form = page.form
    shown = page.choose(None, "speech", "my-text-model", "")
    assert [shown[form[n]].visible for n in ("pasted", "upload", "files")] == [False, False, True]
    assert shown[form["start_from"]].visible
    assert shown[form["preset"]].value == "tiny"
    assert shown[form["name"]] == recipe("speech").default_name  # a default name follows the choice
    assert [shown[form[s]].visible for s in SETTINGS] == [s in recipe("speech").settings for s in SETTINGS]
    assert (
        page.choose(None, "sprites", "my-own-name", "")[form["name"]] == "my-own-name"
    )  # a typed name is kept
    shown = page.choose(None, "sprites", "x", "")
    assert [shown[form[n]].visible for n in ("pasted", "files", "public", "start_from")] == [False] * 4


def test_how_much_text_and_in_what_form_is_said_before_start(page):
    """The text box says what a size needs before anything is sent, and a chat log its form."""
    pasted = page.form["pasted"]
    text = page.choose(None, "text", "x", "")[pasted]
    assert "At least 10,400 characters for this size" in text.info
    assert "31,040" in page.least(None, "text", "small").info  # a bigger size needs more
    assert text.label.key == "train_text"
    chat = page.choose(None, "chat", "x", "")[pasted]
    assert chat.info.startswith("One line per turn, starting A: or B:")
    assert "At least 400 characters" in chat.info
    assert (chat.label.key, chat.placeholder.key) == ("train_text_chat", "train_placeholder_chat")
    assert page.least(None, "sprites", "tiny").info == ""  # shapes need no text


def test_the_view_shows_pictures_for_picture_kinds_and_text_for_text(page):
    import numpy as np

    status, plot, sample, picture, scrubber = (
        page.shown[n] for n in ("status", "plot", "sample", "picture", "scrubber")
    )
    drawn = [(0, np.zeros((4, 4)))]
    pictured = JobSnapshot(state="running", name="p", kind="vae", step=2, total=4, samples=drawn, owner="v")
    shown = page.view(pictured, "en", None, Viewer("v"))
    assert "p (yours)" in shown[status]
    assert (shown[sample].visible, shown[picture].visible) == (False, True)
    shown = page.view(pictured, "en", None, Viewer("w"))
    assert "p" not in shown[status].split("**")[1]  # another visitor's job, unnamed
    assert shown[picture].visible is False  # and its samples, which show its data, not shown
    written = JobSnapshot(state="finished", name="t", kind="text", samples=[(0, "a"), (5, "ab")])
    shown = page.view(written, "zh-CN", 0, Viewer())  # the server
    assert (shown[sample].value, shown[sample].visible, shown[scrubber].value) == ("a", True, 0)
    assert "t" in shown[status]
    assert "训练开始后" in shown[plot]  # no curves yet, said in the page's language


def test_the_loss_chart_draws_each_curve_and_says_its_latest_value():
    from aigc_demo.ui.loss_chart import loss_chart

    curves = {
        "training": [(0, 3.0), (1, 2.5), (2, float("nan")), (3, 2.0)],
        "<b>valid</b>": [(3, 2.2)],
        "kl": [],
    }
    chart = loss_chart(curves, "Loss", "nothing yet")
    assert chart.count("<polyline") == 2  # the empty curve is left out, the NaN point skipped
    assert 'aria-label="Loss: training: 2; &lt;b&gt;valid&lt;/b&gt;: 2.2"' in chart  # a name is text
    assert "<b>" not in chart
    assert "nothing yet" in loss_chart({"kl": [(0, float("inf"))]}, "Loss", "nothing yet")


def test_a_finished_job_s_visitor_may_take_the_model_home_and_no_one_else(handlers):
    from aigc_demo.backend.checkpoint import read_card

    model = make_text_model()
    handlers.hub.save("mine", model, make_text_card(model))
    done = JobSnapshot(state="finished", name="mine", kind="text", owner=in_browser("t1"))
    path = Path(handlers.take_home(done, Viewer(in_browser("t1"))))
    assert path.name == "mine.safetensors"
    assert read_card(path).kind == "char-rnn"  # the checkpoint, with its card
    assert handlers.take_home(done, Viewer(in_browser("t1"))) == str(path)  # copied once, not at every poll
    for viewer in (Viewer(in_browser("t2")), Viewer("")):
        assert handlers.take_home(done, viewer) is None
    running = JobSnapshot(state="running", name="mine", kind="text", owner=in_browser("t1"))
    assert handlers.take_home(running, Viewer(in_browser("t1"))) is None


def test_only_the_browser_that_started_a_job_can_stop_it(handlers, page):
    """A page's jobs are its browser's by a secret token it keeps, never by a name another visitor
    could guess; a page without the token cannot stop them."""
    import gradio as gr

    from aigc_demo.recipes import JobRequest

    job = JobRequest("text", "my-text-model", text=TEXT, epochs=100, minutes=30, owner=in_browser("t1"))
    handlers.jobs.start(job)
    for token in ("t2", "", None):
        with pytest.raises(gr.Error, match="only the visitor who started"):
            page.click_stop(None, {page.shown["scrubber"]: None, page.token: token})
    status = page.click_stop(None, {page.shown["scrubber"]: None, page.token: "t1"})[page.shown["status"]]
    assert "my-text-model (yours)" in status or "Stopping **my-text-model" in status
    assert handlers.jobs.wait(120).state == "stopped"
