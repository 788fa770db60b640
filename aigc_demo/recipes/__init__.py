"""The recipes: one per trainable kind, and the one list the CLI, the Train tab and the job slot read.

Adding a trainable kind is a new recipe module (and its model, loop and pipeline) plus one line here.
"""

from __future__ import annotations

from aigc_demo.recipes.base import JobRequest, Plan, Recipe, Run, Trained
from aigc_demo.recipes.chat import ChatRecipe
from aigc_demo.recipes.images import GANRecipe, ImageClassifierRecipe, SpritesRecipe, VAERecipe
from aigc_demo.recipes.speech import SpeechClassifierRecipe, SpeechRecipe
from aigc_demo.recipes.text import TextRecipe
from aigc_demo.recipes.typefaces import TypefaceClassifierRecipe, TypefaceRecipe
from aigc_demo.recipes.video import WorldModelRecipe

RECIPES: tuple[Recipe, ...] = (
    TextRecipe(),
    SpritesRecipe(),
    VAERecipe(),
    GANRecipe(),
    SpeechRecipe(),
    ImageClassifierRecipe(),
    SpeechClassifierRecipe(),
    ChatRecipe(),
    TypefaceRecipe(),
    TypefaceClassifierRecipe(),
    WorldModelRecipe(),
)

__all__ = [
    "RECIPES",
    "JobRequest",
    "Plan",
    "Recipe",
    "Run",
    "Trained",
    "app_recipes",
    "cli_recipes",
    "recipe",
]


def recipe(name: str) -> Recipe:
    """The recipe called ``name``; a ``ValueError`` naming the others for an unknown one."""
    for found in RECIPES:
        if found.name == name:
            return found
    raise ValueError(f"kind must be one of {', '.join(r.name for r in RECIPES)}, got {name!r}")


def app_recipes() -> tuple[Recipe, ...]:
    """The recipes a visitor can train in the Train tab, in the order it lists them."""
    return tuple(r for r in RECIPES if r.in_app)


def cli_recipes() -> tuple[Recipe, ...]:
    """The recipes ``python -m aigc_demo train KIND`` offers."""
    return tuple(r for r in RECIPES if r.data_help)
