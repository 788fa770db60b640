"""Training jobs the app runs for its visitors: one at a time per server, in a background thread.

A job trains a model from a person's data, reports its progress through ``snapshot()`` (loss
curves, samples from a fixed prompt taken as it learns, step and time), stops within one step
when asked or when its time budget runs out, and saves the best model under the name given,
into the hub's user folder, where every tab finds it at once. Nothing is written until the
end, and then atomically: a stopped, failed or crashed job never leaves a half-written file.
"""

from __future__ import annotations

import atexit
import copy
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
from aigc_demo.backend.hub import ModelHub, check_model_name
from aigc_demo.data.archive import Limits
from aigc_demo.data.images import load_training_images
from aigc_demo.data.mnist import ImageSet
from aigc_demo.data.spoken_digits import SpokenDigits
from aigc_demo.data.text import corpus_of, split_text
from aigc_demo.pipelines.text import check_whole
from aigc_demo.training.common import Monitor, as_trained, drawn_shape, evaluating
from aigc_demo.training.gan import ImageGANTrainingConfig
from aigc_demo.training.image import ImageVAETrainingConfig
from aigc_demo.training.placement import Placement
from aigc_demo.training.speech import SpeechTrainingConfig
from aigc_demo.training.text import TextTrainingConfig, train_char_rnn

log = logging.getLogger(__name__)

# Sizes of the text model; "tiny" learns words from a page of text within a minute or two on a CPU.
TEXT_PRESETS: dict[str, dict] = {
    "tiny": {"hidden": 128, "layers": 1, "embed_dim": 32, "seq_len": 64, "batch_size": 16},
    "small": {"hidden": 256, "layers": 2, "embed_dim": 48, "seq_len": 96, "batch_size": 32},
    "base": {"hidden": 384, "layers": 2, "embed_dim": 64, "seq_len": 128, "batch_size": 64},
}
# Sizes of the sprites beta-VAE (and how many sprites it learns from); "tiny" shows recognisable
# shapes in about a minute on a CPU.
SPRITE_PRESETS: dict[str, dict] = {
    "tiny": {"count": 6000, "latent_dim": 6, "channels": 16, "hidden": 128},
    "small": {"count": 20_000, "latent_dim": 8, "channels": 32, "hidden": 256},
    "base": {"count": 50_000, "latent_dim": 10, "channels": 32, "hidden": 256},
}
SPRITE_BETA = 4.0
# Sizes of the models a person trains on their own pictures (a VAE or a GAN).
VAE_PRESETS: dict[str, dict] = {
    "tiny": {"latent_dim": 8, "channels": 16, "hidden": 128},
    "small": {"latent_dim": 16, "channels": 32, "hidden": 256},
    "base": {"latent_dim": 16, "channels": 48, "hidden": 512},
}
GAN_PRESETS: dict[str, dict] = {
    "tiny": {"latent_dim": 32, "channels": 16},
    "small": {"latent_dim": 32, "channels": 32},
    "base": {"latent_dim": 64, "channels": 48},
}
IMAGE_PRESETS = {"vae": VAE_PRESETS, "gan": GAN_PRESETS}
# Sizes of the spoken-digit generator; "base" is the shipped fsdd-speech's.
SPEECH_PRESETS: dict[str, dict] = {
    "tiny": {"latent_dim": 8, "channels": 8},
    "small": {"latent_dim": 16, "channels": 12},
    "base": {"latent_dim": 16, "channels": 16},
}
MIN_RECORDINGS = 2  # of each digit: one to learn from, one held out
IMAGE_KINDS = {"vae": "image-vae", "gan": "image-gan"}  # job kind → model kind
# Fine-tuning starts from weights that already work: a gentler step than training from scratch.
FINE_TUNE_RATE = {"vae": 5e-4, "gan": 1e-4, "text": 1e-3, "speech": 5e-4}
DEFAULT_LIMITS = Limits(max_files=70_000, max_bytes=200_000_000)  # on a person's uploads
HELD_OUT = 0.1  # share of a person's pictures kept aside to measure the model on
# Settings a person may give over a preset's: (type, lowest, highest).
SETTINGS: dict[str, tuple[type, float, float]] = {
    "batch_size": (int, 1, 1024),
    "learning_rate": (float, 1e-6, 1.0),
    "latent_dim": (int, 2, 64),
    "beta": (float, 0.0, 100.0),
    "hidden": (int, 16, 1024),
    "layers": (int, 1, 4),
}
KIND_SETTINGS = {
    "text": ("batch_size", "learning_rate", "hidden", "layers"),
    "sprites": ("batch_size", "learning_rate", "latent_dim", "beta"),
    "vae": ("batch_size", "learning_rate", "latent_dim", "beta"),
    "gan": ("batch_size", "learning_rate", "latent_dim"),
    "speech": ("batch_size", "learning_rate", "latent_dim", "beta"),
}
ARCHITECTURE = ("latent_dim", "hidden", "layers")  # fixed when fine-tuning
SPRITE_TEST_COUNT = 1000
PREVIEW_TILES = 16
MAX_EPOCHS = 100
MAX_MINUTES = 60.0
SNAPSHOTS = 12  # sample previews per run
PREVIEW_LENGTH = 160
MAX_WAITING = 3  # jobs in line behind the running one


class JobBusyError(ValueError):
    """Another training job is running on this server."""


@dataclass
class TextJobSpec:
    name: str
    text: str
    source: str  # what the text is, for the model card ("pasted text", a file name)
    preset: str = "tiny"
    epochs: int = 5
    minutes: float = 2.0  # time budget; the job stops and saves when it runs out
    seed: int = 0
    start_from: str = ""  # a text model's name: fine-tune it on this text instead of starting afresh
    settings: dict = field(default_factory=dict)  # individual settings over the preset's (SETTINGS)


@dataclass
class SpriteJobSpec:
    """Train a beta-VAE on the built-in procedural sprites (no data to give, no download)."""

    name: str
    preset: str = "tiny"
    epochs: int = 5
    minutes: float = 2.0
    seed: int = 0
    settings: dict = field(default_factory=dict)


@dataclass
class UploadJobSpec:
    """A job that learns from files a person uploaded, from scratch or from a model in the hub."""

    name: str
    files: list[str]
    preset: str = "tiny"
    epochs: int = 5
    minutes: float = 2.0
    seed: int = 0
    start_from: str = ""  # a model's name in the hub to fine-tune
    settings: dict = field(default_factory=dict)


@dataclass
class ImageJobSpec(UploadJobSpec):
    """Train an image VAE or GAN (``model``) on a person's pictures (a zip or folder of pictures,
    picture files, or MNIST-style IDX files), or fine-tune one of the hub's."""

    model: str = "vae"


@dataclass
class SpeechJobSpec(UploadJobSpec):
    """Train the spoken-digit generator on a person's recordings (a zip or folder of WAV files
    named like ``3_name_7.wav``, or WAV files), or fine-tune one."""


@dataclass
class ImagePlan:
    """What a checked image job will do."""

    config: ImageVAETrainingConfig | ImageGANTrainingConfig
    train: ImageSet
    test: ImageSet
    start: torch.nn.Module | None


@dataclass
class SpeechPlan:
    config: SpeechTrainingConfig
    train: SpokenDigits
    test: SpokenDigits
    start: torch.nn.Module | None


@dataclass
class JobSnapshot:
    """What a job has done so far; a copy, safe to read while the job goes on."""

    state: str = "idle"  # idle | waiting | running | stopping | finished | stopped | failed
    name: str = ""
    kind: str = ""
    step: int = 0
    total: int = 0
    elapsed: float = 0.0
    train_curve: list[tuple[int, float]] = field(default_factory=list)
    valid_curve: list[tuple[int, float]] = field(default_factory=list)
    # Per-step terms of the training loss besides the total (e.g. a VAE's reconstruction and KL).
    terms: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    # (step, preview): text from the fixed prompt, or a picture (uint8 array) of fixed codes.
    samples: list[tuple[int, Any]] = field(default_factory=list)
    prompt: str = ""
    message: str = ""
    waiting: list[str] = field(default_factory=list)  # names of the jobs in line, first first

    @property
    def running(self) -> bool:
        return self.state in ("running", "stopping")

    @property
    def eta(self) -> float | None:
        """Seconds left at the current pace, or None before the first step."""
        if not self.running or not self.step:
            return None
        return self.elapsed / self.step * (self.total - self.step)


JobSpec = TextJobSpec | SpriteJobSpec | UploadJobSpec


def _check_common(spec: JobSpec, hub: ModelHub, presets: dict) -> int:
    """The checks every kind shares (name, preset, epochs, time budget); returns the epochs."""
    check_model_name(spec.name)
    if any(entry.name == spec.name for entry in hub.entries()):
        raise ValueError(f"a model named {spec.name!r} already exists; choose another name")
    if spec.preset not in presets:
        raise ValueError(f"preset must be one of {', '.join(presets)}, got {spec.preset!r}")
    epochs = check_whole(spec.epochs, "epochs", 1, MAX_EPOCHS)
    try:
        minutes = float(spec.minutes)
    except (TypeError, ValueError):
        raise ValueError(f"the time budget must be a number of minutes, got {spec.minutes!r}") from None
    if not 0.05 <= minutes <= MAX_MINUTES:
        raise ValueError(f"the time budget must be between 0.05 and {MAX_MINUTES:g} minutes")
    return epochs


def apply_settings(config: Any, kind: str, settings: dict, starting: bool, examples: int | None) -> Any:
    """``config`` with a person's individual settings over the preset's, each checked: a known
    setting of this kind, in range, no architecture change when fine-tuning, and a batch no
    larger than the ``examples`` there are to learn from (when counted)."""
    if not isinstance(settings, dict):
        raise ValueError("settings must be a mapping of setting names to numbers")
    if examples is not None:  # a preset's batch shrinks to fit a small data set
        config.batch_size = min(config.batch_size, examples)
    for name, raw in settings.items():
        if raw is None or raw == "":
            continue  # left to the preset
        if name not in KIND_SETTINGS[kind]:
            raise ValueError(
                f"{name!r} is not a setting of this kind; it takes {', '.join(KIND_SETTINGS[kind])}"
            )
        if starting and name in ARCHITECTURE:
            raise ValueError(f"fine-tuning keeps the starting model's architecture: leave {name} to it")
        kind_of, low, high = SETTINGS[name]
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {raw!r}") from None
        if not low <= value <= high or (kind_of is int and value != int(value)):
            shown = "a whole number" if kind_of is int else "a number"
            raise ValueError(f"{name} must be {shown} from {low:g} to {high:g}, got {raw!r}")
        if name == "batch_size" and examples is not None and value > examples:
            raise ValueError(
                f"the batch size ({value:g}) is larger than the {examples:,} examples to learn from"
            )
        setattr(config, name, kind_of(value))
    if hasattr(config, "num_directions") and hasattr(config, "latent_dim"):
        config.num_directions = min(config.num_directions, config.latent_dim)
    return config


def check_sprite_spec(spec: SpriteJobSpec, hub: ModelHub) -> ImageVAETrainingConfig:
    epochs = _check_common(spec, hub, SPRITE_PRESETS)
    sizes = {k: v for k, v in SPRITE_PRESETS[spec.preset].items() if k != "count"}
    config = ImageVAETrainingConfig(
        epochs=epochs,
        batch_size=64,
        beta=SPRITE_BETA,
        num_directions=min(8, sizes["latent_dim"]),
        seed=spec.seed,
        **sizes,
    )
    return apply_settings(config, "sprites", spec.settings, False, SPRITE_PRESETS[spec.preset]["count"])


def starting_model(hub: ModelHub, name: str, kind: str) -> torch.nn.Module | None:
    """The hub's model named ``name`` (of model kind ``kind``) to fine-tune, or None for no name."""
    name = str(name or "").strip()
    if not name:
        return None
    entry = next((e for e in hub.entries() if e.name == name), None)
    if entry is None:
        raise ValueError(f"there is no model named {name!r} to start from")
    if entry.card.kind != kind:
        raise ValueError(f"{name!r} is a {entry.card.kind} model; this kind of training starts from a {kind}")
    return hub.load(name).module


def check_image_spec(spec: ImageJobSpec, hub: ModelHub, limits: Limits) -> ImagePlan:
    """Refuse a bad request (settings, starting model, pictures) before any work starts; the
    pictures are read here, at the starting model's size when there is one."""
    if spec.model not in IMAGE_PRESETS:
        raise ValueError(f"model must be one of {', '.join(IMAGE_PRESETS)}, got {spec.model!r}")
    epochs = _check_common(spec, hub, IMAGE_PRESETS[spec.model])
    start = starting_model(hub, spec.start_from, IMAGE_KINDS[spec.model])
    data = load_training_images(spec.files, limits, **drawn_shape(start))
    train, test = data.held_out(HELD_OUT, spec.seed)
    conditional = len(data.class_names) > 1
    if start is not None and start.classes and int(data.labels.max()) >= start.classes:
        raise ValueError(
            f"{spec.start_from!r} draws {start.classes} classes; the pictures are in "
            f"{int(data.labels.max()) + 1} folders"
        )
    sizes = IMAGE_PRESETS[spec.model][spec.preset]
    common = {
        "epochs": epochs,
        "batch_size": 64,
        "seed": spec.seed,
        "num_directions": min(8, sizes["latent_dim"]),
    }
    if start is not None:
        common["learning_rate"] = FINE_TUNE_RATE[spec.model]
    if spec.model == "vae":
        config: ImageVAETrainingConfig | ImageGANTrainingConfig = ImageVAETrainingConfig(**common, **sizes)
    else:
        config = ImageGANTrainingConfig(**common, **sizes, conditional=conditional)
    apply_settings(config, spec.model, spec.settings, start is not None, len(train))
    return ImagePlan(config, train, test, start)


def load_recordings(files: list[str], limits: Limits) -> SpokenDigits:
    """Recordings from what a person gave: one zip or folder of WAV files, or WAV files."""
    from aigc_demo.data.archive import read_files
    from aigc_demo.data.spoken_digits import load_spoken_digits, recordings_to_set

    paths = [Path(f) for f in files]
    if not paths:
        raise ValueError("give recordings to learn from: a zip of WAV files named like 3_name_7.wav")
    if len(paths) == 1 and paths[0].suffix.lower() != ".wav":
        return load_spoken_digits(paths[0], limits=limits)
    strangers = [p.name for p in paths if p.suffix.lower() != ".wav"]
    if strangers:
        raise ValueError(f"{strangers[0]} is not a WAV file: give one zip of recordings or WAV files")
    return recordings_to_set(read_files(paths, limits, "recordings"))


def check_speech_spec(spec: SpeechJobSpec, hub: ModelHub, limits: Limits) -> SpeechPlan:
    """Refuse a bad request (settings, starting model, recordings) before any work starts."""
    epochs = _check_common(spec, hub, SPEECH_PRESETS)
    start = starting_model(hub, spec.start_from, "speech-cvae")
    data = load_recordings(spec.files, limits)
    counts = torch.bincount(data.digits, minlength=10).tolist()
    short = [digit for digit, count in enumerate(counts) if count < MIN_RECORDINGS]
    if short:
        raise ValueError(
            f"every digit 0-9 needs at least {MIN_RECORDINGS} recordings; too few of {short} "
            f"(found {', '.join(f'{d}: {c}' for d, c in enumerate(counts))})"
        )
    sizes = SPEECH_PRESETS[spec.preset]
    config = SpeechTrainingConfig(
        epochs=epochs, seed=spec.seed, num_directions=min(8, sizes["latent_dim"]), **sizes
    )
    if start is not None:
        config.learning_rate = FINE_TUNE_RATE["speech"]
    train, test = data.held_out_evenly()
    apply_settings(config, "speech", spec.settings, start is not None, len(train))
    return SpeechPlan(config, train, test, start)


def check_spec(
    spec: TextJobSpec, hub: ModelHub, max_chars: int
) -> tuple[TextTrainingConfig, torch.nn.Module | None]:
    """Refuse a bad request before any work starts; return the training config it asks for and
    the model to fine-tune, if any."""
    epochs = _check_common(spec, hub, TEXT_PRESETS)
    if not isinstance(spec.text, str) or not spec.text.strip():
        raise ValueError("give some text to learn from: paste it or upload a .txt file")
    if len(spec.text) > max_chars:
        raise ValueError(
            f"the text has {len(spec.text):,} characters; this server accepts up to {max_chars:,}"
        )
    config = TextTrainingConfig(epochs=epochs, seed=spec.seed, dropout=0.1, **TEXT_PRESETS[spec.preset])
    start = starting_model(hub, spec.start_from, "char-rnn")
    if start is not None:
        config.learning_rate = FINE_TUNE_RATE["text"]
    apply_settings(config, "text", spec.settings, start is not None, None)  # the length check follows
    needed = 10 * config.batch_size * (config.seq_len + 1)  # 90% must fill one batch of streams
    if len(spec.text) < needed:
        raise ValueError(
            f"the text is too short for the {spec.preset} preset: give at least {needed:,} characters "
            f"(it has {len(spec.text):,})"
        )
    if start is not None:
        missing = start.vocabulary.unknown_chars(spec.text)
        if missing and not start.vocabulary.unknown:
            raise ValueError(
                f"the text has characters {spec.start_from!r} does not know ({''.join(missing[:30])}); "
                "start afresh instead"
            )
    return config, start


def preview_prompt(text: str) -> str:
    """A text job's previews continue the first character of its text (a new line if blank)."""
    return text.lstrip()[:1] or "\n"


@torch.no_grad()
def picture_preview(model: torch.nn.Module) -> Any:
    """Pictures of the same codes (and classes, in turn) every time, so they show the model improving."""
    from aigc_demo.backend.seeding import seeded_randn
    from aigc_demo.pipelines.image import grid

    device = model.directions.device  # a model training on a GPU is previewed there
    codes = seeded_randn((PREVIEW_TILES, model.latent_dim), 0, device=device)
    labels = torch.arange(PREVIEW_TILES, device=device) % model.classes if model.classes else None
    with evaluating(model):
        return grid(model.decode(codes, labels).float().cpu(), scale=3, columns=4)


def _trained_in_app(source: str, preset: str, start_from: str) -> str:
    if start_from:
        return f"{start_from} fine-tuned in the app on {source}."
    return f"Trained in the app on {source} ({preset} preset)."


def _credit(files: list[str]) -> DatasetInfo:
    """MNIST's catalogue entry (licence, credit) when the files are MNIST's own, else their names."""
    from aigc_demo.data import catalog
    from aigc_demo.data.mnist import is_official_mnist

    if len(files) == 1 and Path(files[0]).is_dir() and is_official_mnist(files[0]):
        return catalog.MNIST
    return DatasetInfo(name=_files_named(files))


def _files_named(files: list[str]) -> str:
    """The uploaded files a model learned from, for its card (the first three names)."""
    return ", ".join(Path(f).name for f in files[:3]) + (" ..." if len(files) > 3 else "")


def _origin(spec: TextJobSpec | UploadJobSpec) -> dict[str, str]:
    """How a job's model began, for its card: a preset, or the model it was fine-tuned from."""
    return {"started_from": spec.start_from} if spec.start_from else {"preset": spec.preset}


class _JobMonitor(Monitor):
    """Feeds a running job's snapshot, takes the sample previews, and carries the job's stop
    request and time budget into the training loop."""

    def __init__(self, job: TrainingJobs, deadline: float, preview: Callable[[torch.nn.Module], Any]):
        self.job, self.deadline, self.preview = job, deadline, preview
        self.model: torch.nn.Module | None = None
        self.every = 1

    def started(self, model: torch.nn.Module, total: int) -> None:
        self.model, self.every = model, max(1, total // SNAPSHOTS)
        self.take_sample(0)

    def take_sample(self, step: int) -> None:
        if self.model is not None:
            shown = self.preview(self.model)
            with self.job._lock:
                self.job._snapshot.samples.append((step, shown))

    def step(self, step: int, total: int, losses: dict[str, float]) -> None:
        with self.job._lock:
            snap = self.job._snapshot
            snap.step, snap.total = step, total
            snap.elapsed = time.monotonic() - self.job._started
            for name, value in losses.items():  # a GAN has two losses and no single "train" one
                curve = snap.train_curve if name == "train" else snap.terms.setdefault(name, [])
                curve.append((step, round(value, 4)))
        if step % self.every == 0:
            self.take_sample(step)

    def evaluated(self, step: int, metrics: dict[str, float], model: torch.nn.Module) -> None:
        with self.job._lock:
            self.job._snapshot.valid_curve.append((step, metrics["valid_loss"]))

    def stop_requested(self) -> bool:
        if time.monotonic() >= self.deadline and not self.job._stop.is_set():
            with self.job._lock:
                self.job._snapshot.message = "time budget reached"
            self.job._stop.set()
        return self.job._stop.is_set()


class TrainingJobs:
    """The server's training slot: at most one job runs; anyone can read how it is going."""

    def __init__(
        self,
        hub: ModelHub,
        max_chars: int = 2_000_000,
        limits: Limits = DEFAULT_LIMITS,
    ):
        self.hub, self.max_chars, self.limits = hub, max_chars, limits
        self.placement = Placement.choose(hub.device.type)  # train where the app's models run
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._snapshot = JobSnapshot()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._waiting: deque[tuple[JobSpec, str, Any, Callable[[Any, Any], None]]] = deque()
        self._closing = False
        # On interpreter exit (Ctrl-C on the server), stop a running job so it saves what it has
        # learned, instead of dying inside torch in a daemon thread.
        atexit.register(self._stop_and_wait)

    def _stop_and_wait(self) -> None:
        with self._lock:
            self._closing = True  # no job in line starts after this
            self._waiting.clear()
        self.stop()
        self.wait(30)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return self._copy()

    def start_text(self, spec: TextJobSpec) -> JobSnapshot:
        return self._start(spec, "text", lambda: check_spec(spec, self.hub, self.max_chars), self._run_text)

    def start_sprites(self, spec: SpriteJobSpec) -> JobSnapshot:
        return self._start(spec, "sprites", lambda: check_sprite_spec(spec, self.hub), self._run_sprites)

    def start_images(self, spec: ImageJobSpec) -> JobSnapshot:
        """Train (or fine-tune) a VAE or GAN on a person's pictures; they are read and checked
        before this returns."""
        return self._start(
            spec, spec.model, lambda: check_image_spec(spec, self.hub, self.limits), self._run_images
        )

    def start_speech(self, spec: SpeechJobSpec) -> JobSnapshot:
        """Train (or fine-tune) the spoken-digit generator on a person's recordings."""
        return self._start(
            spec, "speech", lambda: check_speech_spec(spec, self.hub, self.limits), self._run_speech
        )

    def _start(
        self,
        spec: JobSpec,
        kind: str,
        check: Callable[[], Any],
        run: Callable[[Any, Any], None],
    ) -> JobSnapshot:
        """Check the request, then train in a background thread with ``run(spec, config)``: at
        once, or after the jobs already waiting when one is running."""
        with self._lock:
            if self._snapshot.running or self._waiting:
                taken = {self._snapshot.name, *self._waiting_names()}
                if spec.name in taken:
                    raise ValueError(
                        f"a job for {spec.name!r} is already running or waiting; choose another name"
                    )
                if len(self._waiting) >= MAX_WAITING:
                    current = self._snapshot
                    raise JobBusyError(
                        f"a training job ({current.name!r}, step {current.step} of {current.total}) is "
                        f"running and {len(self._waiting)} are waiting; one job runs at a time on this "
                        "server, so try again when one ends"
                    )
            config = check()
            if self._snapshot.running or self._waiting:
                self._waiting.append((spec, kind, config, run))
                queued = JobSnapshot(state="waiting", name=spec.name, kind=kind)
                queued.waiting = self._waiting_names()
                return queued
            self._launch(spec, kind, config, run)
            return self._copy()

    def _launch(self, spec: JobSpec, kind: str, config: Any, run: Callable[[Any, Any], None]) -> None:
        """Start a checked job in its thread; the caller holds the lock."""
        prompt = preview_prompt(spec.text) if kind == "text" else ""
        self._stop.clear()
        self._started = time.monotonic()
        self._snapshot = JobSnapshot(state="running", name=spec.name, kind=kind, prompt=prompt)
        self._thread = threading.Thread(
            target=self._work, args=(spec, config, run), name=f"train-{spec.name}", daemon=True
        )
        self._thread.start()

    def _work(self, spec: JobSpec, config: Any, run: Callable[[Any, Any], None]) -> None:
        """A job's thread: train, then start the next job in line, if any."""
        try:
            run(spec, config)
        finally:
            with self._lock:
                if self._waiting and not self._closing:
                    self._launch(*self._waiting.popleft())

    def _copy(self) -> JobSnapshot:
        """The snapshot with the line of waiting jobs; the caller holds the lock."""
        snap = copy.deepcopy(self._snapshot)
        snap.waiting = self._waiting_names()
        return snap

    def _waiting_names(self) -> list[str]:
        """Names of the jobs in line, first first; the caller holds the lock."""
        return [spec.name for spec, *_ in self._waiting]

    def stop(self) -> JobSnapshot:
        """Ask the running job to stop after its current step; it then saves what it learned
        (and the next job in line starts)."""
        with self._lock:
            if self._snapshot.running:
                self._stop.set()
                self._snapshot.state = "stopping"
            return self._copy()

    def wait(self, timeout: float | None = None) -> JobSnapshot:
        """Wait until no job runs or waits (or ``timeout`` seconds pass)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            thread = self._thread
            if thread is not None:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            with self._lock:
                done = self._thread is thread and not self._waiting
            if done or (deadline is not None and time.monotonic() >= deadline):
                return self.snapshot()

    def _monitor(self, spec: JobSpec, preview: Callable[[torch.nn.Module], Any]) -> _JobMonitor:
        """The running job's monitor: its time budget counts from its start."""
        return _JobMonitor(self, self._started + float(spec.minutes) * 60, preview)

    def _run_text(self, spec: TextJobSpec, plan: tuple[TextTrainingConfig, torch.nn.Module | None]) -> None:
        from aigc_demo.pipelines.text import Sampling, generate_text

        prompt = preview_prompt(spec.text)

        def preview(model: torch.nn.Module) -> str:
            """The same prompt and seed every time, so the samples show the model improving."""
            with evaluating(model):
                return prompt + generate_text(model, prompt, Sampling(0.8), PREVIEW_LENGTH, seed=0)[0]

        monitor = self._monitor(spec, preview)

        config, start = plan

        def train() -> tuple[torch.nn.Module, ModelCard, str]:
            train_text, valid = split_text(spec.text)
            model, metrics = train_char_rnn(
                train_text,
                valid,
                config,
                log=log.info,
                monitor=monitor,
                start_from=start,
                placement=self.placement,
            )
            card = ModelCard(
                kind="char-rnn",
                config=dict(model.config),
                dataset=corpus_of(spec.text, spec.source),
                seed=spec.seed,
                metrics=metrics,
                description=_trained_in_app(spec.source, spec.preset, spec.start_from),
                extras={"training": vars(config), **_origin(spec), "split": "last10"},
            )
            return model, card, f"validation loss {metrics['valid_loss']:.3f} nats/char"

        self._run(spec, monitor, train, torch.float16)

    def _run_sprites(self, spec: SpriteJobSpec, config: ImageVAETrainingConfig) -> None:
        from aigc_demo.data import catalog
        from aigc_demo.data.sprites import SHAPES, make_sprites
        from aigc_demo.training.image import train_image_vae
        from aigc_demo.training.latent_map import latent_map

        monitor = self._monitor(spec, picture_preview)

        def train() -> tuple[torch.nn.Module, ModelCard, str]:
            data = make_sprites(SPRITE_PRESETS[spec.preset]["count"], seed=spec.seed)
            test = make_sprites(SPRITE_TEST_COUNT, seed=spec.seed + 1)
            traits = {k: v for k, v in data.factors.items() if k != "shape"}
            model, metrics, directions = train_image_vae(
                data.as_image_set(),
                test.as_image_set(),
                config,
                log=log.info,
                traits=traits,
                class_names=SHAPES,
                monitor=monitor,
                placement=self.placement,
            )
            card = ModelCard(
                kind="image-vae",
                config=dict(model.config),
                dataset=catalog.SPRITES,
                seed=spec.seed,
                metrics=metrics,
                description=f"Draws coloured shapes; trained in the app ({spec.preset} preset).",
                extras={
                    "training": vars(config),
                    "preset": spec.preset,
                    "directions": directions,
                    "map": latent_map(model, test.as_image_set(), class_names=SHAPES),
                },
            )
            return model, card, f"test negative ELBO {metrics['test_nelbo_nats']:.1f} nats per image"

        self._run(spec, monitor, train)

    def _run_images(self, spec: ImageJobSpec, plan: ImagePlan) -> None:
        from aigc_demo.training.gan import train_image_gan
        from aigc_demo.training.image import train_image_vae
        from aigc_demo.training.latent_map import latent_map

        monitor = self._monitor(spec, picture_preview)
        source = _files_named(spec.files)
        names = plan.train.class_names or None
        extras: dict[str, Any] = {"training": vars(plan.config), **_origin(spec)}

        def train() -> tuple[torch.nn.Module, ModelCard, str]:
            if spec.model == "vae":
                model, metrics, directions = train_image_vae(
                    plan.train,
                    plan.test,
                    plan.config,
                    log=log.info,
                    class_names=names,
                    monitor=monitor,
                    start_from=plan.start,
                    placement=self.placement,
                )
                extras["map"] = latent_map(model, plan.test, class_names=names)
                result = f"held-out negative ELBO {metrics['test_nelbo_nats']:.1f} nats per picture"
            else:
                model, metrics, directions = train_image_gan(
                    plan.train,
                    plan.config,
                    log=log.info,
                    monitor=monitor,
                    start_from=plan.start,
                    placement=self.placement,
                )
                result = f"{metrics['epochs_run']} epochs"
            if names:
                extras["class_names"] = list(names)
            card = ModelCard(
                kind=IMAGE_KINDS[spec.model],
                config=dict(model.config),
                dataset=_credit(spec.files),
                seed=spec.seed,
                metrics=metrics,
                description=_trained_in_app(source, spec.preset, spec.start_from),
                extras={**extras, "directions": directions},
            )
            return model, card, result

        self._run(spec, monitor, train)

    def _run_speech(self, spec: SpeechJobSpec, plan: SpeechPlan) -> None:
        from aigc_demo.pipelines.speech import spectrogram_grid
        from aigc_demo.training.speech import train_speech_cvae

        @torch.no_grad()
        def preview(model: torch.nn.Module) -> Any:
            """The average voice saying 0-9, as spectrograms, so the same words show it improving."""
            device = model.directions.device
            with evaluating(model):
                spoken = model.decode(
                    torch.zeros(10, model.latent_dim, device=device), torch.arange(10, device=device)
                )
            return spectrogram_grid(torch.nn.functional.avg_pool2d(spoken.float().cpu(), 2))  # half size

        monitor = self._monitor(spec, preview)
        source = _files_named(spec.files)

        def train() -> tuple[torch.nn.Module, ModelCard, str]:
            model, metrics, directions = train_speech_cvae(
                plan.train,
                plan.test,
                plan.config,
                log=log.info,
                monitor=monitor,
                start_from=plan.start,
                placement=self.placement,
            )
            card = ModelCard(
                kind="speech-cvae",
                config=dict(model.config),
                dataset=DatasetInfo(name=source),
                seed=spec.seed,
                metrics=metrics,
                description=_trained_in_app(source, spec.preset, spec.start_from),
                extras={"training": vars(plan.config), **_origin(spec), "directions": directions},
            )
            return model, card, f"held-out reconstruction error {metrics['test_reconstruction_sse']:.1f}"

        self._run(spec, monitor, train)

    def _run(
        self,
        spec: JobSpec,
        monitor: _JobMonitor,
        train: Callable[[], tuple[torch.nn.Module, ModelCard, str]],
        storage_dtype: torch.dtype | None = None,
    ) -> None:
        """Train, show the final model's preview, save it, and say how it ended."""
        try:
            model, card, result = train()
            card.extras["training"] = as_trained(card.extras["training"], model)
            card.extras["trained_on"] = self.placement.card_entry()
            monitor.take_sample(self._snapshot.step)  # the model that is saved
            self.hub.save(spec.name, model, card, storage_dtype=storage_dtype)
            with self._lock:
                stopped = self._stop.is_set()
                self._snapshot.state = "stopped" if stopped else "finished"
                reason = self._snapshot.message or ("stopped" if stopped else "finished")
                self._snapshot.message = f"{reason}; saved {spec.name!r} ({result})"
        except Exception as err:  # the job ends, the server serves on, and the page says why
            log.exception("training job %s failed", spec.name)
            with self._lock:
                self._snapshot.state = "failed"
                self._snapshot.message = f"training failed: {err}"
