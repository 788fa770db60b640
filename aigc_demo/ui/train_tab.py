"""The Train tab: pick what to train (one choice per recipe), give its data, a size and a time
budget, optionally a model to fine-tune; watch the model learn, use it at once. ``TrainHandlers``
holds every handler as a plain method over the job slot (a test calls them without a server);
``build_page`` lays out the components and wires them. Nothing here names a kind."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub, UnknownModelError
from aigc_demo.data.downloads import DATASETS, dataset_path
from aigc_demo.data.text import decode_text
from aigc_demo.jobs import JobSnapshot, TrainingJobs
from aigc_demo.recipes import JobRequest, app_recipes, recipe
from aigc_demo.recipes.base import MAX_EPOCHS, SETTINGS
from aigc_demo.settings import dataset_cache, max_job_minutes
from aigc_demo.ui.controls import picture_output
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N, LANGUAGES, language_of, translate, translated
from aigc_demo.ui.middleware import visitor_address
from aigc_demo.ui.train_view import (
    Viewer,
    chart_of,
    job_status_of,
    preview_picture,
    recipe_of,
    status_markdown,
)

POLL_SECONDS = 1.0
FIRST = app_recipes()[0]  # the choice the tab opens on
# The Start button's inputs, by name, in the order the page sends them.
FORM = ("kind", "name", "pasted", "upload", "files", "public", "preset", "epochs", "minutes", "start_from")
FORM += tuple(SETTINGS)  # then the individual settings, in the accordion's order


def settings_of(given: Any) -> dict:
    """The individual settings an API caller sent (a JSON object), or none."""
    if given in (None, "", {}):
        return {}
    if not isinstance(given, dict):
        raise ValueError('settings must be a JSON object such as {"batch_size": 32}')
    return dict(given)


def size_choices(presets: Any) -> list[tuple[Any, str]]:
    """A recipe's size presets as the page names them (in its language), by their CLI names."""
    return [(I18N(f"train_size_{name}"), name) for name in presets]


def public_choices(what: str) -> list[tuple[str, str]]:
    """None, or the public datasets that suit the kind (downloaded the first time one is used)."""
    return [(I18N("train_public_none"), "")] + [(n, n) for n in recipe(what).public_datasets]


def public_dataset(name: str, what: str) -> Path:
    """The local copy of a public dataset for the kind: a download on first use, checked."""
    if name not in DATASETS or name not in recipe(what).public_datasets:
        raise ValueError(f"{name!r} is not a public dataset for this kind of model")
    return dataset_path(name, dataset_cache())


def starting_choices(hub: ModelHub, what: str) -> list[tuple[str, str]]:
    """A new model, or any model of the kind's model kind (shipped or trained here) to fine-tune."""
    afresh = [(I18N("train_afresh"), "")]
    chosen = recipe(what)
    if not chosen.can_start_from:
        return afresh
    return afresh + [(e.name, e.name) for e in hub.entries(chosen.model_kind)]


def visitor(request: gr.Request | None) -> str:
    """Who a request comes from: its session, which owns the jobs it starts (Gradio gives a call
    that names none a session of its own; the address, read as the fair queue reads it behind a
    public host's proxy, is a last resort). "" for the server's own calls, which carry no request."""
    if request is None:
        return ""
    return request.session_hash or f"address {visitor_address(request) or 'unknown'}"


def in_browser(token: str | None) -> str:
    """Whose a page's jobs are: the secret token its browser keeps (so a reload keeps them its
    own; a name, which others can guess, never makes a job anyone's). "" before its first job."""
    return f"browser {token}" if token else ""


class TrainHandlers:
    """Every handler of the Train tab, over one job slot. The ``start_*`` methods, ``stop_training``
    and ``training_status`` are public API endpoints; the others serve the page."""

    def __init__(self, jobs: TrainingJobs, page_of_kind: Callable[[str], str | None] = lambda kind: None):
        self.jobs, self.hub, self.page_of_kind = jobs, jobs.hub, page_of_kind
        self._copies: dict[tuple, Path] = {}  # (name, file version) → its copy offered for download

    @shows_errors
    def start_job(
        self,
        request: gr.Request | None,
        kind: str,
        model_name: str,
        training_text: str | None = None,
        files: list[str] | None = None,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
        source: str = "text sent to the API",
        owner: str | None = None,
    ) -> dict[str, Any]:
        """Start training a model of ``kind`` (text, sprites, vae, gan, speech, ...) and return the
        job's status. It learns from ``training_text`` or uploaded ``files``, as the kind needs; one
        job runs at a time per server and up to three wait their turn. The model is saved under
        ``model_name`` when the job finishes, is stopped, or its time budget (``budget`` minutes)
        runs out. ``start_from`` names a model of the kind to fine-tune; ``settings`` may set the
        kind's settings (batch_size, learning_rate, latent_dim, beta, hidden, layers) over the
        preset's. (``source`` and ``owner`` are the page's: what the text is, and whose the job is when
        not the request's session.)"""
        owner = visitor(request) if owner is None else owner
        job = JobRequest(
            kind=str(kind),
            name=str(model_name or "").strip(),
            text=training_text or "",
            source=source,
            files=list(files or []),
            preset=str(size),
            epochs=epoch_count,
            minutes=budget,
            start_from=str(start_from or ""),
            settings=settings_of(settings),
            owner=owner,
            address=visitor_address(request),
        )
        return job_status_of(self.jobs.start(job), Viewer(owner))

    def start_training(
        self,
        request: gr.Request | None,
        model_name: str,
        training_text: str,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training a text model on ``training_text`` (``start_job`` with kind "text")."""
        return self.start_job(
            request, "text", model_name, training_text, None, size, epoch_count, budget, start_from, settings
        )

    def start_sprite_training(
        self,
        request: gr.Request | None,
        model_name: str,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training a beta-VAE on the built-in procedural shapes (no data to send)."""
        return self.start_job(
            request, "sprites", model_name, None, None, size, epoch_count, budget, "", settings
        )

    def start_image_training(
        self,
        request: gr.Request | None,
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
        class, picture files, or MNIST-style IDX files."""
        if model not in ("vae", "gan"):
            raise gr.Error(f"model must be one of vae, gan, got {model!r}")
        return self.start_job(
            request, model, model_name, None, files, size, epoch_count, budget, start_from, settings
        )

    def start_speech_training(
        self,
        request: gr.Request | None,
        model_name: str,
        files: list[str] | None,
        size: str = "tiny",
        epoch_count: float = 5,
        budget: float = 2,
        start_from: str = "",
        settings: dict | None = None,
    ) -> dict[str, Any]:
        """Start training the spoken-digit generator on uploaded recordings: a zip of WAV files (or
        WAV files) named like ``3_name_7.wav``, every digit at least twice."""
        return self.start_job(
            request, "speech", model_name, None, files, size, epoch_count, budget, start_from, settings
        )

    @shows_errors
    def stop_training(self, request: gr.Request | None) -> dict[str, Any]:
        """Stop the running job after its current step; it saves what it has learned. Only the
        visitor who started it may."""
        return job_status_of(self.jobs.stop(visitor(request)), Viewer(visitor(request)))

    def training_status(self, request: gr.Request | None) -> dict[str, Any]:
        """How the current (or last) training job is going; others' jobs without their names."""
        return job_status_of(self.jobs.snapshot(), Viewer(visitor(request)))

    # The page's own events (not in the API).
    def view(self, snap: JobSnapshot, lang: str, shown: int | None, viewer: Viewer) -> tuple:
        """Everything the page shows of a job snapshot; the scrubber follows the newest sample
        unless the person moved it back (``shown``). Samples of others' jobs are not shown."""
        samples = snap.samples if viewer.sees(snap.owner) else []
        newest = max(len(samples) - 1, 0)
        at = newest if shown is None else min(int(shown), newest)
        preview, label = None, translate("train_scrubber", lang)
        if samples:
            preview, label = samples[at][1], translate("train_scrubber_at", lang, step=samples[at][0])
        chosen = recipe_of(snap)
        drawn = chosen is not None and chosen.shows != "text"
        return (
            status_markdown(snap, lang, viewer, self.page_of_kind(chosen.model_kind) if chosen else None),
            chart_of(snap, lang),
            gr.Textbox(value=None if drawn else preview or "", visible=not drawn),
            preview_picture(preview if drawn else None, chosen),
            gr.Slider(maximum=max(newest, 1), value=at, label=label, interactive=not snap.running),
            self.take_home(snap, viewer),
        )

    def take_home(self, snap: JobSnapshot, viewer: Viewer) -> gr.DownloadButton:
        """The saved model of the viewer's own finished (or stopped) job as a download: the
        checkpoint with its card, copied once per version of the file."""
        if snap.state not in ("finished", "stopped") or not viewer.owns(snap.owner):
            return gr.DownloadButton(visible=False)
        try:
            entry = self.hub.entry(snap.name)
        except UnknownModelError:
            return gr.DownloadButton(visible=False)
        copied = self._copies.get((entry.name, entry.stamp))
        if copied is None or not copied.exists():
            copied = output_path(entry.path.name)
            shutil.copyfile(entry.path, copied)
            self._copies[(entry.name, entry.stamp)] = copied
        return gr.DownloadButton(value=str(copied), visible=True)

    def show(self, request: gr.Request, shown: int | None, token: str | None) -> tuple:
        """The job as it is now, the scrubber at ``shown``; ``token``: this browser's (see ``in_browser``)."""
        return self.view(self.jobs.snapshot(), language_of(request), shown, Viewer(in_browser(token)))

    def follow(self, request: gr.Request, token: str | None) -> tuple:
        """While a job runs or waits, poll it and show its newest sample; the poll stops with the
        job, so the scrubber is then the person's to move."""
        snap = self.jobs.snapshot()  # one snapshot both shown and deciding whether to poll on
        active = snap.running or bool(snap.waiting)
        viewer = Viewer(in_browser(token))
        return *self.view(snap, language_of(request), None, viewer), gr.Timer(active=active)

    @shows_errors
    def click_start(self, request: gr.Request, token: str | None, *values: Any) -> tuple:
        """Start button: the form's ``values`` (in the order of ``FORM``) become a job of this
        browser's, which gets its secret token the first time (kept by the browser)."""
        form = dict(zip(FORM, values, strict=True))
        what, files, body, source = form["kind"], form["files"], form["pasted"] or "", "pasted text"
        if form["public"]:  # a public dataset, fetched on first use, instead of the person's own data
            path = public_dataset(form["public"], what)
            files, form["upload"] = [str(path)], str(path)
        if recipe(what).gives == "text" and form["upload"]:  # an uploaded .txt file wins over pasted text
            path = Path(form["upload"])
            body, source = decode_text(path.read_bytes(), path.name), path.name
        chosen = {name: form[name] for name in SETTINGS if form[name] is not None}
        token = token or secrets.token_urlsafe(16)
        self.start_job(
            request,
            what,
            form["name"],
            body,
            files,
            form["preset"],
            form["epochs"],
            form["minutes"],
            form["start_from"] or "",
            chosen,
            source=source,
            owner=in_browser(token),
        )
        return *self.follow(request, token), token

    @shows_errors
    def click_stop(self, request: gr.Request, shown: int | None, token: str | None) -> tuple:
        self.jobs.stop(in_browser(token))  # refused, with the reason, unless the job is this browser's
        return self.show(request, shown, token)

    @shows_errors
    def choose(self, what: str, model_name: str) -> tuple:
        """Each choice shows the inputs its recipe needs; a default name follows the choice, and the
        models to start from are those of its kind."""
        chosen = recipe(what)
        defaults = {r.default_name for r in app_recipes()}
        files_label = f"train_files_{what}" if "files" in chosen.texts else "train_upload"
        return (
            gr.Textbox(visible=chosen.gives == "text"),
            gr.File(visible=chosen.gives == "text"),
            gr.File(label=I18N(files_label), visible=chosen.gives == "files"),
            gr.Dropdown(choices=public_choices(what), value="", visible=chosen.gives != "nothing"),
            gr.Dropdown(choices=starting_choices(self.hub, what), value="", visible=chosen.can_start_from),
            chosen.default_name if model_name in defaults else model_name,
            gr.Radio(choices=size_choices(chosen.presets), value=next(iter(chosen.presets))),
            *(gr.Number(value=None, visible=name in chosen.settings) for name in SETTINGS),
        )

    @shows_errors
    def refresh_starting(self, what: str) -> gr.Dropdown:
        """On focus: a model trained meanwhile can be fine-tuned at once."""
        return gr.Dropdown(choices=starting_choices(self.hub, what))


def build_page(site: Any) -> None:
    """Lay out the page (``site``: a ``pages.Site``) and wire its components to a ``TrainHandlers``
    over the app's job slot."""
    handlers = TrainHandlers(site.jobs, site.page_of_kind)
    form, shown = _layout(site.hub)
    timer = gr.Timer(POLL_SECONDS, active=False)
    token = gr.BrowserState("", storage_key="aigc-studio-visitor")  # whose this browser's jobs are
    _wire(site.demo, handlers, form, shown, timer, token)


def _layout(hub: ModelHub) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form (inputs and buttons, by name) and what shows the job (status, curves, samples)."""
    with gr.Row():
        with gr.Column(scale=2):
            form = _form(hub)
        with gr.Column(scale=3):
            shown = {
                "status": gr.Markdown(I18N("train_idle"), elem_id="train-status"),
                "plot": gr.HTML(
                    translated({lang: chart_of(None, lang) for lang in LANGUAGES}), elem_id="train-plot"
                ),
                "sample": gr.Textbox(
                    label=I18N("train_sample"), lines=6, interactive=False, elem_id="train-sample"
                ),
                "picture": picture_output(I18N("train_picture"), "train-picture", size=240, visible=False),
                "scrubber": gr.Slider(
                    0, 1, value=0, step=1, label=I18N("train_scrubber"), elem_id="train-scrubber", buttons=[]
                ),
                "take_home": gr.DownloadButton(
                    I18N("train_take_home"), visible=False, elem_id="train-take-home"
                ),
            }
    return form, shown


def _form(hub: ModelHub) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": gr.Radio(
            [(I18N(f"train_kind_{r.name}"), r.name) for r in app_recipes()],
            value=FIRST.name,
            label=I18N("train_kind"),
            elem_id="train-kind",
        ),
        "pasted": gr.Textbox(
            label=I18N("train_text"),
            placeholder=I18N("train_text_placeholder"),
            lines=8,
            elem_id="train-text",
        ),
        "upload": gr.File(
            label=I18N("train_upload"), file_types=[".txt", ".jsonl"], type="filepath", elem_id="train-upload"
        ),
        # Pictures or recordings. No file_types filter: MNIST's IDX files have no extension; the job
        # checks every file.
        "files": gr.File(file_count="multiple", type="filepath", visible=False, elem_id="train-files"),
        # Custom values allowed: the choices follow the kind, and the models to start from change as
        # people train; the handlers check.
        "public": gr.Dropdown(
            public_choices(FIRST.name),
            value="",
            label=I18N("train_public"),
            allow_custom_value=True,
            elem_id="train-public",
        ),
        "start_from": gr.Dropdown(
            starting_choices(hub, FIRST.name),
            value="",
            label=I18N("train_start_from"),
            allow_custom_value=True,
            elem_id="train-from",
        ),
        "name": gr.Textbox(
            label=I18N("train_name"), value=FIRST.default_name, max_length=64, elem_id="train-name"
        ),
        "preset": gr.Radio(
            size_choices(FIRST.presets), value="tiny", label=I18N("train_preset"), elem_id="train-preset"
        ),
    }
    with gr.Row():
        form["epochs"] = gr.Slider(
            1, MAX_EPOCHS, value=5, step=1, label=I18N("train_epochs"), elem_id="train-epochs"
        )
        form["minutes"] = gr.Slider(
            0.5,
            max_job_minutes(),
            value=2,
            step=0.5,
            label=I18N("train_minutes"),
            elem_id="train-minutes",
        )
    with gr.Accordion(I18N("train_settings"), open=False, elem_id="train-settings"):
        for name in SETTINGS:
            form[name] = gr.Number(
                value=None,
                label=I18N(f"train_setting_{name}"),
                visible=name in FIRST.settings,
                elem_id=f"train-{name.replace('_', '-')}",
            )
    with gr.Row():
        form["start"] = gr.Button(I18N("train_start"), variant="primary", elem_id="train-start")
        form["stop"] = gr.Button(I18N("train_stop"), variant="stop", elem_id="train-stop")
    return form


def _wire(
    demo: gr.Blocks,
    handlers: TrainHandlers,
    form: dict[str, Any],
    shown: dict[str, Any],
    timer: gr.Timer,
    token: gr.BrowserState,
) -> None:
    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    shown_outputs = list(shown.values())
    following = [*shown_outputs, timer]
    chosen_outputs = [
        form[n] for n in ("pasted", "upload", "files", "public", "start_from", "name", "preset")
    ]
    form["kind"].change(
        handlers.choose,
        [form["kind"], form["name"]],
        [*chosen_outputs, *(form[n] for n in SETTINGS)],
        **quiet,
    )
    form["start_from"].focus(handlers.refresh_starting, form["kind"], form["start_from"], **quiet)
    form["start"].click(handlers.click_start, [token, *(form[n] for n in FORM)], [*following, token], **quiet)
    form["stop"].click(handlers.click_stop, [shown["scrubber"], token], shown_outputs, **quiet)
    gr.on([timer.tick, demo.load], handlers.follow, [token], following, **quiet)
    shown["scrubber"].release(handlers.show, [shown["scrubber"], token], shown_outputs, **quiet)
    for endpoint in (handlers.start_training, handlers.start_sprite_training, handlers.stop_training):
        gr.api(endpoint, api_name=endpoint.__name__)
    gr.api(handlers.training_status, api_name="training_status")
    # Endpoints that take files have inputs of their own, so gradio checks the files were uploaded to it.
    status_json = gr.JSON(visible=False)
    api_kind = gr.Textbox(visible=False)  # the kind an API call names (its recipe checks it)
    name, files = form["name"], form["files"]
    how = [form[n] for n in ("preset", "epochs", "minutes", "start_from")] + [
        gr.JSON(value={}, visible=False)
    ]
    for endpoint, inputs in (
        (handlers.start_image_training, [name, files, api_kind, *how]),
        (handlers.start_speech_training, [name, files, *how]),
        (handlers.start_job, [api_kind, name, form["pasted"], files, *how]),
    ):
        gr.on([], endpoint, inputs, status_json, api_name=endpoint.__name__)
