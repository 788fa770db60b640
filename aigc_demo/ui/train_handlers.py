"""What the Train page computes, over the job slot: jobs started from the page's form (``TrainForm``)
or from the public API endpoints (``start_job`` and its older forms, ``stop_training``,
``training_status``), which keep their arguments in the order callers send them; and the model a
visitor takes home. A test calls them without a server. Nothing here names a kind."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub, UnknownModelError
from aigc_demo.backend.ownership import shown_name
from aigc_demo.data.downloads import DATASETS, dataset_path
from aigc_demo.data.text import decode_text
from aigc_demo.jobs import JobSnapshot, TrainingJobs
from aigc_demo.recipes import JobRequest, recipe
from aigc_demo.settings import dataset_cache
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N
from aigc_demo.ui.middleware import visitor_address
from aigc_demo.ui.train_view import Viewer, job_status_of
from aigc_demo.ui.visitor import model_choices, model_names, visitor


@dataclass(frozen=True)
class TrainForm:
    """What the page's Start button sends: what to train, its name, its data (pasted text, an uploaded
    text file, pictures or recordings, or a public dataset's name), the size, epochs and minutes,
    the model to start from and the settings a person changed over the size's (by name)."""

    kind: str
    name: str
    pasted: str | None = None
    upload: str | None = None
    files: list | None = None
    public: str | None = None
    preset: str = "tiny"
    epochs: float = 5
    minutes: float = 2
    start_from: str | None = None
    settings: dict[str, Any] | None = None


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


def starting_choices(hub: ModelHub, what: str, token: str | None = None) -> list[tuple[str, str]]:
    """A new model, or a model of the kind's model kind to fine-tune: the app's, or one of the
    browser's own."""
    afresh = [(I18N("train_afresh"), "")]
    chosen = recipe(what)
    if not chosen.can_start_from:
        return afresh
    return afresh + model_choices(model_names(hub, token, chosen.model_kind))


class TrainHandlers:
    """What the Train page computes, over one job slot. The ``start_*`` methods, ``stop_training``
    and ``training_status`` are public API endpoints."""

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
        job runs at a time per server and up to four wait their turn. The model is saved under
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

    @shows_errors
    def start_form(self, request: gr.Request | None, form: TrainForm, owner: str) -> dict[str, Any]:
        """Start the job the page's form describes, as ``owner``'s."""
        files, upload, body, source = form.files, form.upload, form.pasted or "", "pasted text"
        if form.public:  # a public dataset, fetched on first use, instead of the person's own data
            path = public_dataset(form.public, form.kind)
            files, upload = [str(path)], str(path)
        if recipe(form.kind).gives == "text" and upload:  # an uploaded .txt file wins over pasted text
            path = Path(upload)
            body, source = decode_text(path.read_bytes(), path.name), path.name
        chosen = {name: value for name, value in (form.settings or {}).items() if value is not None}
        return self.start_job(
            request,
            form.kind,
            form.name,
            body,
            files,
            form.preset,
            form.epochs,
            form.minutes,
            form.start_from or "",
            chosen,
            source=source,
            owner=owner,
        )

    def take_home(self, snap: JobSnapshot, viewer: Viewer) -> str | None:
        """The saved model of the viewer's own finished (or stopped) job as a file to download: the
        checkpoint with its card, copied once per version of the file (None: nothing to take)."""
        if snap.state not in ("finished", "stopped") or not viewer.owns(snap.owner):
            return None
        try:
            entry = self.hub.entry(snap.name)
        except UnknownModelError:
            return None
        copied = self._copies.get((entry.name, entry.stamp))
        if copied is None or not copied.exists():
            copied = output_path(f"{shown_name(entry.name)}{entry.path.suffix}")  # the name they chose
            shutil.copyfile(entry.path, copied)
            self._copies[(entry.name, entry.stamp)] = copied
        return str(copied)
