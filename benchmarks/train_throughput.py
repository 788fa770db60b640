"""Training throughput: the engine's steps next to a plain PyTorch loop of the same model and batch.

For each kind the engine's own training function (the code behind ``train`` and the Train tab)
runs with a monitor that times its optimiser steps after a warm-up and stops it; then a plain
loop — the same model class, batch, optimiser and loss, nothing else — runs as many steps.
Interleaved ``--repeats`` times; medians of samples per second and their ratio (the engine's
overhead: its monitor calls, loss bookkeeping and logging). Random inputs of the real shapes:
throughput does not depend on what the pictures, text or sounds are.

Both run on ``--device`` (default: the best one present). The plain loop is always float32 and
copies each batch the ordinary way; the engine uses ``--precision`` (``auto``: bf16 or fp16
on CUDA, fp32 elsewhere) and, on CUDA, pinned-memory batches, so on a GPU the ratio is what
mixed precision and pinned loading buy.

Usage: python benchmarks/train_throughput.py [--steps 60] [--repeats 3] [--threads 2]
       [--device cuda] [--precision auto|fp32|bf16|fp16] [--kinds vae gan text speech] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.audio.spectrogram import SPEC
from aigc_demo.data.mnist import ImageSet
from aigc_demo.data.spoken_digits import SpokenDigits
from aigc_demo.models.char_rnn import CharRNN, detach
from aigc_demo.models.image_gan import ImageGAN
from aigc_demo.models.image_vae import ImageVAE
from aigc_demo.models.speech import SpeechCVAE
from aigc_demo.training.common import Monitor
from aigc_demo.training.gan import ImageGANTrainingConfig, train_image_gan
from aigc_demo.training.image import ImageVAETrainingConfig, train_image_vae
from aigc_demo.training.placement import PRECISIONS, Placement
from aigc_demo.training.speech import SpeechTrainingConfig, spectrograms, train_speech_cvae, vae_loss
from aigc_demo.training.text import TextTrainingConfig, train_char_rnn

WARM_UP = 5


class StepClock(Monitor):
    """Times the steps after the warm-up and stops the loop after ``steps`` of them."""

    def __init__(self, steps: int):
        self.steps, self.first, self.last, self.done = steps, 0.0, 0.0, -1

    def step(self, step: int, total: int, losses: dict[str, float]) -> None:
        # The loops read each loss with .item(), which waits for the GPU already.
        if step == WARM_UP:
            self.first = time.perf_counter()
        self.last = time.perf_counter()
        self.done = step - WARM_UP

    def stop_requested(self) -> bool:
        return self.done >= self.steps

    def seconds(self) -> float:
        return self.last - self.first


def plain(step: Callable[[], None], steps: int, device: torch.device) -> float:
    """Seconds for ``steps`` calls of ``step`` after the warm-up."""
    for _ in range(WARM_UP):
        step()
    synchronise(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronise(device)
    return time.perf_counter() - started


def synchronise(device: torch.device) -> None:
    """Wait for queued GPU work, so a clock reads the work done, not the work launched."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def images(count: int, channels: int = 1, size: int = 28) -> ImageSet:
    generator = torch.Generator().manual_seed(0)
    return ImageSet(torch.rand(count, channels, size, size, generator=generator), torch.randint(10, (count,)))


def vae(steps: int, placement: Placement) -> tuple[float, float, int]:
    config = ImageVAETrainingConfig(epochs=1, batch_size=128, num_directions=8)
    data, clock = images(128 * (steps + WARM_UP + 2)), StepClock(steps)
    train_image_vae(data, images(200), config, log=lambda line: None, monitor=clock, placement=placement)
    device = placement.device
    model = ImageVAE(config.latent_dim, config.channels, config.hidden, num_directions=8).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-5)

    def step() -> None:
        index = torch.randint(len(data), (config.batch_size,))
        loss = model.loss(data.images[index].to(device))[0]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return clock.seconds(), plain(step, steps, device), config.batch_size


def gan(steps: int, placement: Placement) -> tuple[float, float, int]:
    config = ImageGANTrainingConfig(epochs=1, batch_size=64)
    data, clock = images(64 * (steps + WARM_UP + 2)), StepClock(steps)
    train_image_gan(data, config, judge=None, log=lambda line: None, monitor=clock, placement=placement)
    device = placement.device
    model = ImageGAN(config.latent_dim, config.channels, 10).to(device)
    g_optimizer = torch.optim.Adam(model.generator.parameters(), config.learning_rate, betas=(0.5, 0.999))
    c_optimizer = torch.optim.Adam(model.critic.parameters(), config.learning_rate, betas=(0.5, 0.999))

    def step() -> None:
        index = torch.randint(len(data), (config.batch_size,))
        real, labels = data.images[index].to(device), data.labels[index].to(device)
        z = torch.randn(2, config.batch_size, config.latent_dim).to(device)
        fake, other = model.decode(z.flatten(0, 1), labels.repeat(2)).chunk(2)
        critic = functional.relu(1 - model.realness(real, labels)).mean()
        critic = critic + functional.relu(1 + model.realness(fake.detach(), labels)).mean()
        c_optimizer.zero_grad(set_to_none=True)
        critic.backward()
        c_optimizer.step()
        spread = (fake - other).abs().mean() / (z[0] - z[1]).abs().mean()
        objective = -model.realness(fake, labels).mean() + 0.05 / (spread + 1e-5)
        g_optimizer.zero_grad(set_to_none=True)
        objective.backward()
        g_optimizer.step()

    return clock.seconds(), plain(step, steps, device), config.batch_size


def text(steps: int, placement: Placement) -> tuple[float, float, int]:
    config = TextTrainingConfig(epochs=1, batch_size=32, seq_len=128, hidden=256, layers=2, dropout=0.1)
    alphabet = "abcdefghijklmnopqrstuvwxyz ,.\n"
    generator = torch.Generator().manual_seed(0)
    length = config.batch_size * config.seq_len * (steps + WARM_UP + 4)
    corpus = "".join(
        alphabet[i] for i in torch.randint(len(alphabet), (length,), generator=generator).tolist()
    )
    clock = StepClock(steps)
    train_char_rnn(corpus, corpus[:5000], config, log=lambda line: None, monitor=clock, placement=placement)
    device = placement.device
    model = CharRNN(
        alphabet, embed_dim=config.embed_dim, hidden=config.hidden, layers=config.layers, dropout=0.1
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), config.learning_rate, weight_decay=config.weight_decay)
    ids = model.vocabulary.encode(corpus)[: config.batch_size * (length // config.batch_size)]
    data = ids.view(config.batch_size, -1).to(device)
    state, position = None, 0

    def step() -> None:
        nonlocal state, position
        chunk = data[:, position : position + config.seq_len + 1]
        position += config.seq_len
        logits, state = model(chunk[:, :-1], state)
        state = detach(state)
        loss = functional.cross_entropy(logits.flatten(0, 1), chunk[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        optimizer.step()

    return clock.seconds(), plain(step, steps, device), config.batch_size * config.seq_len


def speech(steps: int, placement: Placement) -> tuple[float, float, int]:
    config = SpeechTrainingConfig(epochs=1, batch_size=32)
    count = 32 * (steps + WARM_UP + 2)
    generator = torch.Generator().manual_seed(0)
    waves = torch.randn(count, SPEC.num_samples, generator=generator) * 0.1
    digits = torch.arange(count) % 10
    data = SpokenDigits(waves, digits, ("x",) * count, tuple(range(count)))
    held_out = SpokenDigits(waves[:50], digits[:50], ("x",) * 50, tuple(range(50)))
    clock = StepClock(steps)
    train_speech_cvae(data, held_out, config, log=lambda line: None, monitor=clock, placement=placement)
    device = placement.device
    model = SpeechCVAE(config.latent_dim, config.channels, num_directions=config.num_directions).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-4)
    pictures = spectrograms(data)

    def step() -> None:
        index = torch.randint(count, (config.batch_size,))
        loss = vae_loss(model, pictures[index].to(device), digits[index].to(device), config.beta)[0]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()

    return clock.seconds(), plain(step, steps, device), config.batch_size


KINDS = {"vae": vae, "gan": gan, "text": text, "speech": speech}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kinds", nargs="+", choices=list(KINDS), default=list(KINDS))
    parser.add_argument("--device", help="cuda, mps or cpu (default: the best one present)")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help="the engine's")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    placement = Placement.choose(args.device, args.precision)
    print(f"engine on {placement.device.type} in {placement.precision}; plain loop in fp32")
    figures = {}
    print(f"{'kind':<8}{'unit':<12}{'engine /s':>12}{'plain /s':>12}{'ratio':>8}")
    for kind in args.kinds:
        runs = [KINDS[kind](args.steps, placement) for _ in range(args.repeats)]
        engine = statistics.median(args.steps * unit / seconds for seconds, _, unit in runs)
        bare = statistics.median(args.steps * unit / seconds for _, seconds, unit in runs)
        unit = "characters" if kind == "text" else "samples"
        figures[kind] = {
            "engine_per_s": round(engine, 1),
            "plain_per_s": round(bare, 1),
            "ratio": round(engine / bare, 3),
        }
        print(f"{kind:<8}{unit:<12}{engine:>12,.0f}{bare:>12,.0f}{engine / bare:>8.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "steps": args.steps,
                    "repeats": args.repeats,
                    "device": placement.device.type,
                    "precision": placement.precision,
                    "kinds": figures,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
