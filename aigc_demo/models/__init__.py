"""PyTorch model definitions. Importing this package registers every model kind."""

from aigc_demo.models import char_rnn, chat_rnn, glyph_vae, image_classifier, image_gan, image_vae, speech  # noqa: F401  (importing registers the kinds)
from aigc_demo.models.registry import build, is_known, known_kinds, over_limits, register

__all__ = ["build", "is_known", "known_kinds", "over_limits", "register"]
