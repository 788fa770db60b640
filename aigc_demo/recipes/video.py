"""The world-model recipe: a frame VAE and a recurrent model of how its codes move, trained on the
moving digits (made from MNIST as each step needs them)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import torch

from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data import catalog
from aigc_demo.recipes.base import Plan, Recipe, Run, Trained, starting_model
from aigc_demo.training.world_model import WorldTrainingConfig, train_world_model


def digits_of(split: Any) -> np.ndarray:
    """An MNIST split's pictures as ``(N, 28, 28)`` uint8."""
    return (split.images[:, 0] * 255).round().byte().numpy()


EXAMPLES_PER_DIGIT = 10  # test digits a model carries for the page, of each class


def examples(split: Any, per_class: int = EXAMPLES_PER_DIGIT) -> torch.Tensor:
    """The first ``per_class`` pictures of each class of an MNIST split, ``(10 * per_class, 28, 28)``
    uint8 in class order: what a world model carries for its page to set in motion."""
    chosen = [torch.nonzero(split.labels == digit).flatten()[:per_class] for digit in range(10)]
    return torch.from_numpy(digits_of(split)[torch.cat(chosen).numpy()])


def moving_digits(data: Any) -> tuple[Any, np.ndarray, torch.Tensor, DatasetInfo]:
    """(clip maker over the training digits, held-out clips of the test digits, examples of the
    test digits for the page, credit)."""
    from aigc_demo.data.mnist import is_official_mnist, load_mnist
    from aigc_demo.data.moving_digits import mixed_clips, validation_clips
    from aigc_demo.data.sources import public_or_local

    folder = public_or_local(data)
    test_split = load_mnist(folder, "test")
    train, test = digits_of(load_mnist(folder, "train")), digits_of(test_split)

    def make_clips(count: int, frames: int, rng: np.random.Generator) -> np.ndarray:
        return mixed_clips(train, count, frames, seed=int(rng.integers(2**31)))

    credit = catalog.MNIST if is_official_mnist(folder) else DatasetInfo(name=folder.name)
    return make_clips, validation_clips(test), examples(test_split), credit


class WorldModelRecipe(Recipe):
    name = "world-model"
    model_kind = "world-model"
    help = "world model: a frame VAE and a recurrent model of how its codes move (video)"
    data_help = "mnist (or a folder of MNIST-format files): digits bouncing in a 64 x 64 frame"
    config_class = WorldTrainingConfig
    can_start_from = placed = True

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
            "Continues and dreams clips of moving digits: a frame VAE and a recurrent model of its codes."
        )
        about = f"moving digits made from the training digits; {len(valid)} held-out clips of the test digits"
        return Plan(
            self.config_from_args(args), (make_clips, valid, shown), start, credit, description, about=about
        )

    def train(self, plan: Plan, run: Run) -> Trained:
        make_clips, valid, shown = plan.data
        model, metrics = train_world_model(
            make_clips, valid, plan.config, on_improved=run.on_improved, **run.loop_options(plan)
        )
        model.keep_examples(shown)
        return Trained(model, metrics, summary=f"held-out error {metrics['valid_mse']:.1f} per frame")
