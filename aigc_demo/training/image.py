"""Train the image VAE on an MNIST-format dataset."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from aigc_demo.data.mnist import ImageSet
from aigc_demo.evaluation.image import evaluate_vae
from aigc_demo.models.image_classifier import ImageClassifier
from aigc_demo.models.image_vae import ImageVAE
from aigc_demo.training import distributed
from aigc_demo.training.common import BestWeights, Monitor, image_model_for, one_cycle, shuffled_batches
from aigc_demo.training.directions import principal_axes
from aigc_demo.training.image_directions import (
    Traits,
    describe_principal_directions,
    measure_traits,
    named_directions,
)
from aigc_demo.training.latent_prior import components_for, fit_latent_prior
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]


@dataclass
class ImageVAETrainingConfig:
    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 2e-3
    beta: float = 1.0
    latent_dim: int = 16
    channels: int = 32
    hidden: int = 256
    conditional: bool = False
    num_directions: int = 8
    prior_components: int = 32  # the learned prior's Gaussians (fewer for small data; 0: N(0, I))
    seed: int = 0


@torch.no_grad()
def posterior_means(model: ImageVAE, data: ImageSet, batch: int = 1000) -> torch.Tensor:
    labels = data.labels if model.classes else None
    return torch.cat(
        [
            model.encode(data.images[i : i + batch], None if labels is None else labels[i : i + batch])[0]
            for i in range(0, len(data), batch)
        ]
    )


def new_image_vae(config: ImageVAETrainingConfig, classes: int, shape: tuple[int, ...]) -> ImageVAE:
    """The VAE ``config`` asks for, drawing ``classes`` (0: any) pictures of ``shape`` (N, C, H, W)."""
    return ImageVAE(
        config.latent_dim,
        config.channels,
        config.hidden,
        classes,
        size=shape[-1],
        image_channels=shape[1],
        num_directions=config.num_directions,
        prior_components=components_for(config.prior_components, shape[0]),
    )


def train_image_vae(
    train: ImageSet,
    test: ImageSet,
    config: ImageVAETrainingConfig,
    log: Log = print,
    traits: Traits | None = None,
    class_names: tuple[str, ...] | None = None,
    monitor: Monitor | None = None,
    start_from: ImageVAE | None = None,
    placement: Placement | None = None,
) -> tuple[ImageVAE, dict[str, float], dict[str, list[dict]]]:
    """Train the VAE; return it, its test figures and its directions described for the card.

    Directions are labelled by ``traits`` of the training images (default: ink, slant and
    width measured on them; generated data passes the factors that made it) and, for a model
    that does not condition on it, by class (named by ``class_names``). ``monitor`` sees every
    step (objective, reconstruction and KL) and each epoch's test figures, and can stop the run.
    ``start_from`` continues from a trained VAE (resume, or fine-tune on new pictures of its size):
    its architecture is kept and the architecture fields of ``config`` are ignored. ``placement``
    says where to train (default: the best device present); the model comes back on the CPU."""
    monitor = monitor or Monitor()
    placement = placement or Placement.choose()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = image_model_for(
        train.images,
        train.labels,
        config.conditional,
        start_from,
        lambda classes: new_image_vae(config, classes, train.images.shape),
    )
    classes = model.classes
    model.to(placement.device)
    objective = distributed.parallel(distributed.Objective(model, "loss"))
    distributed.own_noise(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-5)
    optimiser_step = placement.optimiser_step()
    schedule = one_cycle(
        optimizer, config.learning_rate, config.epochs, len(train), config.batch_size, monitor=monitor
    )
    total = config.epochs * -(-len(train) // config.batch_size)
    monitor.started(model, total)
    started, step, stopped, best = time.monotonic(), 0, False, BestWeights()
    for epoch in range(1, config.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        batches = distributed.shared_batches(len(train), config.batch_size, generator)
        for images, labels in placement.batches((train.images, train.labels), batches):
            with placement.autocast():
                loss, reconstruction, kl = objective(images, labels if classes else None, config.beta)
            optimiser_step(loss, optimizer)
            schedule.step()
            running, seen, step = running + loss.item() * len(images), seen + len(images), step + 1
            monitor.step(
                step, total, {"train": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}
            )
            if monitor.stop_requested():
                stopped = True
                break
        model.eval()
        measured = evaluate_vae(model, test)
        best.offer(model, measured["test_nelbo_nats"])
        monitor.evaluated(step, {"valid_loss": measured["test_nelbo_nats"]}, model)
        log(
            f"epoch {epoch}/{config.epochs}  train objective {running / max(seen, 1):.2f}  "
            f"test -ELBO {measured['test_nelbo_nats']:.2f}  ({time.monotonic() - started:.0f} s)"
        )
        if stopped:
            break
    best.restore(model).cpu().eval()
    codes = posterior_means(model, train)
    with torch.no_grad():
        model.directions.copy_(principal_axes(codes, len(model.directions)))
        distributed.from_first(model.directions)
    prior = fit_latent_prior(model, codes, config.seed)
    traits = measure_traits(train.images) if traits is None else traits
    directions = {
        "principal": describe_principal_directions(codes, model.directions, traits),
        "named": named_directions(codes, traits, None if classes else train.labels, class_names),
    }
    metrics = {**evaluate_vae(model, test), **prior, "train_seconds": round(time.monotonic() - started, 1)}
    return model, metrics, directions


@dataclass
class ImageClassifierTrainingConfig:
    epochs: int = 4
    batch_size: int = 128
    learning_rate: float = 3e-3
    channels: int = 32
    seed: int = 0


@torch.no_grad()
def classifier_accuracy(model: ImageClassifier, data: ImageSet, batch: int = 1000) -> float:
    was_training = model.training
    model.eval()
    correct = sum(
        int((model(data.images[i : i + batch]).argmax(1) == data.labels[i : i + batch]).sum())
        for i in range(0, len(data), batch)
    )
    model.train(was_training)
    return correct / len(data)


def train_image_classifier(
    train: ImageSet, test: ImageSet, config: ImageClassifierTrainingConfig, log: Log = print
) -> tuple[ImageClassifier, dict[str, float]]:
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = ImageClassifier(
        config.channels, classes=int(train.labels.max()) + 1, image_channels=train.images.shape[1]
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-4)
    schedule = one_cycle(optimizer, config.learning_rate, config.epochs, len(train), config.batch_size)
    for epoch in range(1, config.epochs + 1):
        model.train()
        for index in shuffled_batches(len(train), config.batch_size, generator):
            loss = torch.nn.functional.cross_entropy(model(train.images[index]), train.labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        log(f"epoch {epoch}/{config.epochs}  test accuracy {classifier_accuracy(model, test):.4f}")
    model.eval()
    return model, {"test_accuracy": round(classifier_accuracy(model, test), 4)}
