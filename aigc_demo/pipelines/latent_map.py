"""The latent map: where real images lie in a model's latent space, flattened to two axes.

The axes are the two linear discriminants of the stored codes (see ``training.latent_map``):
the directions along which the digits' mean codes lie furthest apart relative to the spread
within each digit, so the digits form visible groups. (The principal directions behind the
sliders track style - slant, width - and mix every digit together.) The picture colours
points by label and rings the current position; a click picks the nearest stored code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

from aigc_demo.backend.hub import LoadedModel

SIZE = 360
MARGIN = 24
# Ten well-separated colours (the Tableau 10 palette), one per digit.
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


@dataclass(frozen=True)
class LatentMap:
    codes: torch.Tensor  # (N, latent) on the model's device
    labels: list[int]
    axes: torch.Tensor  # (2, latent): the two discriminant directions
    points: np.ndarray  # (N, 2) coordinates of the stored codes along the axes
    low: np.ndarray  # (2,) lower corner of the drawn area
    high: np.ndarray  # (2,) upper corner
    names: list[str]  # class names by label, for the legend

    def coordinates(self, code: torch.Tensor) -> np.ndarray:
        return (code.to(self.axes) @ self.axes.T).cpu().numpy()

    def to_pixel(self, point: np.ndarray) -> tuple[float, float]:
        x, y = (point - self.low) / (self.high - self.low)
        return MARGIN + x * (SIZE - 2 * MARGIN), SIZE - MARGIN - y * (SIZE - 2 * MARGIN)

    def inside(self) -> np.ndarray:
        """Which stored points lie within the drawn frame (the farthest 1% are left out, so no dot
        is drawn over the legend or beyond the axes)."""
        return ((self.points >= self.low) & (self.points <= self.high)).all(1)

    def nearest(self, pixel_x: float, pixel_y: float) -> int:
        """The index of the drawn point nearest to a clicked pixel."""
        drawn = np.array([self.to_pixel(p) for p in self.points])
        distance = ((drawn - (pixel_x, pixel_y)) ** 2).sum(1)
        return int(np.argmin(np.where(self.inside(), distance, np.inf)))


def discriminant_axes(codes: torch.Tensor, labels: torch.Tensor, count: int = 2) -> torch.Tensor:
    """The ``count`` leading linear discriminants (Fisher's LDA) of labelled codes, as rows."""
    classes = labels.unique()
    centred = codes - codes.mean(0)
    means = torch.stack([centred[labels == c].mean(0) for c in classes])
    within = sum(
        torch.cov((centred[labels == c] - m).T, correction=0) for c, m in zip(classes, means, strict=True)
    )
    within = within / len(classes) + 1e-4 * torch.eye(codes.shape[1], device=codes.device)
    values, vectors = torch.linalg.eigh(within)
    whiten = vectors @ torch.diag(values.rsqrt()) @ vectors.T
    _, _, right = torch.linalg.svd(means @ whiten, full_matrices=False)
    axes = right[:count] @ whiten
    return axes * torch.sign(axes.sum(1, keepdim=True))  # a fixed orientation for a given model


def has_map(loaded: LoadedModel) -> bool:
    return bool(loaded.entry.card.extras.get("map"))


def load_map(loaded: LoadedModel) -> LatentMap:
    stored = loaded.entry.card.extras.get("map")
    model = loaded.module
    if not has_map(loaded):
        raise ValueError(f"{loaded.entry.name!r} carries no latent map")
    codes = torch.tensor(stored["codes"], dtype=torch.float32, device=model.directions.device)
    if codes.ndim != 2 or codes.shape[1] != model.latent_dim:
        raise ValueError(f"the latent map of {loaded.entry.name!r} does not match its latent size")
    labels = torch.tensor(stored["labels"], device=codes.device)
    if len(labels) != len(codes) or len(labels.unique()) < 3:
        raise ValueError(
            f"the latent map of {loaded.entry.name!r} needs labelled codes of three or more classes"
        )
    axes = discriminant_axes(codes, labels)
    points = (codes @ axes.T).cpu().numpy()
    low, high = np.percentile(points, 0.5, axis=0), np.percentile(points, 99.5, axis=0)
    pad = (high - low) * 0.05
    names = [str(n) for n in stored.get("names", [])] or [str(i) for i in range(int(labels.max()) + 1)]
    return LatentMap(codes, labels.tolist(), axes, points, low - pad, high + pad, names)


def map_picture(latent: LatentMap, marker: Sequence[float] | None = None) -> np.ndarray:
    """An RGB picture of the map, with a ring at ``marker`` (coordinates) when given."""
    picture = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle([MARGIN, MARGIN, SIZE - MARGIN, SIZE - MARGIN], outline="#cccccc")
    for point, label, shown in zip(latent.points, latent.labels, latent.inside(), strict=True):
        if not shown:
            continue
        x, y = latent.to_pixel(point)
        draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=PALETTE[label % len(PALETTE)])
    left = MARGIN
    for label in sorted(set(latent.labels)):  # legend along the top edge
        name = latent.names[label] if label < len(latent.names) else str(label)
        draw.rectangle([left, 6, left + 8, 14], fill=PALETTE[label % len(PALETTE)])
        draw.text((left + 11, 4), name, fill="black")
        left += 11 + int(draw.textlength(name)) + 12
    draw.text((SIZE - MARGIN - 70, SIZE - MARGIN + 6), "axis 1 ->", fill="#555555")
    draw.text((MARGIN + 4, MARGIN + 4), "^ axis 2", fill="#555555")
    if marker is not None:
        x, y = latent.to_pixel(np.asarray(marker, dtype=float))
        x, y = min(max(x, 4), SIZE - 4), min(max(y, 4), SIZE - 4)  # keep far-off positions on the edge
        draw.ellipse([x - 7, y - 7, x + 7, y + 7], outline="black", width=3)
    return np.asarray(picture)
