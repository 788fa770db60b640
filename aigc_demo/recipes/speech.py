"""The speech recipes: the spoken-digit generator (a conditional VAE on spectrograms), on a folder
or zip of recordings or a visitor's uploads, and the classifier that judges it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, ClassVar

import torch

from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data import catalog
from aigc_demo.data.archive import Limits
from aigc_demo.data.sources import files_named, load_recordings
from aigc_demo.data.spoken_digits import load_spoken_digits
from aigc_demo.recipes.base import (
    JobRequest,
    Plan,
    Recipe,
    Run,
    Trained,
    apply_settings,
    origin,
    starting_model,
    trained_in_app,
)
from aigc_demo.training.common import evaluating
from aigc_demo.training.speech import (
    ClassifierTrainingConfig,
    SpeechTrainingConfig,
    train_digit_classifier,
    train_speech_cvae,
)

SPEECH_DATA_HELP = "folder or zip of D_speaker_N.wav files, or fsdd"
MIN_RECORDINGS = 2  # of each digit: one to learn from, one held out


def read_recordings(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(train, held out, what was read) from ``--data``: FSDD's split, recordings 0-4 held out."""
    train, test = load_spoken_digits(args.data).split()
    return train, test, f"{len(train)} training and {len(test)} held-out recordings"


class SpeechRecipe(Recipe):
    name = "speech"
    model_kind = "speech-cvae"
    help = "spoken-digit generator (conditional VAE)"
    data_help = SPEECH_DATA_HELP
    config_class = SpeechTrainingConfig
    can_start_from = placed = parallel = True
    # "base" is the shipped fsdd-speech's size.
    presets: ClassVar[dict] = {
        "tiny": {"latent_dim": 8, "channels": 8},
        "small": {"latent_dim": 16, "channels": 12},
        "base": {"latent_dim": 16, "channels": 16},
    }
    settings = ("batch_size", "learning_rate", "latent_dim", "beta")
    public_datasets = ("fsdd",)
    shows = "spectrograms"
    default_name = "my-voice"
    texts: ClassVar[dict] = {
        "kind": ("Your voice: spoken digits", "你的声音：数字读音"),
        "valid": ("held-out loss (every 10th recording)", "留出集损失（每第 10 条录音）"),
        "files": (
            "Recordings: a zip of WAV files named like 3_name_7.wav (the digit first), "
            "every digit at least twice",
            "录音：WAV 文件的 zip，文件名如 3_name_7.wav（数字在前），每个数字至少两条",
        ),
        "preview": (
            "The same voice saying 0-9 (spectrograms: time across, pitch up)",
            "同一个声音读 0-9（频谱图：横轴为时间，纵轴为音高）",
        ),
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--beta", type=float, help="weight of the KL term")
        parser.add_argument("--latent-dim", type=int)
        parser.add_argument("--channels", type=int)
        parser.add_argument("--directions", type=int, dest="num_directions", help="latent sliders to find")
        parser.add_argument(
            "--prior-components",
            type=int,
            help="Gaussians of the learned prior over voices fitted after training (default 6; 0: none)",
        )
        parser.add_argument(
            "--adversarial",
            type=float,
            help="weight of a critic that tells recordings from drawn voices (0: none; for a fine-tune)",
        )

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        train, test, about = read_recordings(args)
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        description = "Speaks a chosen digit (0-9) in a voice you can move through with sliders."
        return Plan(self.config_from_args(args), (train, test), start, catalog.FSDD, description, about=about)

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        start = starting_model(hub, request.start_from, self.model_kind)
        data = load_recordings(request.files, limits)
        counts = torch.bincount(data.digits, minlength=10).tolist()
        short = [digit for digit, count in enumerate(counts) if count < MIN_RECORDINGS]
        if short:
            raise ValueError(
                f"every digit 0-9 needs at least {MIN_RECORDINGS} recordings; too few of {short} "
                f"(found {', '.join(f'{d}: {c}' for d, c in enumerate(counts))})"
            )
        sizes = self.presets[request.preset]
        config = SpeechTrainingConfig(
            epochs=epochs, seed=request.seed, num_directions=min(8, sizes["latent_dim"]), **sizes
        )
        if start is not None:
            config.learning_rate = self.fine_tune_rate
        train, test = data.held_out_evenly()
        apply_settings(config, self.settings, request.settings, start is not None, len(train))
        source = files_named(request.files)
        description = trained_in_app(source, request)
        return Plan(config, (train, test), start, DatasetInfo(name=source), description, origin(request))

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], Any]:
        return spoken_digits_preview

    def train(self, plan: Plan, run: Run) -> Trained:
        train, test = plan.data
        model, metrics, directions = train_speech_cvae(
            train,
            test,
            plan.config,
            **run.loop_options(plan),
        )
        summary = f"held-out reconstruction error {metrics['test_reconstruction_sse']:.1f}"
        return Trained(model, metrics, {"directions": directions}, summary)


@torch.no_grad()
def spoken_digits_preview(model: torch.nn.Module) -> Any:
    """The average voice saying 0-9, as spectrograms, so the same words show it improving."""
    from aigc_demo.pipelines.speech import spectrogram_grid

    device = model.directions.device
    with evaluating(model):
        spoken = model.decode(
            torch.zeros(10, model.latent_dim, device=device), torch.arange(10, device=device)
        )
    return spectrogram_grid(torch.nn.functional.avg_pool2d(spoken.float().cpu(), 2))  # half size


class SpeechClassifierRecipe(Recipe):
    name = "speech-classifier"
    model_kind = "speech-classifier"
    help = "spoken-digit classifier that judges it"
    data_help = SPEECH_DATA_HELP
    config_class = ClassifierTrainingConfig

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        train, test, about = read_recordings(args)
        description = "Recognises spoken digits; judges the speech generator."
        return Plan(self.config_from_args(args), (train, test), None, catalog.FSDD, description, about=about)

    def train(self, plan: Plan, run: Run) -> Trained:
        model, metrics = train_digit_classifier(*plan.data, plan.config, log=run.log)
        return Trained(model, metrics)
