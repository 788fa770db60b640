"""The engine's image VAE next to a public yardstick, in one run on the same machine.

The yardstick is the MLP VAE of pytorch/examples (``vae/main.py``), re-implemented here from its
description: 784 → 400 → 20 (mean and log-variance) → 400 → 784, ReLU, sigmoid output, summed
binary cross-entropy plus KL, Adam at 1e-3, batches of 128, 10 epochs; its README run reaches
a test loss of about 105.3 nats per image. This script trains that model, notes its wall time,
then gives the engine's VAE (``training.image.train_image_vae``, the code behind ``train vae``
and the Train tab) the same wall-clock budget and compares the test negative ELBO, measured the
same way (one posterior sample per test image).

Usage: python benchmarks/vae_yardstick.py --data ../shared/data/mnist [--threads 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.data.mnist import ImageSet, load_mnist
from aigc_demo.evaluation.image import evaluate_vae
from aigc_demo.training.common import Monitor, shuffled_batches
from aigc_demo.training.image import ImageVAETrainingConfig, train_image_vae

YARDSTICK_LOSS = 105.3  # pytorch/examples' reported test loss after 10 epochs
ENGINE = {"latent_dim": 16, "channels": 16, "hidden": 256, "batch_size": 128, "learning_rate": 3e-3}


class MLPVAE(nn.Module):
    """The yardstick's architecture, written from its description."""

    def __init__(self, hidden: int = 400, latent: int = 20):
        super().__init__()
        self.encoder = nn.Linear(784, hidden)
        self.to_mean, self.to_log_var = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def loss(self, images: torch.Tensor) -> torch.Tensor:
        """Summed over the batch: binary cross-entropy of the reconstruction plus KL."""
        flat = images.flatten(1)
        hidden = functional.relu(self.encoder(flat))
        mean, log_var = self.to_mean(hidden), self.to_log_var(hidden)
        z = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        logits = self.decoder(z)
        reconstruction = functional.binary_cross_entropy_with_logits(logits, flat, reduction="sum")
        return reconstruction - 0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum()


def train_yardstick(train: ImageSet, test: ImageSet, epochs: int = 10, seed: int = 1) -> tuple[float, float]:
    """(wall seconds, test loss per image) of the yardstick's recipe."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = MLPVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for index in shuffled_batches(len(train), 128, generator):
            loss = model.loss(train.images[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    wall = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        total = sum(model.loss(test.images[i : i + 1000]).item() for i in range(0, len(test), 1000))
    return wall, total / len(test)


class Deadline(Monitor):
    """Stops a training loop once its wall-clock budget is spent."""

    def __init__(self, seconds: float):
        self.seconds, self.began = seconds, time.perf_counter()

    def stop_requested(self) -> bool:
        return time.perf_counter() - self.began >= self.seconds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="folder of MNIST's IDX files")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--engine-epochs", type=int, default=3, help="the engine's schedule (the budget may cut it)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, test = load_mnist(args.data, "train"), load_mnist(args.data, "test")

    yardstick_wall, yardstick_loss = train_yardstick(train, test)
    print(
        f"yardstick MLP VAE, 10 epochs: {yardstick_wall:.1f} s, test loss {yardstick_loss:.2f} nats per image"
    )

    config = ImageVAETrainingConfig(epochs=args.engine_epochs, num_directions=8, **ENGINE)
    deadline = Deadline(yardstick_wall)
    model, metrics, _ = train_image_vae(train, test, config, log=lambda line: None, monitor=deadline)
    engine_wall = metrics["train_seconds"]
    engine_loss = evaluate_vae(model, test)["test_nelbo_nats"]
    print(
        f"engine conv VAE ({ENGINE['channels']} channels, {ENGINE['latent_dim']}-number code), same budget: "
        f"{engine_wall:.1f} s including its test passes and directions, test negative ELBO {engine_loss:.2f}"
    )
    print(f"reference: {YARDSTICK_LOSS} after the yardstick's 10 epochs (pytorch/examples README)")
    figures = {
        "threads": torch.get_num_threads(),
        "yardstick": {"wall_s": round(yardstick_wall, 1), "test_loss": round(yardstick_loss, 2)},
        "engine": {"config": ENGINE, "wall_s": engine_wall, "test_nelbo": engine_loss},
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
