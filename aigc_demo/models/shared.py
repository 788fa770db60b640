"""Small pieces the generative models share: their argument checks and class conditioning."""

from __future__ import annotations

import torch
from torch import nn


def check_directions(num_directions: int, latent_dim: int) -> None:
    """A model keeps between 1 and ``latent_dim`` principal directions of its latent space."""
    if not 0 < num_directions <= latent_dim:
        raise ValueError(f"num_directions must be between 1 and latent_dim ({latent_dim})")


def check_halvable_twice(size: int) -> None:
    """The image models halve the picture's side twice (two stride-2 convolutions)."""
    if size % 4:
        raise ValueError("size must be a multiple of 4")


def embed_label(embedding: nn.Module, label: torch.Tensor) -> torch.Tensor:
    """Class ids ``(B,)`` → their learned vectors ``(B, width)``. A float tensor ``(B, width)``
    is taken as vectors already: a blend of classes, as when morphing one digit into another."""
    return label if label.is_floating_point() else embedding(label)
