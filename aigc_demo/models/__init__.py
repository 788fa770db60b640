"""PyTorch model definitions. Importing this package registers every model kind."""

from aigc_demo.models import (  # noqa: F401  (importing each module registers its kinds)
    char_rnn,
    chat_rnn,
    glyph_vae,
    image_classifier,
    image_gan,
    image_vae,
    speech,
    world_model,
)
from aigc_demo.models.registry import build, is_known, known_kinds, over_limits, register

__all__ = ["build", "is_known", "known_kinds", "over_limits", "register"]
