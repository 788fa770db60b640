"""The picture recipes: a VAE or a GAN on MNIST-format files, a zip of pictures or a visitor's
uploads; a beta-VAE on the built-in sprites; the classifier that judges the image models."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch

from aigc_demo.backend.hub import ModelHub
from aigc_demo.data.archive import Limits
from aigc_demo.data.mnist import ImageSet
from aigc_demo.data.sources import (
    files_named,
    has_pictures,
    image_credit,
    image_splits,
    is_sprites,
    uploads_credit,
)
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
from aigc_demo.training.common import drawn_shape, evaluating
from aigc_demo.training.gan import ImageGANTrainingConfig, new_image_gan, train_image_gan
from aigc_demo.training.image import (
    ImageClassifierTrainingConfig,
    ImageVAETrainingConfig,
    new_image_vae,
    train_image_classifier,
    train_image_vae,
)

IMAGE_DATA_HELP = (
    "folder of MNIST-format IDX files, a folder or zip of pictures (one subfolder per class), "
    "'sprites' for the built-in procedural sprites, or mnist / fashion-mnist (downloaded on first use)"
)
HELD_OUT = 0.1  # share of a visitor's pictures kept aside to measure the model on
PREVIEW_TILES = 16


@dataclass
class Pictures:
    """What an image recipe trains on, and how to label the directions it finds."""

    train: ImageSet
    test: ImageSet
    labelling: dict[str, Any] = field(default_factory=dict)  # traits and class names, as the loops take
    judge: torch.nn.Module | None = None  # a classifier that scores a GAN's epochs


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


class ImageRecipe(Recipe):
    """What the VAE and the GAN share: their data, their starting model, their previews."""

    data_help = IMAGE_DATA_HELP
    can_start_from = placed = parallel = True
    public_datasets = ("mnist", "fashion-mnist")
    preview_texts: ClassVar[dict] = {
        "files": (
            "Pictures: a zip (one folder per class, e.g. 0/, 1/), picture files, or MNIST IDX files",
            "图片：zip（每类一个文件夹，如 0/、1/）、图片文件或 MNIST IDX 文件",
        ),
        "preview": ("What the model draws from the same 16 codes", "模型从同样 16 个编码画出的图"),
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--latent-dim", type=int)
        parser.add_argument("--channels", type=int)
        parser.add_argument("--directions", type=int, dest="num_directions", help="latent sliders to find")

    def read_args(self, args: argparse.Namespace, hub: ModelHub) -> tuple[Pictures, torch.nn.Module | None]:
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        train, test, labelling = image_splits(args.data, **drawn_shape(start))
        return Pictures(train, test, labelling), start

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        """Pictures are read here, at the starting model's size when there is one."""
        from aigc_demo.data.images import load_training_images

        start = starting_model(hub, request.start_from, self.model_kind)
        data = load_training_images(request.files, limits, **drawn_shape(start))
        train, test = data.held_out(HELD_OUT, request.seed)
        if start is not None and start.classes and int(data.labels.max()) >= start.classes:
            raise ValueError(
                f"{request.start_from!r} draws {start.classes} classes; the pictures are in "
                f"{int(data.labels.max()) + 1} folders"
            )
        sizes = self.presets[request.preset]
        common = {
            "epochs": epochs,
            "batch_size": 64,
            "seed": request.seed,
            "num_directions": min(8, sizes["latent_dim"]),
        }
        if start is not None:
            common["learning_rate"] = self.fine_tune_rate
        config = self.app_config(common, sizes, conditional=len(data.class_names) > 1)
        apply_settings(config, self.settings, request.settings, start is not None, len(train))
        names = train.class_names or None
        extras: dict[str, Any] = origin(request) | ({"class_names": list(names)} if names else {})
        description = trained_in_app(files_named(request.files), request)
        pictures = Pictures(train, test, {"class_names": names})
        return Plan(config, pictures, start, uploads_credit(request.files), description, extras)

    def app_config(self, common: dict[str, Any], sizes: dict[str, Any], conditional: bool) -> Any:
        raise NotImplementedError

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], Any]:
        return picture_preview

    def footprint(self, plan: Plan) -> tuple[int, int]:
        """The model's weights, counted on the meta device (nothing allocated); per step, about 10
        bytes per channel per pixel of the batch — measured on this machine: a base VAE step at
        batch 1024 took 1.8 GB on 64 x 64 pictures (estimate 2.0), 0.48 GB on 32 x 32 colour (0.50)."""
        pictures: Pictures = plan.data
        shape = pictures.train.images.shape
        classes = int(pictures.train.labels.max()) + 1 if getattr(plan.config, "conditional", False) else 0
        model = planned_model(plan, lambda: self.new_model(plan.config, classes, shape))
        step_bytes = 10 * model.config["channels"] * plan.config.batch_size * shape[-1] * shape[-2]
        return parameter_count(model), step_bytes

    def new_model(self, config: Any, classes: int, shape: tuple[int, ...]) -> torch.nn.Module:
        raise NotImplementedError


class VAERecipe(ImageRecipe):
    name = "vae"
    model_kind = "image-vae"
    help = "image VAE on MNIST-format IDX files"
    config_class = ImageVAETrainingConfig
    presets: ClassVar[dict] = {
        "tiny": {"latent_dim": 8, "channels": 16, "hidden": 128},
        "small": {"latent_dim": 16, "channels": 32, "hidden": 256},
        "base": {"latent_dim": 16, "channels": 48, "hidden": 512},
    }
    settings = ("batch_size", "learning_rate", "latent_dim", "beta")
    default_name = "my-picture-vae"
    texts: ClassVar[dict] = {
        "kind": ("Your pictures: VAE", "你的图片：VAE"),
        "valid": ("held-out negative ELBO (10% of your pictures)", "留出集负 ELBO（你的图片的 10%）"),
        **ImageRecipe.preview_texts,
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--beta", type=float, help="weight of the KL term")
        super().add_arguments(parser)
        parser.add_argument("--conditional", action="store_true", help="condition on the class label")
        parser.add_argument(
            "--prior-components",
            type=int,
            help="Gaussians of the learned prior fitted to the training codes after training "
            "(default 32; 0 samples from N(0, I))",
        )

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        pictures, start = self.read_args(args, hub)
        drawn = "digits"
        if is_sprites(args.data):
            drawn = "coloured shapes (square, circle, triangle)"
        elif has_pictures(args.data):
            drawn = "pictures like its training set's"
        about = f"{len(pictures.train)} training and {len(pictures.test)} test images"
        config = self.config_from_args(args)
        return Plan(
            config,
            pictures,
            start,
            image_credit(args.data),
            f"Draws {drawn} from a latent code.",
            about=about,
        )

    def app_config(self, common: dict[str, Any], sizes: dict[str, Any], conditional: bool) -> Any:
        return ImageVAETrainingConfig(**common, **sizes)

    def new_model(self, config: Any, classes: int, shape: tuple[int, ...]) -> torch.nn.Module:
        return new_image_vae(config, classes, shape)

    def train(self, plan: Plan, run: Run) -> Trained:
        from aigc_demo.training.latent_map import latent_map

        pictures: Pictures = plan.data
        model, metrics, directions = train_image_vae(
            pictures.train,
            pictures.test,
            plan.config,
            **run.loop_options(plan),
            **pictures.labelling,
        )
        names = pictures.labelling.get("class_names")
        extras = {"directions": directions, "map": latent_map(model, pictures.test, class_names=names)}
        summary = f"held-out negative ELBO {metrics['test_nelbo_nats']:.1f} nats per picture"
        return Trained(model, metrics, extras, summary)


class GANRecipe(ImageRecipe):
    name = "gan"
    model_kind = "image-gan"
    help = "image GAN (class-conditional) on MNIST-format IDX files"
    config_class = ImageGANTrainingConfig
    presets: ClassVar[dict] = {
        "tiny": {"latent_dim": 32, "channels": 16},
        "small": {"latent_dim": 32, "channels": 32},
        "base": {"latent_dim": 64, "channels": 48},
    }
    settings = ("batch_size", "learning_rate", "latent_dim")
    fine_tune_rate = 1e-4
    default_name = "my-picture-gan"
    texts: ClassVar[dict] = {"kind": ("Your pictures: GAN", "你的图片：GAN"), **ImageRecipe.preview_texts}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--unconditional",
            dest="conditional",
            action="store_false",
            default=None,
            help="ignore the labels",
        )
        parser.add_argument(
            "--class-weight",
            type=float,
            help="weight of the critic's class head in both losses (default 0.5; 0: no class head)",
        )
        parser.add_argument(
            "--judge",
            default="mnist-classifier",
            help="image classifier whose features score each epoch (Fréchet distance; the best epoch is "
            "kept); 'none' keeps the last epoch",
        )

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        pictures, start = self.read_args(args, hub)
        extras = {}
        if args.judge != "none":
            pictures.judge = hub.load(args.judge).module
            extras["judge"] = args.judge
        about = f"{len(pictures.train)} training and {len(pictures.test)} test images"
        config = self.config_from_args(args)
        return Plan(
            config,
            pictures,
            start,
            image_credit(args.data),
            "Draws a chosen digit from noise.",
            extras,
            about,
        )

    def app_config(self, common: dict[str, Any], sizes: dict[str, Any], conditional: bool) -> Any:
        return ImageGANTrainingConfig(**common, **sizes, conditional=conditional)

    def new_model(self, config: Any, classes: int, shape: tuple[int, ...]) -> torch.nn.Module:
        return new_image_gan(config, classes, shape)

    def train(self, plan: Plan, run: Run) -> Trained:
        pictures: Pictures = plan.data
        model, metrics, directions = train_image_gan(
            pictures.train,
            plan.config,
            pictures.judge,
            **run.loop_options(plan),
        )
        return Trained(model, metrics, {"directions": directions}, f"{metrics['epochs_run']} epochs")


class SpritesRecipe(VAERecipe):
    """A beta-VAE on the built-in procedural sprites: nothing to give, nothing to download. On the
    command line it is ``train vae --data sprites``."""

    name = "sprites"
    help = "beta-VAE on the built-in sprites"
    data_help = ""  # the command line's vae recipe reads ``--data sprites``
    can_start_from = parallel = False
    public_datasets = ()
    # How many sprites it learns from, and its sizes; "tiny" shows recognisable shapes in about a minute.
    presets: ClassVar[dict] = {
        "tiny": {"count": 6000, "latent_dim": 6, "channels": 16, "hidden": 128},
        "small": {"count": 20_000, "latent_dim": 8, "channels": 32, "hidden": 256},
        "base": {"count": 50_000, "latent_dim": 10, "channels": 32, "hidden": 256},
    }
    beta = 4.0
    test_count = 1000
    gives = "nothing"
    default_name = "my-shapes"
    texts: ClassVar[dict] = {
        "kind": ("Shapes (β-VAE on built-in coloured shapes)", "图形（在内置彩色图形上训练 β-VAE）"),
        "valid": ("test negative ELBO (1,000 new shapes)", "测试负 ELBO（1000 个新图形）"),
        "preview": ImageRecipe.preview_texts["preview"],
    }

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        from aigc_demo.data import catalog

        count = self.presets[request.preset]["count"]
        sizes = {k: v for k, v in self.presets[request.preset].items() if k != "count"}
        config = ImageVAETrainingConfig(
            epochs=epochs,
            batch_size=64,
            beta=self.beta,
            num_directions=min(8, sizes["latent_dim"]),
            seed=request.seed,
            **sizes,
        )
        apply_settings(config, self.settings, request.settings, False, count)
        description = f"Draws coloured shapes; trained in the app ({request.preset} preset)."
        return Plan(config, count, None, catalog.SPRITES, description, {"preset": request.preset})

    def footprint(self, plan: Plan) -> None:
        return None  # the presets' sizes on 32 x 32 sprites, batches of at most the presets' counts

    def train(self, plan: Plan, run: Run) -> Trained:
        """The sprites are drawn here, in the job's thread, not while the request waits."""
        from aigc_demo.data.sprites import SHAPES, make_sprites

        seed = plan.config.seed
        data, test = make_sprites(plan.data, seed=seed), make_sprites(self.test_count, seed=seed + 1)
        traits = {k: v for k, v in data.factors.items() if k != "shape"}
        labelling = {"traits": traits, "class_names": SHAPES}
        drawn = Plan(
            plan.config, Pictures(data.as_image_set(), test.as_image_set(), labelling), None, plan.dataset, ""
        )
        trained = super().train(drawn, run)
        trained.summary = f"test negative ELBO {trained.metrics['test_nelbo_nats']:.1f} nats per image"
        return trained


class ImageClassifierRecipe(Recipe):
    name = "image-classifier"
    model_kind = "image-classifier"
    help = "image classifier that judges image models"
    data_help = IMAGE_DATA_HELP
    config_class = ImageClassifierTrainingConfig

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        train, test, _ = image_splits(Path(args.data))
        about = f"{len(train)} training and {len(test)} test images"
        description = "Recognises digits; judges the image generators."
        return Plan(
            self.config_from_args(args),
            (train, test),
            None,
            image_credit(args.data),
            description,
            about=about,
        )

    def train(self, plan: Plan, run: Run) -> Trained:
        model, metrics = train_image_classifier(*plan.data, plan.config, log=run.log)
        return Trained(model, metrics)
