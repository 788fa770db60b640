"""``train``: train a model from a dataset and save it as a checkpoint."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from aigc_demo.backend.checkpoint import SUFFIX, DatasetInfo, ModelCard, save_checkpoint
from aigc_demo.backend.hub import check_model_name, default_hub
from aigc_demo.cli.progress import ProgressBar
from aigc_demo.data import catalog
from aigc_demo.data.text import SPLITS
from aigc_demo.models.char_rnn import CELLS
from aigc_demo.training import distributed
from aigc_demo.training.common import as_trained, drawn_shape
from aigc_demo.training.placement import PRECISIONS, Placement

NAME = "train"
HELP = "train a model and save it as a checkpoint"

COMMON = ("epochs", "batch_size", "learning_rate", "seed")
PARALLEL = ("text", "vae", "gan", "speech")  # kinds whose loop shares its batches across torchrun's processes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    vae = kinds.add_parser("vae", help="image VAE on MNIST-format IDX files")
    gan = kinds.add_parser("gan", help="image GAN (class-conditional) on MNIST-format IDX files")
    image_classifier = kinds.add_parser("image-classifier", help="image classifier that judges image models")
    speech = kinds.add_parser("speech", help="spoken-digit generator (conditional VAE)")
    text = kinds.add_parser("text", help="character-level RNN language model on a text file")
    classifier = kinds.add_parser("speech-classifier", help="spoken-digit classifier that judges it")
    for sub in (vae, gan, image_classifier):
        sub.add_argument(
            "--data",
            required=True,
            type=Path,
            help="folder of MNIST-format IDX files, a folder or zip of pictures (one subfolder per "
            "class), 'sprites' for the built-in procedural sprites, or mnist / fashion-mnist "
            "(downloaded on first use)",
        )
    for sub in (speech, classifier):
        sub.add_argument(
            "--data", required=True, type=Path, help="folder or zip of D_speaker_N.wav files, or fsdd"
        )
    text.add_argument("--data", required=True, type=Path, help="a UTF-8 text file, or tiny-shakespeare")
    text.add_argument(
        "--split", choices=SPLITS, default="last10", help="validation text (default: last 10%%)"
    )
    text.add_argument(
        "--classical-only",
        action="store_true",
        help="train on the poems whose half-lines are all 5 or all 7 characters (a corpus laid out "
        "like the Tang poems); the validation text is kept whole",
    )
    text.add_argument("--seq-len", type=int, help="characters per truncated back-propagation chunk")
    text.add_argument("--cell", choices=sorted(CELLS))
    text.add_argument("--embed-dim", type=int)
    text.add_argument("--hidden", type=int)
    text.add_argument("--layers", type=int)
    text.add_argument("--dropout", type=float)
    text.add_argument("--max-vocab", type=int, help="cap the vocabulary; rarer characters share one mark")
    for sub in (vae, gan, speech, text):
        sub.add_argument(
            "--from",
            dest="start_from",
            metavar="CHECKPOINT",
            help="continue from a model of this kind (a name or a .safetensors path): resume, or "
            "fine-tune on new data; its architecture is kept",
        )
    for sub in (vae, gan, speech, text):
        sub.add_argument(
            "--precision",
            choices=PRECISIONS,
            default="auto",
            help="arithmetic of the forward pass: auto is bf16 (fp16 where a GPU lacks bf16) on CUDA, "
            "fp32 elsewhere; the device is the best one present, or AIGC_DEVICE",
        )
    for sub in (vae, gan, image_classifier, speech, classifier, text):
        sub.add_argument(
            "--out", required=True, help="a model name (saved in AIGC_HOME) or a path ending in .safetensors"
        )
        sub.add_argument("--epochs", type=int)
        sub.add_argument("--batch-size", type=int)
        sub.add_argument("--lr", type=float, dest="learning_rate")
        sub.add_argument("--seed", type=int)
        sub.add_argument("--threads", type=int, help="CPU threads for torch (default: all)")
    for sub in (vae, speech):
        sub.add_argument("--beta", type=float, help="weight of the KL term")
        sub.add_argument("--latent-dim", type=int)
        sub.add_argument("--channels", type=int)
        sub.add_argument("--directions", type=int, dest="num_directions", help="latent sliders to find")
    vae.add_argument("--conditional", action="store_true", help="condition on the class label")
    gan.add_argument("--latent-dim", type=int)
    gan.add_argument("--channels", type=int)
    gan.add_argument("--directions", type=int, dest="num_directions", help="latent sliders to find")
    gan.add_argument(
        "--unconditional", dest="conditional", action="store_false", default=None, help="ignore the labels"
    )
    gan.add_argument(
        "--judge",
        default="mnist-classifier",
        help="image classifier whose features score each epoch (Fréchet distance; the best epoch is "
        "kept); 'none' keeps the last epoch",
    )


def _overrides(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def save(
    out: str, module: torch.nn.Module, card: ModelCard, storage_dtype: torch.dtype | None = None
) -> Path:
    """Save to an explicit ``.safetensors`` path, or under a model name in the user folder."""
    if out.endswith(SUFFIX):
        path = Path(out)
        save_checkpoint(path, module.state_dict(), card, storage_dtype)
        return path
    return default_hub().save(check_model_name(out), module, card, storage_dtype).path


Trained = tuple[str, torch.nn.Module, dict[str, float], dict[str, Any], DatasetInfo, str]


SPRITES = "sprites"
SPRITE_COUNTS = {"train": 50_000, "test": 10_000}


def is_sprites(data: Path) -> bool:
    """``--data sprites`` means the built-in sprites, unless a folder of that name is there."""
    return str(data) == SPRITES and not data.exists()


def image_splits(data: Path, start: torch.nn.Module | None = None) -> tuple[Any, Any, dict[str, Any]]:
    """(train, test, how to label directions) from MNIST-format files, the built-in sprites, or
    a folder or zip of pictures (10% held out; at the size of the ``start`` model, if any)."""
    if not _has_pictures(data):  # MNIST-format files, or the sprites
        (train, labelling), (test, _) = image_split(data, "train"), image_split(data, "test")
        return train, test, labelling
    from aigc_demo.data.archive import NO_LIMITS
    from aigc_demo.data.images import load_training_images

    train, test = load_training_images([data], NO_LIMITS, **drawn_shape(start)).held_out()
    return train, test, {"class_names": train.class_names or None}


def _has_pictures(data: Path) -> bool:
    from aigc_demo.data.images import PICTURE_SUFFIXES

    if data.suffix.lower() == ".zip":
        return True
    return data.is_dir() and any(p.suffix.lower() in PICTURE_SUFFIXES for p in data.rglob("*"))


def image_split(data: Path, split: str) -> tuple[Any, dict[str, Any]]:
    """One split ("train" or "test") of MNIST-format files or of the built-in sprites, and how to
    label directions on it (for the sprites: the factors that made them and the shape names)."""
    if is_sprites(data):
        from aigc_demo.data.sprites import SHAPES, make_sprites

        sprites = make_sprites(SPRITE_COUNTS[split], seed=list(SPRITE_COUNTS).index(split))
        factors = {k: v for k, v in sprites.factors.items() if k != "shape"}
        return sprites.as_image_set(), {"traits": factors, "class_names": SHAPES}
    from aigc_demo.data.mnist import load_mnist

    return load_mnist(data, split), {}


def image_credit(data: Path) -> DatasetInfo:
    from aigc_demo.data.mnist import is_official_mnist

    if is_sprites(data):
        return catalog.SPRITES
    return catalog.MNIST if is_official_mnist(data) else DatasetInfo(name=data.resolve().name)


def _train_image(args: argparse.Namespace) -> Trained:
    from aigc_demo.training import image as training
    from aigc_demo.training.latent_map import latent_map

    start = starting_model(args, IMAGE_MODEL_KINDS.get(args.kind, ""))
    train, test, labelling = image_splits(args.data, start)
    dataset = image_credit(args.data)
    print(f"{len(train)} training and {len(test)} test images from {args.data}", file=sys.stderr)
    if args.kind == "gan":
        from aigc_demo.training import gan

        names = (*COMMON, "latent_dim", "channels", "num_directions", "conditional")
        config = gan.ImageGANTrainingConfig(**_overrides(args, names))
        judge = None if args.judge == "none" else default_hub().load(args.judge).module
        model, metrics, directions = gan.train_image_gan(
            train,
            config,
            judge,
            log=args.progress.write,
            monitor=args.progress,
            start_from=start,
            placement=args.placement,
        )
        extras = {"training": vars(config), "directions": directions}
        if judge is not None:
            extras["judge"] = args.judge
        return "image-gan", model, metrics, extras, dataset, "Draws a chosen digit from noise."
    if args.kind == "vae":
        names = (*COMMON, "beta", "latent_dim", "channels", "num_directions", "conditional")
        config = training.ImageVAETrainingConfig(**_overrides(args, names))
        model, metrics, directions = training.train_image_vae(
            train,
            test,
            config,
            log=args.progress.write,
            monitor=args.progress,
            start_from=start,
            placement=args.placement,
            **labelling,
        )
        names = labelling.get("class_names")
        extras = {
            "training": vars(config),
            "directions": directions,
            "map": latent_map(model, test, class_names=names),
        }
        drawn = "coloured shapes (square, circle, triangle)" if labelling else "digits"
        return "image-vae", model, metrics, extras, dataset, f"Draws {drawn} from a latent code."
    config = training.ImageClassifierTrainingConfig(**_overrides(args, COMMON))
    model, metrics = training.train_image_classifier(train, test, config)
    description = "Recognises digits; judges the image generators."
    return "image-classifier", model, metrics, {"training": vars(config)}, dataset, description


def _train_speech(args: argparse.Namespace) -> Trained:
    from aigc_demo.data.spoken_digits import load_spoken_digits
    from aigc_demo.training import speech as training

    train, test = load_spoken_digits(args.data).split()
    print(f"{len(train)} training and {len(test)} held-out recordings from {args.data}", file=sys.stderr)
    if args.kind == "speech":
        names = (*COMMON, "beta", "latent_dim", "channels", "num_directions")
        config = training.SpeechTrainingConfig(**_overrides(args, names))
        start = starting_model(args, "speech-cvae")
        model, metrics, directions = training.train_speech_cvae(
            train,
            test,
            config,
            log=args.progress.write,
            monitor=args.progress,
            start_from=start,
            placement=args.placement,
        )
        extras = {"training": vars(config), "directions": directions}
        description = "Speaks a chosen digit (0-9) in a voice you can move through with sliders."
        return "speech-cvae", model, metrics, extras, catalog.FSDD, description
    config = training.ClassifierTrainingConfig(**_overrides(args, COMMON))
    model, metrics = training.train_digit_classifier(train, test, config)
    description = "Recognises spoken digits; judges the speech generator."
    return "speech-classifier", model, metrics, {"training": vars(config)}, catalog.FSDD, description


def _train_text(args: argparse.Namespace) -> Trained:
    from aigc_demo.data.text import dataset_of, read_text, split_text
    from aigc_demo.text.poetry import classical_poems
    from aigc_demo.training import text as training

    train, valid = split_text(read_text(args.data), args.split)
    if args.classical_only:
        train = classical_poems(train)
        if not train.strip():
            raise ValueError("--classical-only found no poems of classical form in the training text")
    dataset = dataset_of(args.data)
    names = (*COMMON, "seq_len", "cell", "embed_dim", "hidden", "layers", "dropout", "max_vocab")
    config = training.TextTrainingConfig(**_overrides(args, names))
    extras = {"training": vars(config), "split": args.split}
    if args.classical_only:
        extras["training_text"] = "classical-form poems of the training split only"
    description = "Continues a text one character at a time."

    def save_progress(model: torch.nn.Module, metrics: dict[str, float]) -> None:
        if not distributed.is_main():
            return
        path = save(args.out, model, _card("char-rnn", model, metrics, extras, dataset, description), HALF)
        print(f"saved {path} after epoch {metrics['epoch']}", file=sys.stderr)

    start = starting_model(args, "char-rnn")
    if start is not None:
        given = [
            name for name in ("cell", "embed_dim", "hidden", "layers", "max_vocab") if getattr(args, name)
        ]
        if given:
            raise ValueError(
                f"--from keeps the starting model's architecture; drop --{given[0].replace('_', '-')}"
            )
        extras["started_from"] = args.start_from
    model, metrics = training.train_char_rnn(
        train,
        valid,
        config,
        log=args.progress.write,
        on_improved=save_progress,
        monitor=args.progress,
        start_from=start,
        placement=args.placement,
    )
    return "char-rnn", model, metrics, extras, dataset, description


IMAGE_MODEL_KINDS = {"vae": "image-vae", "gan": "image-gan"}


def starting_model(args: argparse.Namespace, kind: str) -> torch.nn.Module | None:
    """The model ``--from`` names (in the hub, or a .safetensors path), checked to be a ``kind``."""
    source = getattr(args, "start_from", None)
    if not source:
        return None
    from aigc_demo import models
    from aigc_demo.backend.checkpoint import load_checkpoint

    if source.endswith(SUFFIX):
        tensors, card = load_checkpoint(Path(source))
        model = models.build(card.kind, card.config)
        model.load_state_dict(tensors)
    else:
        loaded = default_hub().load(source)
        model, card = loaded.module, loaded.entry.card
    if card.kind != kind:
        raise ValueError(f"{source!r} is a {card.kind} model; --from needs a {kind} model here")
    return model


TRAINERS: dict[str, Callable[[argparse.Namespace], Trained]] = {
    "vae": _train_image,
    "gan": _train_image,
    "image-classifier": _train_image,
    "speech": _train_speech,
    "speech-classifier": _train_speech,
    "text": _train_text,
}
# Kinds stored in half precision: the text models' vocabularies make them large, and fp16
# weights sample the same text to within rounding.
HALF = torch.float16
STORAGE = {"char-rnn": HALF}


def _card(
    kind: str,
    model: torch.nn.Module,
    metrics: dict[str, float],
    extras: dict[str, Any],
    dataset: DatasetInfo,
    description: str,
) -> ModelCard:
    return ModelCard(
        kind=kind,
        config=dict(model.config),
        dataset=dataset,
        training_command="python -m aigc_demo " + shlex.join(sys.argv[1:]),
        seed=extras["training"]["seed"],
        metrics=metrics,
        description=description,
        extras={**extras, "training": as_trained(extras["training"], model)},
    )


def public_or_local(data: Path) -> Path:
    """``--data mnist`` (or another public dataset's name) means its cached copy, fetched on
    first use, unless a file or folder of that name is here."""
    from aigc_demo import settings
    from aigc_demo.data.downloads import DATASETS, dataset_path

    if data.exists() or str(data) not in DATASETS:
        return data
    return dataset_path(str(data), settings.dataset_cache())


def run(args: argparse.Namespace) -> int:
    if not args.out.endswith(SUFFIX):
        check_model_name(args.out)  # refuse a bad name before hours of training, not after
    if args.threads:
        torch.set_num_threads(args.threads)
    args.data = public_or_local(args.data)
    distributed.start_from_environment()  # under torchrun: one process of a data-parallel group
    try:
        if distributed.world_size() > 1 and args.kind not in PARALLEL:
            raise ValueError(f"torchrun runs these kinds in parallel: {', '.join(PARALLEL)}; not {args.kind}")
        args.placement = Placement.choose(precision=args.precision) if hasattr(args, "precision") else None
        args.progress = ProgressBar(args.kind, shown=distributed.is_main())
        try:
            kind, model, metrics, extras, dataset, description = TRAINERS[args.kind](args)
        finally:
            args.progress.close()
        if distributed.world_size() > 1:
            # One write per line: the processes share torchrun's stderr, and print() writes the line
            # and its newline separately, so two ranks' lines could run together.
            sys.stderr.write(f"rank {distributed.rank()}: weights {distributed.weights_digest(model)}\n")
        if not distributed.is_main():
            return 0  # one process writes the checkpoint
        if getattr(args, "start_from", None):
            extras["started_from"] = args.start_from
        if args.placement is not None:
            extras["trained_on"] = args.placement.card_entry()
        card = _card(kind, model, metrics, extras, dataset, description)
        path = save(args.out, model, card, STORAGE.get(kind))
        print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB): {metrics}", file=sys.stderr)
        return 0
    finally:
        distributed.stop()
