"""The Train tab: give text or pictures (or pick the built-in shapes), optionally a model to
fine-tune, a size and a time budget; watch the model learn, use it at once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from aigc_demo import settings
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.archive import Limits
from aigc_demo.data.downloads import DATASETS, dataset_path
from aigc_demo.data.text import decode_text
from aigc_demo.training.jobs import (
    IMAGE_KINDS,
    KIND_SETTINGS,
    MAX_EPOCHS,
    MAX_MINUTES,
    SETTINGS,
    TEXT_PRESETS,
    ImageJobSpec,
    JobSnapshot,
    SpeechJobSpec,
    SpriteJobSpec,
    TextJobSpec,
    TrainingJobs,
    UploadJobSpec,
)
from aigc_demo.ui.controls import picture_output
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N, language_of, text

POLL_SECONDS = 1.0
PLOT_POINTS = 400
PICTURED = ("sprites", *IMAGE_KINDS, "speech")  # kinds whose previews are pictures
UPLOADED = (*IMAGE_KINDS, "speech")  # kinds that learn from uploaded files
MODEL_KINDS = {"text": "char-rnn", **IMAGE_KINDS, "speech": "speech-cvae"}  # kinds that can fine-tune
DEFAULT_NAMES = {
    "text": "my-text-model",
    "sprites": "my-shapes",
    "vae": "my-picture-vae",
    "gan": "my-picture-gan",
    "speech": "my-voice",
}
VALID_CURVES = {
    "text": "train_curve_valid",
    "sprites": "train_curve_valid_sprites",
    "vae": "train_curve_valid_pictures",
    "speech": "train_curve_valid_speech",
}
TABS = {"text": "tab_text", "speech": "tab_speech"}  # where a kind's model is used (else Image)
REMEMBERED_JOBS = 8  # names of the jobs a browser started that it keeps, newest last


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def status_markdown(snap: JobSnapshot, lang: str, mine: Sequence[str] = ()) -> str:
    """The job's state, progress and the line behind it; the jobs this browser started (``mine``)
    are marked as the visitor's, so they see where theirs stands."""
    if snap.state == "idle":
        return text("train_idle", lang)

    def marked(name: str) -> str:
        return f"{name} ({text('train_yours', lang)})" if name in mine else name

    lines = [
        text(
            f"train_state_{snap.state}",
            lang,
            name=marked(snap.name) if snap.running else snap.name,
            step=snap.step,
            total=snap.total or "?",
            elapsed=_minutes(snap.elapsed),
            eta=_minutes(snap.eta),
            tab=text(TABS.get(snap.kind, "tab_image"), lang),
        )
    ]
    if snap.total:
        lines.append(f"<progress value='{snap.step}' max='{snap.total}' style='width:100%'></progress>")
    if snap.message:
        lines.append(snap.message)
    if snap.waiting:
        in_line = ", ".join(f"{i}. {marked(n)}" for i, n in enumerate(snap.waiting, 1))
        lines.append(text("train_waiting", lang, names=in_line))
    return "\n\n".join(lines)


def loss_table(snap: JobSnapshot, lang: str) -> pd.DataFrame:
    """Both curves in one long table; the per-step training curve thinned to at most
    ``PLOT_POINTS`` points, so the page receives a small table every second however long the run."""
    longest = max([len(snap.train_curve), *map(len, snap.terms.values())])
    stride = max(1, -(-longest // PLOT_POINTS))
    rows = [(step, loss, text("train_curve_train", lang)) for step, loss in snap.train_curve[::stride]]
    for name, curve in snap.terms.items():
        rows += [(step, loss, text(f"train_curve_{name}", lang)) for step, loss in curve[::stride]]
    valid = text(VALID_CURVES.get(snap.kind, "train_curve_valid"), lang)
    rows += [(step, loss, valid) for step, loss in snap.valid_curve]
    return pd.DataFrame(rows, columns=["step", "loss", "curve"])


def build_train_tab(demo: gr.Blocks, hub: ModelHub) -> TrainingJobs:
    limits = Limits(settings.max_train_files(), settings.max_unpacked_bytes())
    jobs = TrainingJobs(hub, max_chars=settings.max_train_chars(), limits=limits)
    with gr.Row():
        with gr.Column(scale=2):
            kind = gr.Radio(
                [(I18N(f"train_kind_{k}"), k) for k in ("text", "sprites", *IMAGE_KINDS, "speech")],
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
            # Pictures or recordings. No file_types filter: MNIST's IDX files have no extension;
            # the job checks every file.
            files = gr.File(
                label=I18N("train_pictures"),
                file_count="multiple",
                type="filepath",
                visible=False,
                elem_id="train-files",
            )
            # Custom values allowed: the models to start from change as people train; the job checks.
            public = gr.Dropdown(
                public_choices("text"),
                value="",
                label=I18N("train_public"),
                allow_custom_value=True,  # the choices follow the kind; the handler checks
                elem_id="train-public",
            )
            start_from = gr.Dropdown(
                starting_choices(hub, "text"),
                value="",
                label=I18N("train_start_from"),
                allow_custom_value=True,
                elem_id="train-from",
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
            with gr.Accordion(I18N("train_settings"), open=False, elem_id="train-settings"):
                fields = {
                    name: gr.Number(
                        value=None,
                        label=I18N(f"train_setting_{name}"),
                        visible=name in KIND_SETTINGS["text"],
                        elem_id=f"train-{name.replace('_', '-')}",
                    )
                    for name in SETTINGS
                }
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
    my_jobs = gr.BrowserState([], storage_key="aigc-studio-training-jobs")  # names of this browser's jobs

    @shows_errors
    def start_training(
        model_name: str,
        training_text: str,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training a text model on ``training_text`` and return the job's status. One job runs
        at a time per server; the model is saved under ``model_name`` when the job finishes, is
        stopped, or its time budget (``budget`` minutes) runs out. ``start_from`` names a text model
        to fine-tune instead of starting afresh; ``settings`` may set batch_size, learning_rate,
        hidden and layers over the preset's."""
        spec = _spec(model_name, training_text, "text sent to the API", size, epoch_count, budget, start_from)
        spec.settings = _settings(settings)
        return job_status_of(jobs.start_text(spec))

    @shows_errors
    def start_image_training(
        model_name: str,
        files: list[str] | None,
        model: str = "vae",
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training a VAE or GAN (``model``) on uploaded pictures: a zip with one folder per
        class, picture files, or MNIST-style IDX files. ``start_from`` names a model of that kind to
        fine-tune; ``settings`` may set batch_size, learning_rate, latent_dim and (VAE) beta. Returns
        the job's status; the model is saved as ``start_training``'s is."""
        spec = _upload_spec(
            ImageJobSpec, model_name, files, size, epoch_count, budget, start_from, settings, model=str(model)
        )
        return job_status_of(jobs.start_images(spec))

    @shows_errors
    def start_speech_training(
        model_name: str,
        files: list[str] | None,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training the spoken-digit generator on uploaded recordings: a zip of WAV files (or
        WAV files) named like ``3_name_7.wav``, every digit at least twice. ``start_from`` names a
        speech model to fine-tune; ``settings`` may set batch_size, learning_rate, latent_dim and
        beta. Returns the job's status; the model is saved as ``start_training``'s is and then
        speaks in the Speech tab."""
        spec = _upload_spec(SpeechJobSpec, model_name, files, size, epoch_count, budget, start_from, settings)
        return job_status_of(jobs.start_speech(spec))

    @shows_errors
    def stop_training() -> dict[str, Any]:
        """Stop the running job after its current step; it saves what it has learned."""
        return job_status_of(jobs.stop())

    def training_status() -> dict[str, Any]:
        """How the current (or last) training job is going."""
        return job_status_of(jobs.snapshot())

    @shows_errors
    def start_sprite_training(
        model_name: str,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training a beta-VAE on the built-in procedural shapes (no data to send) and return
        the job's status; the model is saved under ``model_name`` as ``start_training``'s is.
        ``settings`` may set batch_size, learning_rate, latent_dim and beta over the preset's."""
        spec = _sprite_spec(model_name, size, epoch_count, budget)
        spec.settings = _settings(settings)
        return job_status_of(jobs.start_sprites(spec))

    gr.api(start_training, api_name="start_training")
    gr.api(start_sprite_training, api_name="start_sprite_training")
    gr.api(stop_training, api_name="stop_training")
    gr.api(training_status, api_name="training_status")

    def show(request: gr.Request, shown: int | None, mine: list[str] | None):
        """Everything the page shows about the job; the scrubber follows the newest sample unless
        the person moved it back. ``mine``: the names of the jobs this browser started."""
        return view(jobs.snapshot(), request, shown, mine)

    def view(snap: JobSnapshot, request: gr.Request, shown: int | None, mine: list[str] | None):
        """``show`` for a snapshot already taken."""
        lang = language_of(request)
        newest = max(len(snap.samples) - 1, 0)
        at = newest if shown is None else min(int(shown), newest)
        preview = snap.samples[at][1] if snap.samples else None
        label = text("train_scrubber_at", lang, step=snap.samples[at][0]) if snap.samples else None
        drawn = snap.kind in PICTURED
        return (
            status_markdown(snap, lang, mine or ()),
            loss_table(snap, lang),
            gr.Textbox(value=None if drawn else preview or "", visible=not drawn),
            _picture(preview if drawn else None, snap.kind),
            gr.Slider(maximum=max(newest, 1), value=at, label=label, interactive=not snap.running),
        )

    shown_outputs = [status, plot, sample, picture, scrubber]
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    def follow(request: gr.Request, mine: list[str] | None):
        """While a job runs, poll it and show its newest sample; the poll stops with the job, so
        the scrubber is then the person's to move."""
        snap = jobs.snapshot()  # a job in line keeps the poll going through the hand-over
        return *view(snap, request, None, mine), gr.Timer(active=snap.running or bool(snap.waiting))

    @shows_errors
    def click_start(
        request: gr.Request,
        what: str,
        model_name: str,
        pasted_text: str,
        uploaded: str | None,
        uploads: list[str] | None,
        dataset: str | None,
        size: str,
        epoch_count: float,
        budget: float,
        origin: str | None,
        mine: list[str] | None,
        *setting_values: float | None,
    ):
        chosen = {
            name: value for name, value in zip(SETTINGS, setting_values, strict=True) if value is not None
        }
        if dataset:  # a public dataset, fetched on first use, instead of the person's own data
            path = public_dataset(dataset, what)
            if what == "text":  # credited from the catalogue by its checksum
                pasted_text, uploaded = None, str(path)
            else:
                uploads = [str(path)]
        if what == "sprites":
            started = start_sprite_training(model_name, size, epoch_count, budget, chosen)
        elif what in IMAGE_KINDS:
            started = start_image_training(
                model_name, uploads, what, size, epoch_count, budget, origin or "", chosen
            )
        elif what == "speech":
            started = start_speech_training(
                model_name, uploads, size, epoch_count, budget, origin or "", chosen
            )
        else:
            if uploaded:  # an uploaded .txt file wins over pasted text
                path = Path(uploaded)
                body, source = decode_text(path.read_bytes(), path.name), path.name
            else:
                body, source = pasted_text or "", "pasted text"
            spec = _spec(model_name, body, source, size, epoch_count, budget, origin)
            spec.settings = chosen
            started = job_status_of(jobs.start_text(spec))
        # Kept in the browser, so a refresh still shows which jobs in line are this visitor's.
        mine = [*(n for n in mine or [] if n != started["name"]), started["name"]][-REMEMBERED_JOBS:]
        return *follow(request, mine), mine

    def click_stop(request: gr.Request, shown: int | None, mine: list[str] | None):
        jobs.stop()
        return show(request, shown, mine)

    def choose(what: str, model_name: str):
        """Text needs text to learn from, pictures pictures, the shapes nothing; a default name
        follows the kind, and the models to start from are those of the kind."""
        renamed = DEFAULT_NAMES[what] if model_name in DEFAULT_NAMES.values() else model_name
        return (
            gr.Textbox(visible=what == "text"),
            gr.File(visible=what == "text"),
            gr.File(
                label=I18N("train_recordings" if what == "speech" else "train_pictures"),
                visible=what in UPLOADED,
            ),
            gr.Dropdown(choices=public_choices(what), value="", visible=what in MODEL_KINDS),
            gr.Dropdown(choices=starting_choices(hub, what), value="", visible=what in MODEL_KINDS),
            renamed,
            *(gr.Number(value=None, visible=name in KIND_SETTINGS[what]) for name in SETTINGS),
        )

    settings_inputs = list(fields.values())
    kind.change(
        choose, [kind, name], [pasted, upload, files, public, start_from, name, *settings_inputs], **quiet
    )
    # On focus: a model trained meanwhile can be fine-tuned at once.
    start_from.focus(lambda what: gr.Dropdown(choices=starting_choices(hub, what)), kind, start_from, **quiet)
    following = [*shown_outputs, timer]
    start.click(
        click_start,
        [
            kind,
            name,
            pasted,
            upload,
            files,
            public,
            preset,
            epochs,
            minutes,
            start_from,
            my_jobs,
            *settings_inputs,
        ],
        [*following, my_jobs],
        **quiet,
    )
    # Endpoints only (no button of their own): gradio checks that the files were uploaded to it.
    status_json = gr.JSON(visible=False)
    settings_json = gr.JSON(value={}, visible=False)
    gr.on(
        [],
        start_image_training,
        [name, files, kind, preset, epochs, minutes, start_from, settings_json],
        status_json,
        api_name="start_image_training",
    )
    gr.on(
        [],
        start_speech_training,
        [name, files, preset, epochs, minutes, start_from, settings_json],
        status_json,
        api_name="start_speech_training",
    )
    stop.click(click_stop, [scrubber, my_jobs], shown_outputs, **quiet)
    gr.on([timer.tick, demo.load], follow, [my_jobs], following, **quiet)
    scrubber.release(show, [scrubber, my_jobs], shown_outputs, **quiet)
    return jobs


def _upload_spec(
    spec_class: type[UploadJobSpec],
    name: Any,
    files: list[str] | None,
    size: Any,
    epochs: Any,
    minutes: Any,
    start_from: Any,
    settings: Any,
    **more: Any,
) -> Any:
    """A job spec for uploaded files, from an endpoint's raw values."""
    return spec_class(
        str(name or "").strip(),
        list(files or []),
        str(size),
        epochs,
        minutes,
        start_from=str(start_from or ""),
        settings=_settings(settings),
        **more,
    )


def _settings(given: Any) -> dict:
    """The individual settings an API caller sent (a JSON object), or none."""
    if given in (None, "", {}):
        return {}
    if not isinstance(given, dict):
        raise ValueError('settings must be a JSON object such as {"batch_size": 32}')
    return dict(given)


def public_choices(what: str) -> list[tuple[str, str]]:
    """None, or the public datasets that suit the kind (downloaded the first time one is used)."""
    return [(I18N("train_public_none"), "")] + [(n, n) for n, d in DATASETS.items() if what in d.kinds]


def public_dataset(name: str, what: str) -> Path:
    """The local copy of a public dataset for the kind: a download on first use, checked."""
    if name not in DATASETS or what not in DATASETS[name].kinds:
        raise ValueError(f"{name!r} is not a public dataset for this kind of model")
    return dataset_path(name, settings.dataset_cache())


def starting_choices(hub: ModelHub, what: str) -> list[tuple[str, str]]:
    """A new model, or any model of the kind's model kind (shipped or trained here) to fine-tune."""
    afresh = [(I18N("train_afresh"), "")]
    if what not in MODEL_KINDS:
        return afresh
    return afresh + [(e.name, e.name) for e in hub.entries(MODEL_KINDS[what])]


def _spec(
    name: Any, body: str, source: str, size: Any, epochs: Any, minutes: Any, start_from: Any = ""
) -> TextJobSpec:
    return TextJobSpec(
        str(name or "").strip(), body, source, str(size), epochs, minutes, start_from=str(start_from or "")
    )


def _sprite_spec(name: Any, size: Any, epochs: Any, minutes: Any) -> SpriteJobSpec:
    return SpriteJobSpec(str(name or "").strip(), str(size), epochs, minutes)


def _picture(preview: Any, kind: str) -> gr.Image:
    """The preview picture: 16 drawn tiles, or (for a voice) ten wide spectrograms."""
    if kind == "speech":
        return gr.Image(value=preview, visible=True, label=I18N("train_spectrograms"), width=500, height=210)
    return gr.Image(
        value=preview, visible=preview is not None, label=I18N("train_picture"), width=240, height=240
    )


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
        "waiting": snap.waiting,  # names of the jobs in line behind the running one
        **({"position": snap.waiting.index(snap.name) + 1} if snap.state == "waiting" else {}),
    }
