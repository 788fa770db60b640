"""The typeface recipe: a glyph VAE (a style code per typeface, the character as a condition) on the
public ``fonts`` dataset or on a visitor's own font files, fine-tuning the app's model."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from aigc_demo import settings
from aigc_demo.backend.checkpoint import DatasetInfo
from aigc_demo.backend.hub import ModelHub
from aigc_demo.data import catalog
from aigc_demo.data.archive import NO_LIMITS, Limits
from aigc_demo.data.sources import files_named
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
from aigc_demo.training.glyphs import GlyphTrainingConfig, train_glyph_vae
from aigc_demo.training.image import ImageClassifierTrainingConfig, train_image_classifier

PREVIEW_LINES = (("Handgloves", "Quick 0123"), ("永和九年，", "岁在癸丑。"))  # Latin, Chinese
APP_MODEL = "fonts-latin"


def fonts_split(data: Path) -> tuple[Any, Any, str]:
    """(training typefaces, held-out typefaces, what was read) of the public list: about one family in
    ten kept out by name (``data.fonts.is_held_out``)."""
    from aigc_demo.data import fonts
    from aigc_demo.data.font_files import read_font_files

    if str(data) not in ("fonts", "fonts-chinese"):
        glyph_set = read_font_files([data], NO_LIMITS)  # a path on the command line
        return *glyph_set.held_out(), f"{len(glyph_set.glyphs)} typefaces from {data.name}"
    if str(data) == "fonts":
        glyph_set = fonts.build_glyph_set(settings.dataset_cache() / "fonts")
        held = np.array([fonts.is_held_out(family) for family in glyph_set.families])
    else:
        glyph_set = fonts.build_glyph_set(settings.dataset_cache() / "fonts", fonts.HANZI, script="chinese")
        held = np.isin(glyph_set.families, fonts.chinese_held_out())
    train, valid = glyph_set.subset(~held), glyph_set.subset(held)
    about = (
        f"{len(train.glyphs)} typefaces of {len(set(train.families))} families to learn from, "
        f"{len(valid.glyphs)} of {len(set(valid.families))} held out"
    )
    return train, valid, about


class TypefaceRecipe(Recipe):
    name = "typefaces"
    model_kind = "glyph-vae"
    help = "typeface model: a style code per font, every character drawn from it (glyph VAE)"
    data_help = "fonts (the public list of open typeface families), or a folder or zip of font files"
    config_class = GlyphTrainingConfig
    can_start_from = placed = True
    presets: ClassVar[dict] = {
        "tiny": {"style_dim": 16, "channels": 16},
        "base": {"style_dim": 32, "channels": 32},
    }
    settings = ("batch_size", "learning_rate", "beta")
    starts_from_app_model = True
    default_name = "my-typefaces"
    texts: ClassVar[dict] = {
        "kind": ("Your typefaces: fonts", "你的字体"),
        "valid": ("held-out loss (every 10th font)", "留出集损失（每第 10 个字体）"),
        "files": (
            "Fonts: a zip of .ttf, .otf or .woff2 files (at least 2)",
            "字体：.ttf、.otf 或 .woff2 文件的 zip（至少 2 个）",
        ),
        "preview": ("The same made-up typeface writing a line", "同一个虚构字体写的一行字"),
    }

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--beta", type=float, help="weight of the KL term")
        parser.add_argument("--style-dim", type=int, help="numbers in a typeface's style code")
        parser.add_argument("--channels", type=int)
        parser.add_argument("--minutes", type=float, help="a time budget (the run also ends after --epochs)")
        parser.add_argument(
            "--reference-family", help="keep this family's glyphs and re-draw them (many characters)"
        )
        parser.add_argument("--targets", type=int, help="characters drawn per typeface in a step")
        parser.add_argument("--by-family", action="store_true", default=None, help="each family as often")

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        train, valid, about = fonts_split(args.data)
        start = starting_model(hub, args.start_from, self.model_kind, paths=True)
        credit = {"fonts": catalog.FONTS, "fonts-chinese": catalog.FONTS_CHINESE}.get(
            str(args.data), DatasetInfo(name=args.data.name)
        )
        description = "Draws any of its characters in a typeface you move through with sliders."
        return Plan(self.config_from_args(args), (train, valid), start, credit, description, about=about)

    def plan_request(self, request: JobRequest, epochs: int, hub: ModelHub, limits: Limits) -> Plan:
        from aigc_demo.data import fonts
        from aigc_demo.data.font_files import read_font_files

        start = starting_model(hub, request.start_from, self.model_kind)
        chars = start.chars if start is not None else fonts.LATIN
        glyph_set = read_font_files([Path(f) for f in request.files], limits, chars)
        if len(glyph_set.glyphs) < 2:
            raise ValueError("give at least 2 fonts: one to learn from and one to check on")
        config = GlyphTrainingConfig(
            epochs=epochs, seed=request.seed, minutes=float(request.minutes), **self.presets[request.preset]
        )
        if start is not None:
            config.learning_rate = self.fine_tune_rate
        train, valid = glyph_set.held_out()
        apply_settings(config, self.settings, request.settings, start is not None, len(train.glyphs))
        source = files_named(request.files)
        return Plan(
            config,
            (train, valid),
            start,
            DatasetInfo(name=source),
            trained_in_app(source, request),
            origin(request),
        )

    def preview(self, plan: Plan) -> Callable[[torch.nn.Module], Any]:
        return typeface_preview

    def train(self, plan: Plan, run: Run) -> Trained:
        train, valid = plan.data
        model, metrics, directions = train_glyph_vae(
            train, valid, plan.config, on_improved=run.on_improved, **run.loop_options(plan)
        )
        summary = f"held-out loss {metrics['valid_loss_nats']:.0f} nats per font"
        families = family_rows(sorted(set(train.families)))
        return Trained(model, metrics, {"directions": directions, "families": families}, summary)


def family_rows(names: list[str]) -> list[list[str]]:
    """The card's rows for the families a model keeps the styles of (in the order of its
    ``family_codes``): id, name, category and licence."""
    from aigc_demo.data.fonts import family_about

    cache = settings.dataset_cache() / "fonts"
    return [family_about(cache, name) for name in names]


@torch.no_grad()
def typeface_preview(model: torch.nn.Module) -> Any:
    """The middle typeface (a code of zeros) writing two short lines, so each preview shows it improving."""
    from aigc_demo.pipelines.typefaces import line_picture, stacked

    style = torch.zeros(model.style_dim, device=next(model.parameters()).device)
    drawn = max(PREVIEW_LINES, key=lambda pair: sum(ch in model.index for ch in "".join(pair)))
    lines = ["".join(ch for ch in line if ch in model.index or ch == " ") for line in drawn]
    return stacked([line_picture(model, style, line) for line in lines if line.strip()])


def glyph_images(glyph_set: Any) -> Any:
    """Every present glyph of a glyph set as the character classifier reads it (28 x 28), labelled."""
    from aigc_demo.data.mnist import ImageSet
    from aigc_demo.evaluation.typefaces import judged

    glyphs, present = torch.from_numpy(glyph_set.glyphs), torch.from_numpy(glyph_set.present)
    labels = torch.arange(len(glyph_set.chars)).expand(len(glyphs), -1)[present]
    real = glyphs[present]
    images = torch.cat([judged(real[i : i + 5000].float() / 255) for i in range(0, len(real), 5000)])
    return ImageSet(images, labels, tuple(glyph_set.chars))


class TypefaceClassifierRecipe(Recipe):
    name = "typeface-classifier"
    model_kind = "image-classifier"
    help = "character classifier on real fonts' glyphs, which judges the typeface model"
    data_help = "fonts or fonts-chinese (the public list of open typeface families)"
    config_class = ImageClassifierTrainingConfig

    def plan_from_args(self, args: argparse.Namespace, hub: ModelHub) -> Plan:
        train, valid, about = fonts_split(args.data)
        description = "Reads which character a 28 x 28 glyph shows; judges the typeface model."
        data = (glyph_images(train), glyph_images(valid))
        credit = catalog.FONTS_CHINESE if str(args.data) == "fonts-chinese" else catalog.FONTS
        return Plan(self.config_from_args(args), data, None, credit, description, about=about)

    def train(self, plan: Plan, run: Run) -> Trained:
        model, metrics = train_image_classifier(*plan.data, plan.config, log=run.log)
        return Trained(model, metrics)
