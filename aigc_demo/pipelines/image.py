"""Pictures from image models: a latent code (seed + slider offsets, optional class) → pixels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from aigc_demo.backend.hub import LoadedModel
from aigc_demo.pipelines.latents import steered_latent

UPSCALE = 10  # 28 x 28 → 280 x 280, nearest-neighbour so every pixel stays crisp


def check_label(model: torch.nn.Module, label: int | float | str | None) -> torch.Tensor | None:
    """The class as a one-element tensor for a class-conditional model; ``None`` otherwise."""
    classes = getattr(model, "classes", 0)
    if not classes:
        return None
    try:
        value = int(label)
    except (TypeError, ValueError):
        raise ValueError(f"this model draws a chosen class: pick one from 0 to {classes - 1}") from None
    if not 0 <= value < classes or value != float(label):
        raise ValueError(f"class must be a whole number from 0 to {classes - 1}, got {label!r}")
    return torch.tensor([value], device=model.directions.device)


def to_picture(image: torch.Tensor, scale: int = UPSCALE) -> np.ndarray:
    """``(C, H, W)`` in [0, 1] → uint8 ``(H*scale, W*scale)`` (grey) or ``(.., 3)`` (colour)."""
    pixels = (image.clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
    pixels = pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


@torch.inference_mode()
def decode(
    loaded: LoadedModel, seed: int, offsets: Sequence[float] = (), label: int | None = None
) -> np.ndarray:
    """The picture for a seed, slider offsets along the model's directions and (maybe) a class."""
    model = loaded.module
    z = steered_latent(model, seed, offsets).unsqueeze(0)
    return to_picture(model.decode(z, check_label(model, label))[0])
