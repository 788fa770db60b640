"""A small class-conditional GAN for 28 x 28 single-channel images (MNIST and friends).

Generator: noise and a learned class embedding → a 7 x 7 feature map → two transposed
convolutions → pixels in [0, 1] (the same image space as the VAE, so every latent tool works on
both). Critic: spectrally normalised convolutions (Miyato et al., 2018), which keep it smooth
enough for the hinge loss to train stably without a gradient penalty, and a projection head for
the class (Miyato & Koyama, 2018): the class enters as an inner product with the features, the
form that makes a conditional critic score "is this a real 7?" rather than "is this real?".
With ``class_head`` the critic also names the digit it sees (a classifier head on its features,
trained on real pictures only); the generator is then also rewarded when its picture is named as
the digit asked for (the auxiliary-classifier idea of Odena et al., 2017, added to the projection).

Both halves live in one module so a checkpoint can resume or fine-tune a run; the explorer only
ever calls ``decode``.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from aigc_demo.models.registry import register
from aigc_demo.models.shared import check_directions, check_halvable_twice, embed_label


class Generator(nn.Module):
    def __init__(self, latent_dim: int, channels: int, classes: int, grid: int, image_channels: int):
        super().__init__()
        self.grid, self.width = grid, 2 * channels
        self.label_embedding = nn.Embedding(classes, latent_dim) if classes else None
        inputs = 2 * latent_dim if classes else latent_dim
        self.project = nn.Sequential(
            nn.Linear(inputs, self.width * grid * grid, bias=False),
            nn.BatchNorm1d(self.width * grid * grid),
            nn.ReLU(),
        )
        self.upsample = nn.Sequential(
            nn.ConvTranspose2d(self.width, channels, 4, 2, 1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.ConvTranspose2d(channels, image_channels, 4, 2, 1),
        )

    def features(self, z: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
        """The first feature map, flat: ``(B, width * grid * grid)``."""
        if self.label_embedding is not None:
            z = torch.cat([z, embed_label(self.label_embedding, label)], dim=1)
        return self.project(z)

    def forward(self, z: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
        features = self.features(z, label).view(len(z), self.width, self.grid, self.grid)
        return self.upsample(features)  # logits of the pixel intensities


class Critic(nn.Module):
    def __init__(self, channels: int, classes: int, grid: int, image_channels: int, class_head: bool = False):
        super().__init__()
        self.features = nn.Sequential(
            spectral_norm(nn.Conv2d(image_channels, channels, 4, 2, 1)),
            nn.LeakyReLU(0.2),
            spectral_norm(nn.Conv2d(channels, 2 * channels, 4, 2, 1)),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        flat = 2 * channels * grid * grid
        self.score = spectral_norm(nn.Linear(flat, 1))
        self.label_embedding = spectral_norm(nn.Embedding(classes, flat)) if classes else None
        self.classify = nn.Linear(flat, classes) if class_head and classes else None

    def forward(
        self, image: torch.Tensor, label: torch.Tensor | None, with_classes: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """One realness score per image, ``(B,)``; large means "looks real (and of that class)".
        ``with_classes`` (a critic with a class head): also the logits of the digit it sees."""
        features = self.features(image * 2 - 1)
        score = self.score(features)[:, 0]
        if self.label_embedding is not None:
            score = score + (self.label_embedding(label) * features).sum(1)
        return (score, self.classify(features)) if with_classes else score


@register("image-gan")
class ImageGAN(nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {
        "latent_dim": 128,
        "channels": 64,
        "classes": 100,
        "size": 32,
        "image_channels": 3,
        "num_directions": 8,
    }

    def __init__(
        self,
        latent_dim: int = 32,
        channels: int = 32,
        classes: int = 10,
        size: int = 28,
        image_channels: int = 1,
        num_directions: int = 8,
        class_head: bool = False,
    ):
        super().__init__()
        check_halvable_twice(size)
        check_directions(num_directions, latent_dim)
        self.config = {
            "latent_dim": latent_dim,
            "channels": channels,
            "classes": classes,
            "size": size,
            "image_channels": image_channels,
            "num_directions": num_directions,
        }
        if class_head and classes:  # only then, so a card written before the class head still matches
            self.config["class_head"] = True
        self.latent_dim, self.classes = latent_dim, classes
        self.generator = Generator(latent_dim, channels, classes, size // 4, image_channels)
        self.critic = Critic(channels, classes, size // 4, image_channels, class_head)
        # Directions in noise space that move the picture most (see training/gan.py), one per
        # row, unit length: the prior is N(0, I), so one unit is one standard deviation.
        self.register_buffer("directions", torch.zeros(num_directions, latent_dim))

    def _check_label(self, label: torch.Tensor | None) -> None:
        if self.classes and label is None:
            raise ValueError("this model is class-conditional: give a class label")

    def decode(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        """Noise ``(B, latent)`` (and classes ``(B,)``) → images ``(B, C, H, W)`` in [0, 1]."""
        self._check_label(label)
        return torch.sigmoid(self.generator(z, label))

    def class_embedding(self, label: torch.Tensor) -> torch.Tensor:
        """The learned vectors of classes ``(B,)``; blends of them may be passed to ``decode``."""
        return self.generator.label_embedding(label)

    def realness(self, image: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        self._check_label(label)
        return self.critic(image, label)
