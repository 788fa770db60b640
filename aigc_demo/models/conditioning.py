"""Class conditioning shared by the image models."""

from __future__ import annotations

import torch
from torch import nn


def embed_label(embedding: nn.Module, label: torch.Tensor) -> torch.Tensor:
    """Class ids ``(B,)`` → their learned vectors ``(B, width)``. A float tensor ``(B, width)``
    is taken as vectors already: a blend of classes, as when morphing one digit into another."""
    return label if label.is_floating_point() else embedding(label)
