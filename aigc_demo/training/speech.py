"""Train the spoken-digit generator (a conditional VAE) and the digit classifier that judges it.

With ``adversarial`` above 0 (meant for fine-tuning a trained generator), a critic joins the
generator's training: each step it learns to tell the batch's recordings from voices the
generator draws from its prior (``drawn_voices``), and the generator is also asked to make
those voices pass as recordings of the asked digit — the likelihood alone averages over what it
cannot predict, which blurs the spectrogram between the harmonics and the sounds that tell digits
apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from aigc_demo.audio.pitch import estimate_pitch
from aigc_demo.audio.silence import active_frames
from aigc_demo.audio.spectrogram import SPEC, log_spectrogram
from aigc_demo.data.spoken_digits import SpokenDigits
from aigc_demo.models.speech import DigitClassifier, SpectrogramCritic, SpeechCVAE
from aigc_demo.pipelines.latents import drawn_prior_codes
from aigc_demo.training import distributed
from aigc_demo.training.common import BestWeights, Monitor, one_cycle, shuffled_batches, trainable_copy
from aigc_demo.training.directions import pearson, principal_axes
from aigc_demo.training.latent_prior import components_for, fit_class_prior, fit_latent_prior
from aigc_demo.training.placement import Placement

Log = Callable[[str], None]


@dataclass
class SpeechTrainingConfig:
    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 2e-3
    beta: float = 2.0  # weight of the KL term against the summed squared error
    latent_dim: int = 16
    channels: int = 16
    num_directions: int = 8
    prior_components: int = 6  # the learned prior's Gaussians over voices (fewer for small data; 0: none)
    adversarial: float = 0.0  # weight of a critic judging voices drawn from the prior (0: none)
    seed: int = 0


@dataclass
class ClassifierTrainingConfig:
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 3e-3
    channels: int = 16
    seed: int = 0


def spectrograms(data: SpokenDigits, batch: int = 256) -> torch.Tensor:
    return torch.cat([log_spectrogram(data.waves[i : i + batch]) for i in range(0, len(data), batch)])


def vae_loss(
    model: nn.Module, images: torch.Tensor, digits: torch.Tensor, beta: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-example means of (total, reconstruction, KL); reconstruction is a summed squared error.

    ``model`` is a ``SpeechCVAE`` or a wrapper whose forward is the CVAE's (data-parallel)."""
    rebuilt, mean, log_var = model(images, digits)
    reconstruction = (rebuilt.float() - images).pow(2).flatten(1).sum(1).mean()
    kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum(1).mean()
    return reconstruction + beta * kl, reconstruction, kl


@torch.no_grad()
def held_out_loss(model: SpeechCVAE, images: torch.Tensor, digits: torch.Tensor, beta: float) -> float:
    """The objective with each code at its posterior mean: no noise drawn, so watching a run
    leaves its random stream, and so its result, unchanged."""
    mean, log_var = model.encode(images, digits)
    reconstruction = (model.decode(mean, digits) - images).pow(2).flatten(1).sum(1).mean()
    kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum(1).mean()
    return (reconstruction + beta * kl).item()


def drawn_voices(model: SpeechCVAE, digits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Codes of voices drawn from the prior (the learned mixture where there is one) and placed
    among each digit's training voices, at temperatures across the app's range. The mixture is the
    one shared by all digits, not each digit's own that the app draws from: every speaker at every
    digit, the widest range of voices the decoder must make sound right."""
    temperature = torch.empty(len(digits), 1).uniform_(0.3, 1.0, generator=generator)
    codes = drawn_prior_codes(model, len(digits), generator, temperature)
    return model.latent_mean[digits] + codes @ model.latent_basis


class Adversary:
    """The critic of an adversarial run, its optimiser (hinge loss, Adam as for the image GAN) and
    its own stream of drawn voices.

    The generator's adversarial loss is weighted adaptively (Esser et al., 2021): scaled so that its
    gradient at the decoder's last layer is ``config.adversarial`` times the reconstruction's, since
    a summed squared error over 16,384 pixels and a critic's score have no common scale.
    """

    def __init__(self, config: SpeechTrainingConfig, placement: Placement, learning_rate: float = 2e-4):
        if distributed.world_size() > 1:
            raise ValueError("an adversarial run trains in one process; start it without torchrun")
        self.critic = SpectrogramCritic(config.channels).to(placement.device)
        self.optimizer = torch.optim.Adam(self.critic.parameters(), learning_rate, betas=(0.0, 0.9))
        self.placement, self.optimiser_step = placement, placement.optimiser_step()
        self.weight, self.draws = config.adversarial, torch.Generator().manual_seed(config.seed + 1)

    def judge(
        self, model: SpeechCVAE, real: torch.Tensor, digits: torch.Tensor, reconstruction: torch.Tensor
    ) -> tuple[float, torch.Tensor]:
        """Draw voices of the batch's digits, take one critic step on them and the recordings, and
        return the critic's loss and the generator's weighted adversarial loss."""
        with self.placement.autocast():
            fake = model.decode(drawn_voices(model, digits, self.draws), digits)
        critic_loss = self.learn(real, fake, digits)
        self.critic.requires_grad_(False)  # the generator's step needs no gradients of the critic's weights
        with self.placement.autocast():
            score, named = self.critic(fake, digits)
            judged = -score.float().mean() + functional.cross_entropy(named.float(), digits)
        last = model.decoder[-1].weight
        reconstruction_grad = torch.autograd.grad(reconstruction, last, retain_graph=True)[0]
        judged_grad = torch.autograd.grad(judged, last, retain_graph=True)[0]
        scale = (reconstruction_grad.norm() / (judged_grad.norm() + 1e-4)).clamp_max(1e4).detach()
        return critic_loss, self.weight * scale * judged

    def learn(self, real: torch.Tensor, fake: torch.Tensor, digits: torch.Tensor) -> float:
        """One critic step: recordings score high, generated voices low, and the digit of each
        recording is named. Returns its loss."""
        self.critic.requires_grad_(True)
        with self.placement.autocast():
            real_score, named = self.critic(real, digits)
            fake_score, _ = self.critic(fake.detach(), digits)
            loss = functional.relu(1 - real_score).mean() + functional.relu(1 + fake_score).mean()
            loss = loss + functional.cross_entropy(named.float(), digits)
        self.optimiser_step(loss, self.optimizer)
        return loss.item()


def train_speech_cvae(
    train: SpokenDigits,
    test: SpokenDigits,
    config: SpeechTrainingConfig,
    log: Log = print,
    monitor: Monitor | None = None,
    start_from: SpeechCVAE | None = None,
    placement: Placement | None = None,
) -> tuple[SpeechCVAE, dict[str, float], list[dict]]:
    """Train the generator; return it with its metrics and the labels of its voice directions.

    ``monitor`` sees every step and each epoch's held-out loss, and can stop the run;
    ``start_from`` continues from a trained generator (its architecture is kept). ``placement``
    says where to train (default: the best device present); the model comes back on the CPU."""
    monitor = monitor or Monitor()
    placement = placement or Placement.choose()
    missing = sorted(set(range(10)) - set(train.digits.tolist()))
    if missing:
        raise ValueError(f"every digit needs recordings to learn from; none of {missing}")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    if start_from is None:
        components = components_for(config.prior_components, len(train))
        model = SpeechCVAE(
            config.latent_dim,
            config.channels,
            num_directions=config.num_directions,
            prior_components=components,
            prior_per_class=components > 0,
        )
    else:
        model = trainable_copy(start_from)
        if hasattr(model, "prior_weights") and not hasattr(model, "class_prior_means"):
            model.add_class_prior(model.classes)  # a model from before priors per digit gains one
    images, digits = spectrograms(train), train.digits
    test_images = spectrograms(test)
    held_out_on_device = test_images.to(placement.device), test.digits.to(placement.device)
    model.to(placement.device)
    runner = distributed.parallel(model)
    distributed.own_noise(config.seed)
    adversary = Adversary(config, placement) if config.adversarial > 0 else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-4)
    optimiser_step = placement.optimiser_step()
    schedule = one_cycle(
        optimizer, config.learning_rate, config.epochs, len(train), config.batch_size, monitor=monitor
    )
    total = config.epochs * -(-len(train) // config.batch_size)
    monitor.started(model, total)
    started, step, stopped, best = time.monotonic(), 0, False, BestWeights()
    for epoch in range(1, config.epochs + 1):
        model.train()
        totals, seen, critic_total = torch.zeros(3, device=placement.device), 0, 0.0
        batches = distributed.shared_batches(len(train), config.batch_size, generator)
        for batch, batch_digits in placement.batches((images, digits), batches):
            with placement.autocast():
                loss, reconstruction, kl = vae_loss(runner, batch, batch_digits, config.beta)
            judged = torch.zeros((), device=placement.device)
            if adversary is not None:
                critic_loss, judged = adversary.judge(model, batch, batch_digits, reconstruction)
                critic_total += critic_loss * len(batch)
            optimiser_step(loss + judged, optimizer, 5.0, model.parameters())
            schedule.step()
            totals += torch.stack([t.detach().float() for t in (loss, reconstruction, kl)]) * len(batch)
            seen, step = seen + len(batch), step + 1
            terms = {"train": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}
            monitor.step(step, total, terms)
            if monitor.stop_requested():
                stopped = True
                break
        totals /= max(seen, 1)
        model.eval()
        held_out = held_out_loss(model, *held_out_on_device, config.beta)
        best.offer(model, held_out)
        monitor.evaluated(step, {"valid_loss": round(held_out, 2)}, model)
        log(
            f"epoch {epoch}/{config.epochs}  loss {totals[0]:.1f}  recon {totals[1]:.1f}  "
            f"kl {totals[2]:.1f}  held-out loss {held_out:.1f}  "
            + (f"critic {critic_total / max(seen, 1):.3f}  " if adversary else "")
            + f"({time.monotonic() - started:.0f} s)"
        )
        if stopped:
            break
    best.restore(model).cpu().eval()
    with torch.no_grad():
        _, test_reconstruction, test_kl = vae_loss(model, test_images, test.digits, config.beta)
        codes = posterior_means(model, images, digits)
        fit_voice_space(model, codes, digits)
    prior = fit_voice_prior(model, codes, digits, config.seed)
    labels = label_directions(model, train, images)
    metrics = {
        "test_reconstruction_sse": round(test_reconstruction.item(), 2),
        "test_kl_nats": round(test_kl.item(), 2),
        **prior,
        "train_seconds": round(time.monotonic() - started, 1),
    }
    return model, metrics, labels


@torch.no_grad()
def fit_voice_space(model: SpeechCVAE, codes: torch.Tensor, digits: torch.Tensor) -> None:
    """Fit the Gaussian that voices are drawn from, and take its first axes as the sliders.

    Each digit gets its own mean; the axes come from the codes around those means, so they
    describe how voices differ, not how digits do.
    """
    means = torch.stack([codes[digits == d].mean(0) for d in range(model.classes)])
    basis = principal_axes(codes - means[digits], model.latent_dim)
    model.latent_mean.copy_(means)
    model.latent_basis.copy_(basis)
    model.directions.copy_(basis[: len(model.directions)])
    for fitted in (model.latent_mean, model.latent_basis, model.directions):
        distributed.from_first(fitted)


@torch.no_grad()
def fit_voice_prior(model: SpeechCVAE, codes: torch.Tensor, digits: torch.Tensor, seed: int) -> dict:
    """Fit the learned prior over voices: the training codes around their digit's mean, in the
    coordinates of the voice space's axes (where N(0, I) is the plain Gaussian voice), where they
    gather by speaker; then each digit's version of it, where that digit's voices lie (a voice of
    one digit placed at another's mean can sound like a third). Figures for the card."""
    voices = (codes - model.latent_mean[digits]) @ torch.linalg.pinv(model.latent_basis)
    figures = fit_latent_prior(model, voices, seed)
    fit_class_prior(model, voices, digits)
    return figures


@torch.no_grad()
def posterior_means(model: SpeechCVAE, images: torch.Tensor, digits: torch.Tensor) -> torch.Tensor:
    return torch.cat(
        [model.encode(images[i : i + 256], digits[i : i + 256])[0] for i in range(0, len(images), 256)]
    )


def _augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random loudness (a shift in log space) and a small delay, as recordings vary."""
    gain = (torch.rand(len(images), 1, 1, generator=generator) - 0.5) * 0.3
    shift = int(torch.randint(0, 9, (1,), generator=generator))
    delayed = torch.nn.functional.pad(images, (shift, 0), value=float(images.min()))[..., : images.shape[-1]]
    return delayed + gain


def train_digit_classifier(
    train: SpokenDigits, test: SpokenDigits, config: ClassifierTrainingConfig, log: Log = print
) -> tuple[DigitClassifier, dict[str, float]]:
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = DigitClassifier(config.channels)
    images, digits = spectrograms(train), train.digits
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=1e-3)
    schedule = one_cycle(optimizer, config.learning_rate, config.epochs, len(train), config.batch_size)
    for epoch in range(1, config.epochs + 1):
        model.train()
        total = 0.0
        for index in shuffled_batches(len(train), config.batch_size, generator):
            loss = nn.functional.cross_entropy(model(_augment(images[index], generator)), digits[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
        accuracy = classifier_accuracy(model, spectrograms(test), test.digits)
        log(f"epoch {epoch}/{config.epochs}  loss {total / len(train):.3f}  held-out accuracy {accuracy:.3f}")
    model.eval()
    return model, {"test_accuracy": round(classifier_accuracy(model, spectrograms(test), test.digits), 4)}


@torch.no_grad()
def classifier_accuracy(model: DigitClassifier, images: torch.Tensor, digits: torch.Tensor) -> float:
    was_training = model.training
    model.eval()
    predicted = torch.cat([model(images[i : i + 256]).argmax(1) for i in range(0, len(images), 256)])
    model.train(was_training)
    return (predicted == digits).float().mean().item()


def _speaking_seconds(wave: torch.Tensor, sample_rate: int) -> float:
    span = active_frames(wave, sample_rate)
    if span is None:
        return 0.0
    first, last, window = span
    return (last - first + 1) * window / sample_rate


@torch.no_grad()
def label_directions(
    model: SpeechCVAE, data: SpokenDigits, images: torch.Tensor, threshold: float = 0.4
) -> list[dict]:
    """Name each principal direction after what it tracks in the real recordings, if anything.

    For every direction, the training clips' coordinates along it are compared with three
    things a listener can hear: pitch (Pearson r with the estimated f0), length (r with the
    time spent speaking) and speaker (η², the share of the coordinate's variance explained by
    who is speaking). The strongest one at or above ``threshold`` names the direction; the
    direction is flipped if needed so that moving right means "higher", "longer", or towards
    the speaker whose clips sit furthest along it. The score is stored so the UI can show it.
    """
    means = posterior_means(model, images, data.digits)
    centred = means - means.mean(0)
    rate = SPEC.sample_rate
    pitch = torch.tensor([estimate_pitch(w, rate) for w in data.waves])
    length = torch.tensor([_speaking_seconds(w, rate) for w in data.waves])
    names = sorted(set(data.speakers))
    speaker = torch.tensor([names.index(s) for s in data.speakers])
    labels = []
    for row in range(len(model.directions)):
        axis = model.directions[row]
        coordinate = centred @ axis / axis.pow(2).sum()
        group_means = torch.stack([coordinate[speaker == k].mean() for k in range(len(names))])
        between = ((group_means[speaker] - coordinate.mean()) ** 2).sum()
        eta2 = float(between / ((coordinate - coordinate.mean()) ** 2).sum().clamp_min(1e-12))
        candidates = [
            ("pitch", pearson(coordinate, pitch), "lower", "higher"),
            ("length", pearson(coordinate, length), "shorter", "longer"),
            ("speaker", eta2, names[int(group_means.argmin())], names[int(group_means.argmax())]),
        ]
        factor, score, low, high = max(candidates, key=lambda c: abs(c[1]))
        if factor != "speaker" and score < 0:
            model.directions[row] = -axis
            score = -score
        labels.append(
            {
                "factor": factor if abs(score) >= threshold else None,
                "score": round(score, 3),
                "low": low,
                "high": high,
            }
        )
    return labels
