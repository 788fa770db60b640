"""Principal directions of a latent space, found from the codes of a training set."""

from __future__ import annotations

import math

import torch


def principal_axes(codes: torch.Tensor, k: int) -> torch.Tensor:
    """The top-``k`` principal axes of ``codes`` (``(N, D)``), each scaled to one standard deviation.

    Moving one unit along a returned row moves a code by one standard deviation of the data
    along that axis (the GANSpace idea, applied to a VAE's posterior means).
    """
    centred = codes - codes.mean(0)
    _, singular, axes = torch.linalg.svd(centred, full_matrices=False)
    scale = singular[:k] / math.sqrt(len(codes) - 1)
    return axes[:k] * scale[:, None]


def pearson(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two 1-D tensors over the positions where both are finite."""
    keep = torch.isfinite(a) & torch.isfinite(b)
    a, b = a[keep] - a[keep].mean(), b[keep] - b[keep].mean()
    return float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-12))
