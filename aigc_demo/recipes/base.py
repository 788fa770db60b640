"""What a recipe is, and the checks every recipe shares.

A recipe is the one place that knows how a trainable kind of model is made: its settings (the
command line's flags; the app's size presets and the few settings a person may change, with their
ranges), how its data is read and checked within limits, which model it may start from, how its
loop is called, what a preview of it looks like, and what its model card says. The CLI's ``train``
command, the Train tab and the job slot only ever talk to recipes, through this interface.

A request becomes a ``Plan`` (checked, data read, before any training starts); ``train`` turns a
plan into a ``Trained`` model; ``card`` describes it for its checkpoint.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import torch

from aigc_demo import settings
from aigc_demo.backend.checkpoint import SUFFIX, DatasetInfo, ModelCard
from aigc_demo.backend.checks import check_whole
from aigc_demo.backend.hub import ModelHub, check_model_name
from aigc_demo.data.archive import Limits
from aigc_demo.training.common import Monitor, as_trained
from aigc_demo.training.placement import Placement

MAX_EPOCHS = 1000  # the time budget, not this, ends most runs in the app
# Settings a person may give in the app over a preset's: (type, lowest, highest).
SETTINGS: dict[str, tuple[type, float, float]] = {
    "batch_size": (int, 1, 1024),
    "learning_rate": (float, 1e-6, 1.0),
    "latent_dim": (int, 2, 64),
    "beta": (float, 0.0, 100.0),
    "hidden": (int, 16, 1024),
    "layers": (int, 1, 4),
}
ARCHITECTURE = ("latent_dim", "hidden", "layers")  # fixed when fine-tuning
# What one visitor's job may ask of the server, whatever its settings multiply to: weights, and an
# estimate of the memory one training step holds (activations kept for the backward pass).
MAX_PARAMETERS = 20_000_000
MAX_STEP_BYTES = 2_000_000_000


@dataclass
class JobRequest:
    """What a visitor asks the app to train, values as they came (the recipe checks them)."""

    kind: str  # a recipe's name
    name: str  # of the model to save
    text: str = ""  # a text to learn from, for recipes that learn from text
    source: str = ""  # what the text is, for the card ("pasted text", a file name)
    files: list[str] = field(default_factory=list)  # uploaded files, for recipes that learn from files
    preset: str = "tiny"
    epochs: Any = 5
    minutes: Any = 2.0  # time budget; the job stops and saves when it runs out
    seed: int = 0
    start_from: str = ""  # a model in the hub to fine-tune instead of starting afresh
    settings: dict = field(default_factory=dict)  # individual settings over the preset's (SETTINGS)
    owner: str = ""  # the visitor who asked (their session); empty: the server itself
    address: str = ""  # where the request came from: one address shares one visitor's limit


@dataclass
class Plan:
    """A checked request with its data read: everything ``train`` needs, made before it starts."""

    config: Any  # the training loop's config dataclass
    data: Any  # what the recipe's ``train`` reads (its own type)
    start: torch.nn.Module | None  # the model to continue from, if any
    dataset: DatasetInfo  # credit for the card
    description: str  # one sentence for the card
    extras: dict[str, Any] = field(default_factory=dict)  # card entries known before training
    about: str = ""  # what was read, e.g. "900 training and 100 test images"


@dataclass
class Run:
    """How a plan is trained: where its progress goes and where it runs."""

    log: Callable[[str], None] = print
    monitor: Monitor | None = None
    placement: Placement | None = None
    on_improved: Callable[[torch.nn.Module, dict[str, float]], None] | None = None  # saves as it goes

    def loop_options(self, plan: Plan) -> dict[str, Any]:
        """What every generative loop takes besides its data and config: where it reports, the
        model it continues from, and where it runs."""
        return {
            "log": self.log,
            "monitor": self.monitor,
            "start_from": plan.start,
            "placement": self.placement,
        }


@dataclass
class Trained:
    model: torch.nn.Module
    metrics: dict[str, float]
    extras: dict[str, Any] = field(default_factory=dict)  # card entries found in training
    summary: str = ""  # how it went in a few words, for the job's last message


class Recipe:
    """One trainable kind. Subclasses set the class attributes and implement the planners and
    ``train``; ``RECIPES`` in ``aigc_demo.recipes`` lists one instance of each."""

    name: ClassVar[str]  # the CLI's ``train NAME``, the Train tab's choice, a job's kind
    model_kind: ClassVar[str]  # the kind of model it makes (``models.register``)
    help: ClassVar[str]  # one line for ``train --help``
    data_help: ClassVar[str] = ""  # what ``--data`` takes; empty: not on the command line
    config_class: ClassVar[type]
    storage_dtype: ClassVar[torch.dtype | None] = None  # weights stored at this precision
    can_start_from: ClassVar[bool] = False  # continues from a trained model (``--from``, "Start from")
    placed: ClassVar[bool] = False  # trains on the hub's device with a Placement (``--precision``)
    parallel: ClassVar[bool] = False  # torchrun shares its batches across processes
    # The app: a recipe with presets appears in the Train tab.
    presets: ClassVar[dict[str, dict[str, Any]]] = {}
    settings: ClassVar[tuple[str, ...]] = ()  # the SETTINGS a person may change
    fine_tune_rate: ClassVar[float] = 5e-4  # a gentler step than from scratch, from trained weights
    gives: ClassVar[str] = "files"  # what a person gives: "text", "files" or "nothing"
    public_datasets: ClassVar[tuple[str, ...]] = ()  # names in data.downloads it can learn from instead
    shows: ClassVar[str] = "picture"  # its previews: "text", "picture" or "spectrograms"
    default_name: ClassVar[str] = "my-model"
    # The app starts a visitor's model from its own of the kind (in the page's language) unless they
    # pick otherwise: a few pages of data can adapt such a model, not teach one from nothing.
    starts_from_app_model: ClassVar[bool] = False
    texts: ClassVar[dict[str, tuple[str, str]]] = {}  # UI texts, (English, Chinese): see ui.i18n

    # The command line.
    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Flags of this recipe beyond the shared ones (``--data``, ``--out``, ``--epochs``, ...)."""

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        raise NotImplementedError

    # The app.
    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        """The app's plan for a request whose name, preset, epochs and budget are already checked."""
        raise NotImplementedError

    def footprint(self, plan: Plan) -> tuple[int, int] | None:
        """(parameters, bytes one training step holds) of a planned job, estimated before any
        allocation; None where the presets and ranges already bound them."""
        return None

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], Any]:
        """What a job shows of its model as it learns: the same input every time, so the previews
        show it improving."""
        raise NotImplementedError

    # Both.
    def train(self, plan: Plan, run: Run) -> Trained:
        raise NotImplementedError

    def least_text(self, preset: str) -> int:
        """Characters of text a job of ``preset`` needs at least (0: it learns from no text)."""
        return 0

    @property
    def in_app(self) -> bool:
        return bool(self.presets)

    def plan_job(self, request: JobRequest, hub: ModelHub, limits: Limits) -> Plan:
        """Refuse a bad request before any work starts, with a message a person can act on."""
        check_model_name(request.name)
        if any(entry.name == request.name for entry in hub.entries()):
            raise ValueError(f"a model named {request.name!r} already exists; choose another name")
        if request.preset not in self.presets:
            raise ValueError(f"preset must be one of {', '.join(self.presets)}, got {request.preset!r}")
        epochs = check_whole(request.epochs, "epochs", 1, MAX_EPOCHS)
        check_minutes(request.minutes)
        if request.start_from and not self.can_start_from:
            raise ValueError("this kind of training always starts afresh")
        plan = self.plan_request(request, epochs, hub, limits)
        check_footprint(self.footprint(plan))
        return plan

    def config_from_args(self, args: argparse.Namespace) -> Any:
        """The loop's config: its defaults (which reproduce the shipped models) with the flags given."""
        given = {f.name: getattr(args, f.name, None) for f in fields(self.config_class)}
        return self.config_class(**{k: v for k, v in given.items() if v is not None})

    def card(self, plan: Plan, trained: Trained, command: str = "", run: Run | None = None) -> ModelCard:
        extras = {**plan.extras, **trained.extras}
        extras["training"] = as_trained(vars(plan.config), trained.model)
        if run is not None and run.placement is not None:
            extras["trained_on"] = run.placement.card_entry()
        return ModelCard(
            kind=self.model_kind,
            config=dict(trained.model.config),
            dataset=plan.dataset,
            training_command=command,
            seed=plan.config.seed,
            metrics=trained.metrics,
            description=plan.description,
            extras=extras,
        )


def check_footprint(footprint: tuple[int, int] | None) -> None:
    """Refuse a job whose settings multiply to more than one visitor may ask, saying what fits."""
    if footprint is None:
        return
    parameters, step_bytes = footprint
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"these settings make a model of {parameters / 1e6:.0f} million parameters; this server "
            f"trains up to {MAX_PARAMETERS / 1e6:.0f} million: use a smaller hidden size or fewer layers"
        )
    if step_bytes > MAX_STEP_BYTES:
        raise ValueError(
            f"these settings need about {step_bytes / 1e9:.1f} GB for each training step; this server allows "
            f"{MAX_STEP_BYTES / 1e9:.0f} GB: use a smaller batch size, hidden size or fewer layers"
        )


LEAST_VARIETY = (
    0.15  # zlib's packed size over the text's: written text 0.3-0.55, a paragraph pasted 4 times 0.15
)


def check_varied(text: str) -> None:
    """Refuse a text that mostly repeats itself (a paragraph pasted over and over to reach the
    minimum): a model would learn the repetition, and its held-out part would be the same words."""
    import zlib

    data = text.encode()
    share = len(zlib.compress(data, 9)) / max(len(data), 1)
    if share < LEAST_VARIETY:
        raise ValueError(
            f"the text mostly repeats itself (it packs to {share:.0%} of its size; written text packs to "
            "30-55%): a model would learn only the repetition. Give more varied text"
        )


def check_minutes(minutes: Any) -> float:
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        raise ValueError(f"the time budget must be a number of minutes, got {minutes!r}") from None
    longest = settings.max_job_minutes()
    if not (math.isfinite(value) and 0.05 <= value <= longest):
        raise ValueError(f"the time budget must be between 0.05 and {longest} minutes on this server")
    return value


def apply_settings(
    config: Any, allowed: tuple[str, ...], settings: Any, starting: bool, examples: int | None
) -> Any:
    """``config`` with a person's individual settings over the preset's, each checked: one of the
    ``allowed``, in range, no architecture change when fine-tuning, and a batch no larger than the
    ``examples`` there are to learn from (when counted)."""
    if not isinstance(settings, dict):
        raise ValueError("settings must be a mapping of setting names to numbers")
    if examples is not None:  # a preset's batch shrinks to fit a small data set
        config.batch_size = min(config.batch_size, examples)
    for name, raw in settings.items():
        if raw is None or raw == "":
            continue  # left to the preset
        if name not in allowed:
            raise ValueError(f"{name!r} is not a setting of this kind; it takes {', '.join(allowed)}")
        if starting and name in ARCHITECTURE:
            raise ValueError(f"fine-tuning keeps the starting model's architecture: leave {name} to it")
        kind_of, low, high = SETTINGS[name]
        if isinstance(raw, bool):  # JSON's true would read as 1
            raise ValueError(f"{name} must be a number, got {raw!r}")
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


def starting_model(hub: ModelHub, source: str, kind: str, paths: bool = False) -> torch.nn.Module | None:
    """The model named ``source`` to continue from, checked to be a ``kind``; None for no name.
    ``paths``: a ``.safetensors`` path is taken too (the command line; never a visitor's request)."""
    source = str(source or "").strip()
    if not source:
        return None
    if paths and source.endswith(SUFFIX):
        from aigc_demo import models
        from aigc_demo.backend.checkpoint import load_checkpoint

        tensors, card = load_checkpoint(Path(source))
        model = models.build(card.kind, card.config)
        model.load_state_dict(tensors)
    else:
        if not any(entry.name == source for entry in hub.entries()):
            raise ValueError(f"there is no model named {source!r} to start from")
        loaded = hub.load(source)
        model, card = loaded.module, loaded.entry.card
    if card.kind != kind:
        raise ValueError(f"{source!r} is a {card.kind} model; this kind of training starts from a {kind}")
    return model


def planned_model(plan: Plan, build: Callable[[], torch.nn.Module]) -> torch.nn.Module:
    """The model a plan will train, to be measured: its starting model, or ``build()`` on the meta
    device (shapes only: nothing is allocated, whatever the settings ask for)."""
    if plan.start is not None:
        return plan.start
    with torch.device("meta"):
        return build()


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def origin(request: JobRequest) -> dict[str, str]:
    """How a job's model began, for its card: a preset, or the model it was fine-tuned from."""
    return {"started_from": request.start_from} if request.start_from else {"preset": request.preset}


def trained_in_app(source: str, request: JobRequest) -> str:
    """The card's description of a model trained in the app on ``source``."""
    if request.start_from:
        return f"{request.start_from} fine-tuned in the app on {source}."
    return f"Trained in the app on {source} ({request.preset} preset)."
