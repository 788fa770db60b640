"""The world-model recipe: a frame VAE and a recurrent model of how its codes move, trained on the
moving digits (made from MNIST as each step needs them) or, in the app, on a visitor's own clip,
fine-tuning the app's model."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data import catalog
from aigc_demo.data.archive import Limits
from aigc_demo.data.sources import files_named
from aigc_demo.recipes.base import (
    JobRequest,
    Plan,
    Recipe,
    Run,
    Trained,
    apply_settings,
    origin,
    parameter_count,
    planned_model,
    starting_model,
    trained_in_app,
)
from aigc_demo.training.common import evaluating
from aigc_demo.training.world_model import WorldTrainingConfig, new_model, train_world_model

EXAMPLES_PER_DIGIT = 10  # test digits a model carries for the page, of each class
APP_VALIDATION_CLIPS = 200  # held-out clips a job in the app measures itself on


def digits_of(split: Any) -> np.ndarray:
    """An MNIST split's pictures as ``(N, 28, 28)`` uint8."""
    return (split.images[:, 0] * 255).round().byte().numpy()


def examples(split: Any, per_class: int = EXAMPLES_PER_DIGIT) -> torch.Tensor:
    """The first ``per_class`` pictures of each class of an MNIST split, ``(10 * per_class, 28, 28)``
    uint8 in class order: what a world model carries for its page to set in motion."""
    chosen = [torch.nonzero(split.labels == digit).flatten()[:per_class] for digit in range(10)]
    return torch.from_numpy(digits_of(split)[torch.cat(chosen).numpy()])


def moving_digits(data: Any, clips: int | None = None) -> tuple[Any, np.ndarray, torch.Tensor, DatasetInfo]:
    """(clip maker over the training digits, held-out clips of the test digits, examples of the
    test digits for the page, credit)."""
    from aigc_demo.data.mnist import is_official_mnist, load_mnist
    from aigc_demo.data.moving_digits import VALIDATION_CLIPS, mixed_clips, validation_clips
    from aigc_demo.data.sources import public_or_local

    folder = public_or_local(Path(data))
    test_split = load_mnist(folder, "test")
    train, test = digits_of(load_mnist(folder, "train")), digits_of(test_split)

    def make_clips(count: int, frames: int, rng: np.random.Generator) -> np.ndarray:
        return mixed_clips(train, count, frames, seed=int(rng.integers(2**31)))

    credit = catalog.MNIST if is_official_mnist(folder) else DatasetInfo(name=folder.name)
    valid = validation_clips(test, clips or VALIDATION_CLIPS)
    return make_clips, valid, examples(test_split), credit


def own_clip(paths: list[Path], limits: Limits) -> tuple[Any, np.ndarray]:
    """(windows of a visitor's clip, its last 20 frames held out): the model is measured on
    continuing the clip's end, whose last 10 frames it never learned from."""
    from aigc_demo.data.clips import read_clip, windows
    from aigc_demo.data.moving_digits import PREDICTED, SEEN

    frames = read_clip(paths, limits)
    learned = frames[: len(frames) - PREDICTED]

    def make_clips(count: int, length: int, rng: np.random.Generator) -> np.ndarray:
        return windows(learned, min(length, len(learned)), count, rng)

    return make_clips, frames[None, -(SEEN + PREDICTED) :]


class WorldModelRecipe(Recipe):
    name = "world-model"
    model_kind = "world-model"
    help = "world model: a frame VAE and a recurrent model of how its codes move (video)"
    data_help = "mnist (or a folder of MNIST-format files): digits bouncing in a 64 x 64 frame"
    config_class = WorldTrainingConfig
    can_start_from = placed = True
    presets: ClassVar[dict] = {
        "tiny": {"channels": 16, "hidden": 16},
        "base": {"channels": 32, "hidden": 48},
    }
    settings = ("batch_size", "learning_rate", "beta")
    starts_from_app_model = True
    public_datasets = ("mnist",)
    default_name = "my-world"
    texts: ClassVar[dict] = {
        "kind": ("Your clip: world model (video)", "你的视频：世界模型"),
        "valid": ("held-out error per frame, continuing clips", "留出片段续写的每帧误差"),
        "files": (
            "A clip: an animated GIF, or a zip of its frames (30 to 400)",
            "一段视频：GIF 动图，或它的各帧打成的 zip（30 到 400 帧）",
        ),
        "preview": (
            "A held-out clip: real above, the model's continuation below",
            "留出片段：上为真实，下为模型续写",
        ),
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--minutes", type=float, help="a time budget (the run also ends after --epochs)")
        parser.add_argument("--channels", type=int)
        parser.add_argument("--code-channels", type=int, help="codes per position of the 16 x 16 map")
        parser.add_argument("--hidden", type=int, help="channels of each recurrent layer")
        parser.add_argument("--layers", type=int, help="recurrent layers")
        parser.add_argument("--beta", type=float, help="weight of the KL term")
        parser.add_argument("--seen", type=int, help="frames of each training clip given (default 10)")
        parser.add_argument("--frames", type=int, help="frames of each training clip (default 20)")

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        make_clips, valid, shown, credit = moving_digits(args.data)
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        description = (
            "Continues and dreams clips of moving digits: a frame VAE, a recurrent model of its codes."
        )
        about = f"moving digits made from the training digits; {len(valid)} held-out clips of the test digits"
        data = (make_clips, valid, shown)
        return Plan(self.config_from_args(args), data, start, credit, description, about=about)

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        from aigc_demo.data.mnist import is_official_mnist

        start = starting_model(hub, request.start_from, self.model_kind)
        paths = [Path(f) for f in request.files]
        if not paths:
            raise ValueError("give a clip (a GIF or a zip of frames), or choose mnist")
        if len(paths) == 1 and is_official_mnist(paths[0]):
            make_clips, valid, shown, credit = moving_digits(paths[0], APP_VALIDATION_CLIPS)
        else:
            (make_clips, valid), shown = own_clip(paths, limits), None
            credit = DatasetInfo(name=files_named(request.files))
        config = WorldTrainingConfig(
            epochs=epochs, seed=request.seed, minutes=float(request.minutes), **self.presets[request.preset]
        )
        if start is not None:
            config.learning_rate = self.fine_tune_rate
        apply_settings(config, self.settings, request.settings, start is not None, None)
        description = trained_in_app(credit.name, request)
        return Plan(config, (make_clips, valid, shown), start, credit, description, origin(request))

    def footprint(self, plan: Plan) -> tuple[int, int]:
        """Weights counted on the meta device; per step, the activations a batch of clips keeps for the
        backward pass, about 32 bytes per channel per pixel of the frame model's two scales and 48 per
        recurrent channel per position of the 16 x 16 map, for every frame (an estimate on the high side)."""
        config = plan.config
        model = planned_model(plan, lambda: new_model(config))
        sizes = model.config
        per_frame = (
            32 * sizes["channels"] * (32 * 32 + 16 * 16) + 48 * sizes["hidden"] * sizes["layers"] * 256
        )
        return parameter_count(model), config.batch_size * config.frames * per_frame

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], Any]:
        first = plan.data[1][:1]
        return lambda model: continuation_strip(model, first)

    def train(self, plan: Plan, run: Run) -> Trained:
        make_clips, valid, shown = plan.data
        model, metrics = train_world_model(
            make_clips, valid, plan.config, on_improved=run.on_improved, **run.loop_options(plan)
        )
        if shown is not None:
            model.keep_examples(shown)
        return Trained(model, metrics, summary=f"held-out error {metrics['valid_mse']:.1f} per frame")


@torch.no_grad()
def continuation_strip(model: torch.nn.Module, clip: np.ndarray) -> np.ndarray:
    """A held-out clip (``(1, 20, 64, 64)`` uint8) above the model's continuation of its second half."""
    from aigc_demo.data.moving_digits import SEEN
    from aigc_demo.pipelines import video

    with evaluating(model):
        later = video.continue_clips(model, clip[:, :SEEN], clip.shape[1] - SEEN)[0]
    return video.clip_strip(clip[0], np.concatenate([clip[0, :SEEN], later]))
