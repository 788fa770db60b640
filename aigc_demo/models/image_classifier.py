"""A small CNN that recognises the class of a 28 x 28 image; it judges the image generators.

Its penultimate layer (``embed``) gives the features that the Fréchet distance between
generated and real images is measured in, as FID does with Inception features.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from aigc_demo.models.registry import register


@register("image-classifier")
class ImageClassifier(nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {  # classes: the Chinese typeface judge reads 3,760 characters
        "channels": 64,
        "features": 512,
        "classes": 4000,
        "image_channels": 3,
    }

    def __init__(self, channels: int = 32, features: int = 128, classes: int = 10, image_channels: int = 1):
        super().__init__()
        self.config = {
            "channels": channels,
            "features": features,
            "classes": classes,
            "image_channels": image_channels,
        }
        self.body = nn.Sequential(
            nn.Conv2d(image_channels, channels, 3, padding=1),
            nn.BatchNorm2d(channels),
            nn.SiLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, 3, padding=1),
            nn.BatchNorm2d(2 * channels),
            nn.SiLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(2 * channels * 7 * 7, features),
            nn.SiLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(features, classes))

    def embed(self, image: torch.Tensor) -> torch.Tensor:
        return self.body(image)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(image))
