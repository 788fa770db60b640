"""Models over ``128 x 128`` log-magnitude spectrograms of spoken digits.

``SpeechCVAE`` is a conditional VAE: the digit is given to both encoder and decoder, so the
latent code is free to hold what the digit does not fix, the "voice" (speaker, pitch, pace).
``DigitClassifier`` is a small CNN that recognises the digit in a spectrogram; it judges the
generator (does a clip asked to be a 7 sound like a 7?) and its pooled features measure how
varied the generated voices are. ``SpectrogramCritic`` only trains: it tells recordings from
generated voices in an adversarial fine-tune of the generator and is not saved with it.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from aigc_demo.models.registry import register
from aigc_demo.models.shared import LearnedPrior, check_directions


# No normalisation layers: on a CPU they cost about as much as the convolutions themselves,
# and these shallow networks train stably without them.
def _down(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 4, 2, 1), nn.SiLU())


def _up(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, 2, 1), nn.SiLU())


@register("speech-cvae")
class SpeechCVAE(LearnedPrior, nn.Module):
    """Conditional VAE: ``(spectrogram, digit) -> z`` and ``(z, digit) -> spectrogram``.

    ``directions`` holds the first principal axes of the training set's latent codes (one per
    row, scaled to one standard deviation), found after training and saved with the weights.
    """

    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {
        "latent_dim": 64,
        "channels": 64,
        "classes": 100,
        "size": 128,
        "num_directions": 8,
        "prior_components": 64,
    }

    def __init__(
        self,
        latent_dim: int = 16,
        channels: int = 16,
        classes: int = 10,
        size: int = 128,
        num_directions: int = 8,
        prior_components: int = 0,
        prior_per_class: bool = False,
    ):
        super().__init__()
        check_directions(num_directions, latent_dim)
        self.config = {
            "latent_dim": latent_dim,
            "channels": channels,
            "classes": classes,
            "size": size,
            "num_directions": num_directions,
        }
        self.latent_dim, self.classes, self.size = latent_dim, classes, size
        widths = [channels, channels * 2, channels * 4, channels * 8]
        self.bottleneck = size // 2 ** len(widths)
        flat = widths[-1] * self.bottleneck**2
        self.encoder = nn.Sequential(
            _down(1, widths[0]),
            *(_down(a, b) for a, b in itertools.pairwise(widths)),
            nn.Flatten(),
        )
        self.label_embedding = nn.Embedding(classes, 32)
        self.to_posterior = nn.Linear(flat + 32, 2 * latent_dim)
        self.from_latent = nn.Sequential(nn.Linear(latent_dim + 32, flat), nn.SiLU())
        rev = widths[::-1]
        self.decoder = nn.Sequential(
            *(_up(a, b) for a, b in itertools.pairwise(rev)),
            nn.ConvTranspose2d(rev[-1], 1, 4, 2, 1),
        )
        self.register_buffer("directions", torch.zeros(num_directions, latent_dim))
        # Where the training voices lie: the mean code of each digit and the principal axes of
        # the codes around their digit's mean (rows, scaled to one standard deviation). Voices
        # are drawn from this Gaussian rather than from the N(0, I) prior, which a VAE's codes
        # only roughly fill, and the same seed gives the same voice for every digit. The
        # defaults are the prior.
        self.register_buffer("latent_mean", torch.zeros(classes, latent_dim))
        self.register_buffer("latent_basis", torch.eye(latent_dim))
        # With a learned prior, the noise a voice starts from comes from a mixture fitted to the
        # training voices in the basis's coordinates (they gather by speaker) instead of N(0, I);
        # per class, each digit's version of it, fitted to where that digit's voices lie.
        self.add_prior(prior_components, latent_dim, classes if prior_per_class else 0)

    def encode(self, image: torch.Tensor, digit: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, size, size)`` spectrograms → posterior mean and log-variance, each ``(B, latent)``."""
        features = torch.cat([self.encoder(image.unsqueeze(1)), self.label_embedding(digit)], dim=1)
        mean, log_var = self.to_posterior(features).chunk(2, dim=1)
        return mean, log_var.clamp(-12.0, 8.0)

    def decode(self, z: torch.Tensor, digit: torch.Tensor) -> torch.Tensor:
        hidden = self.from_latent(torch.cat([z, self.label_embedding(digit)], dim=1))
        hidden = hidden.view(len(z), -1, self.bottleneck, self.bottleneck)
        return self.decoder(hidden).squeeze(1)

    def forward(self, image: torch.Tensor, digit: torch.Tensor) -> tuple[torch.Tensor, ...]:
        mean, log_var = self.encode(image, digit)
        z = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        return self.decode(z, digit), mean, log_var


@register("speech-classifier")
class DigitClassifier(nn.Module):
    # The most of each config value a model someone gives the app may ask for (``over_limits``).
    LIMITS: ClassVar[dict[str, int]] = {"channels": 64, "classes": 100}

    def __init__(self, channels: int = 16, classes: int = 10):
        super().__init__()
        self.config = {"channels": channels, "classes": classes}
        widths = [channels, channels * 2, channels * 4, channels * 4]
        layers: list[nn.Module] = []
        for cin, cout in zip([1, *widths], widths, strict=False):
            layers += [nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.BatchNorm2d(cout), nn.SiLU()]
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(widths[-1], classes))

    def embed(self, image: torch.Tensor) -> torch.Tensor:
        """Pooled features of ``(B, size, size)`` spectrograms, used to measure diversity."""
        return self.features(image.unsqueeze(1))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(image))


class SpectrogramCritic(nn.Module):
    """Scores how much a spectrogram sounds like a real recording of the given digit, and names the
    digit it hears. As the image GAN's critic: spectrally normalised convolutions, the digit
    entering as a projection (an inner product with the pooled features), and a class head that
    learns from real recordings only."""

    def __init__(self, channels: int = 16, classes: int = 10):
        super().__init__()
        widths = [channels, channels * 2, channels * 4, channels * 8]
        layers: list[nn.Module] = []
        for cin, cout in itertools.pairwise([1, *widths]):
            layers += [spectral_norm(nn.Conv2d(cin, cout, 4, 2, 1)), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.score = spectral_norm(nn.Linear(widths[-1], 1))
        self.label_embedding = spectral_norm(nn.Embedding(classes, widths[-1]))
        self.classify = nn.Linear(widths[-1], classes)

    def forward(self, spectrogram: torch.Tensor, digit: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, size, size)`` spectrograms → realness ``(B,)`` and the digit's logits ``(B, classes)``."""
        features = self.features(spectrogram.unsqueeze(1))
        score = self.score(features)[:, 0] + (self.label_embedding(digit) * features).sum(1)
        return score, self.classify(features)
