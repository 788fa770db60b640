"""Procedural sprites: coloured shapes whose every generating factor is known (after dSprites).

Each image is one shape (square, circle or triangle) on black, with its size, rotation,
position and hue drawn independently and uniformly. Rendering is exact and needs no files: a
signed distance to the shape's edge is computed for every pixel, and pixels within half a pixel
of the edge are shaded by how far inside they lie (anti-aliasing). Because the factors are known,
a model's latent directions can be labelled with what they really control and how well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from aigc_demo.data.mnist import ImageSet

SHAPES = ("square", "circle", "triangle")
SIZE = 32
MAX_SPRITES = 200_000
# Ranges of the continuous factors. Rotation stops short of the square's 90-degree symmetry so
# that every angle looks different; hue stops short of the colour wheel's wrap back to red.
RANGES = {
    "size": (0.14, 0.3),  # circumradius, as a share of the image side
    "rotation": (0.0, math.pi / 4),
    "x": (0.3, 0.7),
    "y": (0.3, 0.7),
    "hue": (0.0, 0.8),
}
FACTORS = ("shape", *RANGES)


@dataclass(frozen=True)
class SpriteSet:
    images: torch.Tensor  # (N, 3, H, W) in [0, 1]
    factors: dict[str, torch.Tensor]  # "shape" (N,) int64 index into SHAPES; the others (N,) float

    def __len__(self) -> int:
        return len(self.images)

    def as_image_set(self) -> ImageSet:
        """The images labelled by shape, in the form the image trainers take."""
        return ImageSet(self.images, self.factors["shape"])


def _hue_to_rgb(hue: torch.Tensor) -> torch.Tensor:
    """Fully saturated, full-value colours for hues in [0, 1): ``(N,)`` → ``(N, 3)``."""
    k = (torch.tensor([5.0, 3.0, 1.0]) + hue[:, None] * 6) % 6  # the HSV formula, S = V = 1
    return 1 - torch.minimum(k, 4 - k).clamp(0, 1)


def _distance(shape: torch.Tensor, u: torch.Tensor, v: torch.Tensor, radius: torch.Tensor) -> torch.Tensor:
    """Signed distance (negative inside) of points ``(u, v)``, in the sprite's own rotated frame,
    to a shape of circumradius ``radius``; regular polygons by their farthest edge."""
    circle = (u**2 + v**2).sqrt() - radius
    polygons = []
    for sides in (4, 3):
        apothem = radius * math.cos(math.pi / sides)
        normals = [2 * math.pi * k / sides + math.pi / 2 for k in range(sides)]  # one edge faces up
        edges = [u * math.cos(normal) + v * math.sin(normal) for normal in normals]
        polygons.append(torch.stack(edges).amax(0) - apothem)
    square, triangle = polygons
    return torch.where(shape == 0, square, torch.where(shape == 1, circle, triangle))


def render(factors: dict[str, torch.Tensor], size: int = SIZE) -> torch.Tensor:
    """Images ``(N, 3, size, size)`` of the sprites described by ``factors`` (see ``FACTORS``)."""
    count = len(factors["shape"])
    centres = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    ys, xs = centres.view(1, -1, 1), centres.view(1, 1, -1)

    def column(name: str) -> torch.Tensor:
        return factors[name].float().view(count, 1, 1)

    dx, dy = xs - column("x"), column("y") - ys  # y grows upwards in the sprite's frame
    angle = column("rotation")
    u = dx * torch.cos(angle) + dy * torch.sin(angle)
    v = -dx * torch.sin(angle) + dy * torch.cos(angle)
    inside = _distance(factors["shape"].view(count, 1, 1), u, v, column("size"))
    coverage = (0.5 - inside * size).clamp(0, 1)  # one pixel of soft edge
    colour = _hue_to_rgb(factors["hue"].float())
    return coverage[:, None] * colour[:, :, None, None]


def random_factors(count: int, seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    factors = {"shape": torch.randint(len(SHAPES), (count,), generator=generator)}
    for name, (low, high) in RANGES.items():
        factors[name] = low + (high - low) * torch.rand(count, generator=generator)
    return factors


def make_sprites(count: int, seed: int = 0, size: int = SIZE) -> SpriteSet:
    """``count`` sprites with independent, uniformly drawn factors; the same seed, the same set."""
    if not 1 <= count <= MAX_SPRITES:
        raise ValueError(f"the number of sprites must be between 1 and {MAX_SPRITES:,}")
    factors = random_factors(count, seed)
    images = torch.cat(
        [render({k: v[i : i + 4096] for k, v in factors.items()}, size) for i in range(0, count, 4096)]
    )
    return SpriteSet(images, factors)
