"""A small convolutional VAE for 28 x 28 single-channel images (MNIST and friends).

Pixels are modelled as independent Bernoulli variables, so the decoder returns logits and the
reconstruction term is the binary cross-entropy summed over the image: with the KL term this
is the negative ELBO in nats per image, the figure MNIST VAEs are usually compared by.
``beta`` weights the KL term as in the beta-VAE objective (1 is the plain VAE).

Samples are drawn from a *learned prior* when the model has one (``prior_components`` > 0): a
Gaussian mixture fitted after training to where the training images' codes really lie. Codes
drawn from N(0, I) often fall between those regions and decode to blurred blends of digits;
codes drawn from the mixture decode to digits the decoder knows how to draw.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from aigc_demo.models.registry import register
from aigc_demo.models.shared import LearnedPrior, check_directions, check_halvable_twice, embed_label


@register("image-vae")
class ImageVAE(LearnedPrior, nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {
        "latent_dim": 64,
        "channels": 64,
        "hidden": 1024,
        "classes": 100,
        "size": 32,
        "image_channels": 3,
        "num_directions": 8,
        "prior_components": 64,
    }

    def __init__(
        self,
        latent_dim: int = 16,
        channels: int = 32,
        hidden: int = 256,
        classes: int = 0,
        size: int = 28,
        image_channels: int = 1,
        num_directions: int = 8,
        prior_components: int = 0,
    ):
        super().__init__()
        check_halvable_twice(size)
        check_directions(num_directions, latent_dim)
        self.config = {
            "latent_dim": latent_dim,
            "channels": channels,
            "hidden": hidden,
            "classes": classes,
            "size": size,
            "image_channels": image_channels,
            "num_directions": num_directions,
        }
        self.latent_dim, self.classes = latent_dim, classes
        self.grid = size // 4
        flat = 2 * channels * self.grid**2
        label_width = 16 if classes else 0
        self.encoder = nn.Sequential(
            nn.Conv2d(image_channels, channels, 4, 2, 1),
            nn.SiLU(),
            nn.Conv2d(channels, 2 * channels, 4, 2, 1),
            nn.SiLU(),
            nn.Flatten(),
        )
        self.label_embedding = nn.Embedding(classes, label_width) if classes else None
        self.to_posterior = nn.Sequential(
            nn.Linear(flat + label_width, hidden), nn.SiLU(), nn.Linear(hidden, 2 * latent_dim)
        )
        self.from_latent = nn.Sequential(
            nn.Linear(latent_dim + label_width, hidden), nn.SiLU(), nn.Linear(hidden, flat), nn.SiLU()
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(2 * channels, channels, 4, 2, 1),
            nn.SiLU(),
            nn.ConvTranspose2d(channels, image_channels, 4, 2, 1),
        )
        # Principal axes of the training set's latent codes, one per row, scaled to one
        # standard deviation; found after training and saved with the weights.
        self.register_buffer("directions", torch.zeros(num_directions, latent_dim))
        self.add_prior(prior_components, latent_dim)  # the learned prior, fitted after training

    def _with_label(self, features: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
        if self.label_embedding is None:
            return features
        if label is None:
            raise ValueError("this model is class-conditional: give a class label")
        return torch.cat([features, embed_label(self.label_embedding, label)], dim=1)

    def class_embedding(self, label: torch.Tensor) -> torch.Tensor:
        """The learned vectors of classes ``(B,)``; blends of them may be passed as ``label``."""
        return self.label_embedding(label)

    def encode(
        self, image: torch.Tensor, label: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, C, H, W)`` images in [0, 1] → posterior mean and log-variance, each ``(B, latent)``."""
        stats = self.to_posterior(self._with_label(self.encoder(image), label))
        mean, log_var = stats.chunk(2, dim=1)
        return mean, log_var.clamp(-12.0, 8.0)

    def decode_logits(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        hidden = self.from_latent(self._with_label(z, label))
        return self.decoder(hidden.view(len(z), -1, self.grid, self.grid))

    def decode(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        """Latent codes → images in [0, 1] (the Bernoulli means)."""
        return torch.sigmoid(self.decode_logits(z, label))

    def loss(
        self, image: torch.Tensor, label: torch.Tensor | None = None, beta: float = 1.0
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-image means of (objective, reconstruction BCE, KL), all in nats."""
        mean, log_var = self.encode(image, label)
        z = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        logits = self.decode_logits(z, label)
        reconstruction = (
            nn.functional.binary_cross_entropy_with_logits(logits, image, reduction="none").flatten(1).sum(1)
        )
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum(1)
        return (reconstruction + beta * kl).mean(), reconstruction.mean(), kl.mean()
