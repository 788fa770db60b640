"""The Train tab: give text (or pick the built-in shapes), pick a size and a time budget, watch the
model learn, use it at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from aigc_demo import settings
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.text import decode_text
from aigc_demo.training.jobs import (
    MAX_EPOCHS,
    MAX_MINUTES,
    TEXT_PRESETS,
    JobSnapshot,
    SpriteJobSpec,
    TextJobSpec,
    TrainingJobs,
)
from aigc_demo.ui.controls import picture_output
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N, language_of, text

POLL_SECONDS = 1.0
PLOT_POINTS = 400


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def status_markdown(snap: JobSnapshot, lang: str) -> str:
    if snap.state == "idle":
        return text("train_idle", lang)
    lines = [
        text(
            f"train_state_{snap.state}",
            lang,
            name=snap.name,
            step=snap.step,
            total=snap.total or "?",
            elapsed=_minutes(snap.elapsed),
            eta=_minutes(snap.eta),
            tab=text("tab_image" if snap.kind == "sprites" else "tab_text", lang),
        )
    ]
    if snap.total:
        lines.append(f"<progress value='{snap.step}' max='{snap.total}' style='width:100%'></progress>")
    if snap.message:
        lines.append(snap.message)
    return "\n\n".join(lines)


def loss_table(snap: JobSnapshot, lang: str) -> pd.DataFrame:
    """Both curves in one long table; the per-step training curve thinned to at most
    ``PLOT_POINTS`` points, so the page receives a small table every second however long the run."""
    stride = max(1, -(-len(snap.train_curve) // PLOT_POINTS))
    rows = [(step, loss, text("train_curve_train", lang)) for step, loss in snap.train_curve[::stride]]
    for name, curve in snap.terms.items():
        rows += [(step, loss, text(f"train_curve_{name}", lang)) for step, loss in curve[::stride]]
    valid = "train_curve_valid_sprites" if snap.kind == "sprites" else "train_curve_valid"
    rows += [(step, loss, text(valid, lang)) for step, loss in snap.valid_curve]
    return pd.DataFrame(rows, columns=["step", "loss", "curve"])


def build_train_tab(demo: gr.Blocks, hub: ModelHub) -> TrainingJobs:
    jobs = TrainingJobs(hub, max_chars=settings.max_train_chars())
    with gr.Row():
        with gr.Column(scale=2):
            kind = gr.Radio(
                [(I18N("train_kind_text"), "text"), (I18N("train_kind_sprites"), "sprites")],
                value="text",
                label=I18N("train_kind"),
                elem_id="train-kind",
            )
            pasted = gr.Textbox(
                label=I18N("train_text"),
                placeholder=I18N("train_text_placeholder"),
                lines=8,
                elem_id="train-text",
            )
            upload = gr.File(
                label=I18N("train_upload"), file_types=[".txt"], type="filepath", elem_id="train-upload"
            )
            name = gr.Textbox(
                label=I18N("train_name"), value="my-text-model", max_length=64, elem_id="train-name"
            )
            preset = gr.Radio(
                list(TEXT_PRESETS), value="tiny", label=I18N("train_preset"), elem_id="train-preset"
            )
            with gr.Row():
                epochs = gr.Slider(
                    1, MAX_EPOCHS, value=5, step=1, label=I18N("train_epochs"), elem_id="train-epochs"
                )
                minutes = gr.Slider(
                    0.5, MAX_MINUTES, value=2, step=0.5, label=I18N("train_minutes"), elem_id="train-minutes"
                )
            with gr.Row():
                start = gr.Button(I18N("train_start"), variant="primary", elem_id="train-start")
                stop = gr.Button(I18N("train_stop"), variant="stop", elem_id="train-stop")
        with gr.Column(scale=3):
            status = gr.Markdown(I18N("train_idle"), elem_id="train-status")
            plot = gr.LinePlot(
                x="step", y="loss", color="curve", label=I18N("train_loss"), height=260, elem_id="train-plot"
            )
            sample = gr.Textbox(
                label=I18N("train_sample"), lines=6, interactive=False, elem_id="train-sample"
            )
            picture = picture_output(I18N("train_picture"), "train-picture", size=240, visible=False)
            scrubber = gr.Slider(
                0, 1, value=0, step=1, label=I18N("train_scrubber"), elem_id="train-scrubber", buttons=[]
            )
    timer = gr.Timer(POLL_SECONDS, active=False)

    @shows_errors
    def start_training(
        model_name: str, training_text: str, size: str = "tiny", epoch_count: float = 5, budget: float = 2
    ) -> dict[str, Any]:
        """Start training a text model on ``training_text`` and return the job's status. One job runs
        at a time per server; the model is saved under ``model_name`` when the job finishes, is
        stopped, or its time budget (``budget`` minutes) runs out."""
        return job_status_of(
            jobs.start_text(
                _spec(model_name, training_text, "text sent to the API", size, epoch_count, budget)
            )
        )

    @shows_errors
    def stop_training() -> dict[str, Any]:
        """Stop the running job after its current step; it saves what it has learned."""
        return job_status_of(jobs.stop())

    def training_status() -> dict[str, Any]:
        """How the current (or last) training job is going."""
        return job_status_of(jobs.snapshot())

    @shows_errors
    def start_sprite_training(
        model_name: str, size: str = "tiny", epoch_count: float = 5, budget: float = 2
    ) -> dict[str, Any]:
        """Start training a beta-VAE on the built-in procedural shapes (no data to send) and return
        the job's status; the model is saved under ``model_name`` as ``start_training``'s is."""
        return job_status_of(jobs.start_sprites(_sprite_spec(model_name, size, epoch_count, budget)))

    gr.api(start_training, api_name="start_training")
    gr.api(start_sprite_training, api_name="start_sprite_training")
    gr.api(stop_training, api_name="stop_training")
    gr.api(training_status, api_name="training_status")

    def show(request: gr.Request, shown: int | None):
        """Everything the page shows about the job; the scrubber follows the newest sample unless
        the person moved it back."""
        lang = language_of(request)
        snap = jobs.snapshot()
        newest = max(len(snap.samples) - 1, 0)
        at = newest if shown is None else min(int(shown), newest)
        preview = snap.samples[at][1] if snap.samples else None
        label = text("train_scrubber_at", lang, step=snap.samples[at][0]) if snap.samples else None
        drawn = snap.kind == "sprites"
        return (
            status_markdown(snap, lang),
            loss_table(snap, lang),
            gr.Textbox(value=None if drawn else preview or "", visible=not drawn),
            gr.Image(value=preview if drawn else None, visible=drawn),
            gr.Slider(maximum=max(newest, 1), value=at, label=label, interactive=not snap.running),
        )

    shown_outputs = [status, plot, sample, picture, scrubber]
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    def follow(request: gr.Request):
        """While a job runs, poll it and show its newest sample; the poll stops with the job, so
        the scrubber is then the person's to move."""
        return *show(request, None), gr.Timer(active=jobs.snapshot().running)

    @shows_errors
    def click_start(
        request: gr.Request,
        what: str,
        model_name: str,
        pasted_text: str,
        uploaded: str | None,
        size: str,
        epoch_count: float,
        budget: float,
    ):
        if what == "sprites":
            jobs.start_sprites(_sprite_spec(model_name, size, epoch_count, budget))
            return follow(request)
        if uploaded:  # an uploaded .txt file wins over pasted text
            path = Path(uploaded)
            body, source = decode_text(path.read_bytes(), path.name), path.name
        else:
            body, source = pasted_text or "", "pasted text"
        jobs.start_text(_spec(model_name, body, source, size, epoch_count, budget))
        return follow(request)

    def click_stop(request: gr.Request, shown: int | None):
        jobs.stop()
        return show(request, shown)

    def choose(what: str, model_name: str):
        """Text needs text to learn from; the shapes need nothing. A default name follows the kind."""
        defaults = {"text": "my-text-model", "sprites": "my-shapes"}
        renamed = defaults[what] if model_name in defaults.values() else model_name
        return gr.Textbox(visible=what == "text"), gr.File(visible=what == "text"), renamed

    kind.change(choose, [kind, name], [pasted, upload, name], **quiet)
    following = [*shown_outputs, timer]
    start.click(click_start, [kind, name, pasted, upload, preset, epochs, minutes], following, **quiet)
    stop.click(click_stop, [scrubber], shown_outputs, **quiet)
    gr.on([timer.tick, demo.load], follow, None, following, **quiet)
    scrubber.release(show, [scrubber], shown_outputs, **quiet)
    return jobs


def _spec(name: Any, body: str, source: str, size: Any, epochs: Any, minutes: Any) -> TextJobSpec:
    return TextJobSpec(str(name or "").strip(), body, source, str(size), epochs, minutes)


def _sprite_spec(name: Any, size: Any, epochs: Any, minutes: Any) -> SpriteJobSpec:
    return SpriteJobSpec(str(name or "").strip(), str(size), epochs, minutes)


def job_status_of(snap: JobSnapshot) -> dict[str, Any]:
    return {
        "state": snap.state,
        "kind": snap.kind,
        "name": snap.name,
        "step": snap.step,
        "total": snap.total,
        "elapsed_s": round(snap.elapsed, 1),
        "eta_s": None if snap.eta is None else round(snap.eta, 1),
        "train_loss": snap.train_curve[-1][1] if snap.train_curve else None,
        "valid_loss": snap.valid_curve[-1][1] if snap.valid_curve else None,
        "samples": len(snap.samples),
        "message": snap.message,
    }
