"""Train the image GAN: hinge loss, one critic step per generator step, Adam.

After each epoch the generator is judged by a Fréchet distance (see ``evaluation/image.py``)
between a fixed batch of its samples and real training images, in the features of a judge
classifier when one is given; the weights with the best distance are the ones returned, since a
GAN's quality wanders from epoch to epoch rather than improving steadily.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional

from aigc_demo.data.mnist import ImageSet
from aigc_demo.evaluation.image import features, frechet_distance
from aigc_demo.models.image_classifier import ImageClassifier
from aigc_demo.models.image_gan import ImageGAN
from aigc_demo.training import distributed
from aigc_demo.training.common import Monitor, image_model_for
from aigc_demo.training.image_directions import (
    describe_principal_directions,
    measure_traits,
    named_directions,
)
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]
MODE_SEEKING = 0.05  # weight of the mode-seeking term
JUDGED_SAMPLES = 5000  # per epoch: enough for a stable distance in 128-D features, ~1 s on a CPU


@dataclass
class ImageGANTrainingConfig:
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 2e-4
    latent_dim: int = 32
    channels: int = 32
    conditional: bool = True
    num_directions: int = 8
    class_weight: float = 0.5  # of the class head's cross-entropy in both losses (0: no class head)
    seed: int = 0


def noise_and_labels(
    model: ImageGAN, count: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Prior noise and, for a conditional model, the classes in turn (0, 1, 2, ...), on the
    model's device (drawn on the CPU, so a seed gives the same noise everywhere)."""
    device = model.directions.device
    z = torch.randn(count, model.latent_dim, generator=generator).to(device)
    labels = torch.arange(count, device=device) % model.classes if model.classes else None
    return z, labels


@torch.no_grad()
def recalibrate_batch_norm(model: ImageGAN, seed: int, batches: int = 50, batch_size: int = 256) -> None:
    """Replace the generator's running batch statistics with exact averages over fresh noise.

    During training they trail the generator (an exponential average over past weights); at
    the end they should describe the final weights, which sample in eval mode.
    """
    generator = torch.Generator().manual_seed(seed)
    norms = [m for m in model.generator.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average
    model.generator.train()
    for _ in range(batches):
        model.generator(*noise_and_labels(model, batch_size, generator))
    for norm in norms:
        norm.momentum = 0.1
    model.eval()


@torch.no_grad()
def generated_batch(
    model: ImageGAN, count: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """``count`` samples in eval mode from a fixed seed: (noise, classes or None, images)."""
    z, labels = noise_and_labels(model, count, torch.Generator().manual_seed(seed))
    images = torch.cat(
        [
            model.decode(z[i : i + 1000], None if labels is None else labels[i : i + 1000])
            for i in range(0, count, 1000)
        ]
    )
    return z, labels, images


def principal_noise_directions(model: ImageGAN, count: int, seed: int) -> torch.Tensor:
    """The GANSpace recipe for a generator fed plain noise: principal axes of the generator's
    first feature map over many samples, carried back to noise space by least squares (the
    noise change that best explains moving along each axis), unit length, ordered by how much
    the features vary along them."""
    k = len(model.directions)
    z, labels = noise_and_labels(model, count, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        hidden = model.generator.features(z, labels)
    centred = (hidden - hidden.mean(0)).cpu()
    # Randomised (the top k only), so seeded here: the global random stream differs between the
    # processes of a torchrun group, and between runs of a job that shares it with other threads.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        _, _, axes = torch.pca_lowrank(centred, q=k + 8, center=False, niter=4)
    axes = axes.to(hidden.device)
    coordinates = centred @ axes[:, :k]  # (count, k)
    to_noise = torch.linalg.lstsq(coordinates, z - z.mean(0)).solution  # (k, latent)
    return to_noise / to_noise.norm(dim=1, keepdim=True).clamp_min(1e-12)


def critic_scores(
    criticise: torch.nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    labels: torch.Tensor | None,
    with_classes: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The critic's scores of a real and a generated batch, and (``with_classes``) the class
    head's logits for the real one.

    Two calls, one per batch; under torchrun one call on both together, as
    ``DistributedDataParallel`` allows one forward per backward. The results are the same but
    for the spectral norms' power iteration, which runs once per call: a single process keeps
    two, so its runs stay as they were.
    """
    if distributed.world_size() == 1:
        real_out = criticise(real, labels, with_classes)
        real_score, classes = real_out if with_classes else (real_out, None)
        return real_score, criticise(fake, labels), classes
    both = criticise(torch.cat([real, fake]), None if labels is None else labels.repeat(2), with_classes)
    scores, classes = both if with_classes else (both, None)
    real_score, fake_score = scores.chunk(2)
    return real_score, fake_score, None if classes is None else classes[: len(real)]


def new_image_gan(config: ImageGANTrainingConfig, classes: int, shape: tuple[int, ...]) -> ImageGAN:
    """The GAN ``config`` asks for, drawing ``classes`` (0: any) pictures of ``shape`` (N, C, H, W)."""
    return ImageGAN(
        config.latent_dim,
        config.channels,
        classes,
        size=shape[-1],
        image_channels=shape[1],
        num_directions=config.num_directions,
        class_head=config.class_weight > 0,
    )


def train_image_gan(
    train: ImageSet,
    config: ImageGANTrainingConfig,
    judge: ImageClassifier | None = None,
    log: Log = print,
    monitor: Monitor | None = None,
    start_from: ImageGAN | None = None,
    placement: Placement | None = None,
) -> tuple[ImageGAN, dict[str, float], dict[str, list[dict]]]:
    """Train the GAN; return the best epoch's model, its figures and its described directions.

    ``start_from`` continues from a trained GAN (resume, or fine-tune on new pictures of its
    size); its architecture is kept and the architecture fields of ``config`` are ignored.
    ``placement`` says where to train (default: the best device present); the model comes back
    on the CPU. The judge stays where it is; pictures go to it."""
    monitor = monitor or Monitor()
    placement = placement or Placement.choose()
    torch.manual_seed(config.seed)
    batches = torch.Generator().manual_seed(config.seed)
    noise = torch.Generator().manual_seed(distributed.own_seed(config.seed + 1))
    model = image_model_for(
        train.images,
        train.labels,
        config.conditional,
        start_from,
        lambda classes: new_image_gan(config, classes, train.images.shape),
    )
    classes = model.classes
    heads, weight = model.critic.classify is not None, config.class_weight
    model.to(placement.device)
    betas = (0.5, 0.999)
    generator_optimizer = torch.optim.Adam(model.generator.parameters(), config.learning_rate, betas=betas)
    critic_optimizer = torch.optim.Adam(model.critic.parameters(), config.learning_rate, betas=betas)
    generator_step, critic_step = placement.optimiser_step(), placement.optimiser_step()
    # Under torchrun each network is wrapped to average its gradients across processes.
    generate, criticise = distributed.parallel(model.generator), distributed.parallel(model.critic)
    per_epoch = -(-len(train) // config.batch_size)
    total = config.epochs * per_epoch
    monitor.started(model, total)
    judge_real, judge_device = None, None
    if judge is not None:
        judge_device = next(judge.parameters()).device
        picked = torch.randperm(len(train), generator=torch.Generator().manual_seed(config.seed))
        judge_real = features(judge, train.images[picked[:JUDGED_SAMPLES]].to(judge_device))
    best: tuple[float, dict] | None = None
    started, step, stopped = time.monotonic(), 0, False
    for epoch in range(1, config.epochs + 1):
        model.train()
        sums = {"critic": 0.0, "generator": 0.0}
        indices = distributed.shared_batches(len(train), config.batch_size, batches)
        for real, labels in placement.batches((train.images, train.labels), indices):
            labels = labels if classes else None
            z = torch.randn(2, len(real), model.latent_dim, generator=noise).to(placement.device)
            twice = None if labels is None else labels.repeat(2)
            with placement.autocast():
                fake, other = torch.sigmoid(generate(z.flatten(0, 1), twice)).chunk(2)
                real_score, fake_score, named = critic_scores(criticise, real, fake.detach(), labels, heads)
                critic_loss = functional.relu(1 - real_score).mean() + functional.relu(1 + fake_score).mean()
                if heads:  # the class head learns the digits from real pictures only
                    critic_loss = critic_loss + weight * functional.cross_entropy(named.float(), labels)
            critic_step(critic_loss, critic_optimizer)
            with placement.autocast():
                # Mode seeking (Mao et al., 2019): two noises for the same class must give pictures
                # that differ in proportion, or a class collapses to one picture whatever the noise.
                spread = (fake - other).float().abs().mean() / (z[0] - z[1]).abs().mean()
                judged = criticise(fake, labels, heads)
                fake_score, named = judged if heads else (judged, None)
                generator_loss = -fake_score.float().mean()
                objective = generator_loss + MODE_SEEKING / (spread + 1e-5)
                if heads:  # and the generator is rewarded when its picture is named as asked
                    objective = objective + weight * functional.cross_entropy(named.float(), labels)
            generator_step(objective, generator_optimizer)
            step += 1
            losses = {"critic": critic_loss.item(), "generator": generator_loss.item()}
            for name, value in losses.items():
                sums[name] += value
            monitor.step(step, total, losses)
            if monitor.stop_requested():
                stopped = True
                break
        line = (
            f"epoch {epoch}/{config.epochs}  critic {sums['critic'] / per_epoch:.3f}  "
            f"generator {sums['generator'] / per_epoch:.3f}"
        )
        if judge is not None:
            recalibrate_batch_norm(model, config.seed)
            _, asked, images = generated_batch(model, JUDGED_SAMPLES, config.seed)
            judged = features(judge, images.to(judge_device))
            distance = frechet_distance(judged, judge_real)
            monitor.evaluated(step, {"frechet_distance": distance}, model)
            line += f"  Fréchet distance {distance:.2f}"
            if asked is not None:
                with torch.inference_mode():
                    named = judge.head(judged).argmax(1).cpu() == asked.cpu()
                line += f"  recognised {named.float().mean():.2%}"
            if best is None or distance < best[0]:
                best = (distance, copy.deepcopy(model.state_dict()))
        log(f"{line}  ({time.monotonic() - started:.0f} s)")
        if stopped:
            break
    if best is not None:
        model.load_state_dict(best[1])
    model.cpu()
    recalibrate_batch_norm(model, config.seed)
    with torch.no_grad():
        model.directions.copy_(principal_noise_directions(model, 10_000, config.seed))
        distributed.from_first(model.directions)
    z, _, images = generated_batch(model, 10_000, config.seed)
    directions = {
        "principal": describe_principal_directions(z, model.directions, measure_traits(images)),
        "named": named_directions(z, measure_traits(images), None),
    }
    metrics: dict[str, float] = {"train_seconds": round(time.monotonic() - started, 1), "epochs_run": epoch}
    if best is not None:
        metrics["best_train_frechet_distance"] = round(best[0], 3)
    return model, metrics, directions
