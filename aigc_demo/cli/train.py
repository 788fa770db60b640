"""``train``: train a model from a dataset and save it as a checkpoint. One sub-command per recipe."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import torch

from aigc_demo.backend.checkpoint import SUFFIX, ModelCard, save_checkpoint
from aigc_demo.backend.hub import check_model_name, default_hub
from aigc_demo.cli.progress import ProgressBar
from aigc_demo.data.downloads import public_name_of
from aigc_demo.data.sources import public_or_local
from aigc_demo.recipes import Plan, Recipe, Run, Trained, cli_recipes, recipe
from aigc_demo.training import distributed
from aigc_demo.training.placement import PRECISIONS, Placement

NAME = "train"
HELP = "train a model and save it as a checkpoint"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    for each in cli_recipes():
        sub = kinds.add_parser(each.name, help=each.help)
        sub.add_argument("--data", required=True, type=Path, help=each.data_help)
        each.add_arguments(sub)
        if each.can_start_from:
            sub.add_argument(
                "--from",
                dest="start_from",
                metavar="CHECKPOINT",
                help="continue from a model of this kind (a name or a .safetensors path): resume, or "
                "fine-tune on new data; its architecture is kept",
            )
        if each.placed:
            sub.add_argument(
                "--precision",
                choices=PRECISIONS,
                default="auto",
                help="arithmetic of the forward pass: auto is bf16 (fp16 where a GPU lacks bf16) on CUDA, "
                "fp32 elsewhere; the device is the best one present, or AIGC_DEVICE",
            )
        sub.add_argument(
            "--out", required=True, help="a model name (saved in AIGC_HOME) or a path ending in .safetensors"
        )
        sub.add_argument("--epochs", type=int)
        sub.add_argument("--batch-size", type=int)
        sub.add_argument("--lr", type=float, dest="learning_rate")
        sub.add_argument("--seed", type=int)
        sub.add_argument("--threads", type=int, help="CPU threads for torch (default: all)")


def save(
    out: str, module: torch.nn.Module, card: ModelCard, storage_dtype: torch.dtype | None = None
) -> Path:
    """Save to an explicit ``.safetensors`` path, or under a model name in the user folder."""
    if out.endswith(SUFFIX):
        path = Path(out)
        save_checkpoint(path, module.state_dict(), card, storage_dtype)
        return path
    return default_hub().save(check_model_name(out), module, card, storage_dtype).path


def _card(chosen: Recipe, plan: Plan, trained: Trained, run: Run) -> ModelCard:
    return chosen.card(plan, trained, portable_command(sys.argv[1:]), run)


def portable_command(argv: list[str]) -> str:
    """The command as typed, except that ``--data`` names the public dataset a local path holds
    (byte for byte), so that the card's command runs on anyone's machine."""
    argv = list(argv)
    for at, word in enumerate(argv[:-1]):
        if word == "--data" and (public := public_name_of(Path(argv[at + 1]))) is not None:
            argv[at + 1] = public
    return "python -m aigc_demo " + shlex.join(argv)


def _train(chosen: Recipe, args: argparse.Namespace, run: Run) -> tuple[Plan, Trained]:
    """Plan from the flags, then train; a recipe that reports improvements saves as it goes."""
    plan = chosen.plan_from_args(args, default_hub())
    if getattr(args, "start_from", None):
        plan.extras["started_from"] = args.start_from
    if plan.about:
        print(f"{plan.about} from {args.data}", file=sys.stderr)

    def save_progress(model: torch.nn.Module, metrics: dict[str, float]) -> None:
        if distributed.is_main():
            path = save(
                args.out, model, _card(chosen, plan, Trained(model, metrics), run), chosen.storage_dtype
            )
            print(f"saved {path} after epoch {metrics['epoch']}", file=sys.stderr)

    run.on_improved = save_progress
    return plan, chosen.train(plan, run)


def run(args: argparse.Namespace) -> int:
    if not args.out.endswith(SUFFIX):
        check_model_name(args.out)  # refuse a bad name before hours of training, not after
    if args.threads:
        torch.set_num_threads(args.threads)
    args.data = public_or_local(args.data)
    chosen = recipe(args.kind)
    distributed.start_from_environment()  # under torchrun: one process of a data-parallel group
    try:
        if distributed.world_size() > 1 and not chosen.parallel:
            parallel = ", ".join(r.name for r in cli_recipes() if r.parallel)
            raise ValueError(f"torchrun runs these kinds in parallel: {parallel}; not {chosen.name}")
        placement = Placement.choose(precision=args.precision) if chosen.placed else None
        progress = ProgressBar(chosen.name, shown=distributed.is_main())
        training = Run(log=progress.write, monitor=progress, placement=placement)
        try:
            plan, trained = _train(chosen, args, training)
        finally:
            progress.close()
        if distributed.world_size() > 1:
            # One write per line: the processes share torchrun's stderr, and print() writes the line
            # and its newline separately, so two ranks' lines could run together.
            sys.stderr.write(
                f"rank {distributed.rank()}: weights {distributed.weights_digest(trained.model)}\n"
            )
        if not distributed.is_main():
            return 0  # one process writes the checkpoint
        card = _card(chosen, plan, trained, training)
        path = save(args.out, trained.model, card, chosen.storage_dtype)
        print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB): {trained.metrics}", file=sys.stderr)
        return 0
    finally:
        distributed.stop()
