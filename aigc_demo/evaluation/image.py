"""Judge image generators with the image classifier trained on real data.

Fréchet distance: fit a Gaussian to the classifier's penultimate features of generated images
and another to those of the real test images, and measure the distance between the two
(as FID does with Inception features; lower is better, 0 is identical statistics).
Recognition (class-conditional models): the share of samples the classifier puts in the class
that was asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aigc_demo.data.mnist import ImageSet
from aigc_demo.models.image_classifier import ImageClassifier
from aigc_demo.models.image_vae import ImageVAE
from aigc_demo.pipelines.image import sample


def frechet_distance(first: torch.Tensor, second: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two ``(N, D)`` feature sets."""
    first, second = first.double(), second.double()
    mean_gap = (first.mean(0) - second.mean(0)).pow(2).sum()
    cov_first, cov_second = torch.atleast_2d(torch.cov(first.T)), torch.atleast_2d(torch.cov(second.T))
    # Tr(sqrt(A B)) is the sum of the square roots of the eigenvalues of A B, which are real and
    # non-negative for covariance matrices (up to rounding, hence the clamp).
    cross = torch.linalg.eigvals(cov_first @ cov_second).real.clamp_min(0).sqrt().sum()
    return float(mean_gap + cov_first.trace() + cov_second.trace() - 2 * cross)


@torch.inference_mode()
def features(classifier: ImageClassifier, images: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    classifier.eval()
    return torch.cat([classifier.embed(images[i : i + batch]) for i in range(0, len(images), batch)])


@dataclass(frozen=True)
class ImageReport:
    samples: int
    frechet_distance: float
    frechet_distance_real: float | None  # real training images vs the test set: the floor
    recognition: float | None  # class-conditional models only
    classifier_accuracy: float


@torch.inference_mode()
def evaluate_samples(
    generator: torch.nn.Module,
    classifier: ImageClassifier,
    test: ImageSet,
    samples: int = 10_000,
    seed: int = 0,
    train: ImageSet | None = None,
) -> ImageReport:
    """Judge ``samples`` generated images against the test set; with ``train``, also measure
    as many real training images the same way, the distance a perfect generator would get."""
    images, labels = sample(generator, samples, seed)
    generated = features(classifier, images)
    recognition = None
    if labels is not None:
        recognition = float((classifier.head(generated).argmax(1) == labels).float().mean())
    real = features(classifier, test.images)
    accuracy = float((classifier.head(real).argmax(1) == test.labels).float().mean())
    floor = None if train is None else frechet_distance(features(classifier, train.images[:samples]), real)
    return ImageReport(samples, frechet_distance(generated, real), floor, recognition, accuracy)


@torch.no_grad()
def evaluate_vae(model: ImageVAE, data: ImageSet, batch: int = 1000, seed: int = 0) -> dict[str, float]:
    """Negative ELBO, reconstruction and KL in nats per image (one posterior sample each)."""
    was_training = model.training
    model.eval()
    torch.manual_seed(seed)
    device = model.directions.device
    labels = data.labels.to(device) if model.classes else None
    totals = torch.zeros(3, device=device)
    for start in range(0, len(data), batch):
        chunk = slice(start, start + batch)
        images = data.images[chunk].to(device)
        terms = model.loss(images, None if labels is None else labels[chunk])
        totals += torch.stack(terms) * len(images)
    model.train(was_training)
    nelbo, reconstruction, kl = (totals / len(data)).tolist()
    return {
        "test_nelbo_nats": round(nelbo, 2),
        "test_reconstruction_nats": round(reconstruction, 2),
        "test_kl_nats": round(kl, 2),
    }
