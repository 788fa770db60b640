"""PyTorch model definitions. Importing this package registers every model kind."""

from aigc_demo.models import speech  # noqa: F401  (registers the speech kinds)
from aigc_demo.models.registry import build, is_known, known_kinds, register

__all__ = ["build", "is_known", "known_kinds", "register"]
