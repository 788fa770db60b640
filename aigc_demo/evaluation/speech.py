"""Judge the spoken-digit generator with the digit classifier trained on real recordings.

Recognition: the share of generated clips the classifier hears as the digit that was asked
for. Diversity: for each digit, the mean distance between the classifier's pooled features of
two clips, generated next to real; a generator that always says the same thing the same way
scores near 0, one as varied as the real speakers near 1.
Noise: how loud a clip's quietest stretches are next to its loudest (``noise_floor_db``), and how
noise-like the spectrum is while it sounds (``spectral_flatness``), for generated clips and for
the real ones, raw and through the same vocoder; a hiss raises both.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from aigc_demo.audio.silence import FRAMES_PER_SECOND, QUIET_DB
from aigc_demo.audio.spectrogram import SPEC, denormalize, griffin_lim, log_spectrogram
from aigc_demo.data.spoken_digits import SpokenDigits
from aigc_demo.models.speech import DigitClassifier, SpeechCVAE
from aigc_demo.pipelines.speech import DEFAULT_TEMPERATURE, voice


@dataclass(frozen=True)
class SpeechReport:
    classifier_accuracy_real: float | None
    recognition: float
    recognition_per_digit: tuple[float, ...]
    diversity_generated: float
    diversity_real: float | None
    clips_per_digit: int
    temperature: float
    noise_floor_generated: float  # dB, see noise_floor_db
    noise_floor_real: float | None  # the held-out recordings as they are
    noise_floor_real_vocoded: float | None  # the same, through the spectrogram and Griffin-Lim
    flatness_generated: float  # see spectral_flatness
    flatness_real: float | None
    flatness_real_vocoded: float | None

    @property
    def diversity_ratio(self) -> float | None:
        if self.diversity_real is None:
            return None
        return self.diversity_generated / self.diversity_real


@torch.inference_mode()
def generated_waves(model: SpeechCVAE, digit: int, seeds: range, temperature: float) -> torch.Tensor:
    """Clips of ``digit`` in the voices of ``seeds`` (sliders centred), as the app makes them."""
    z = torch.cat([voice(model, seed, (), [digit], temperature) for seed in seeds])
    images = model.decode(z, torch.full((len(z),), digit, device=z.device)).float().cpu()
    return griffin_lim(denormalize(images), SPEC, seed=digit)


FLOOR_SHARE = 0.1  # the quietest tenth of a clip's frames


def noise_floor_db(waves: torch.Tensor, sample_rate: int = SPEC.sample_rate) -> float:
    """The level of the quietest tenth of each clip's 20 ms frames, in dB below its loudest frame,
    averaged over the clips ``(N, samples)``. Digital silence (the zeros a short recording is
    padded with) is left out, so only sound counts. Lower is cleaner: a steady hiss under the
    speech lifts the quiet frames towards the loud ones."""
    window = sample_rate // FRAMES_PER_SECOND
    frames = waves[:, : waves.shape[1] // window * window].reshape(len(waves), -1, window)
    level = 10 * torch.log10(frames.double().pow(2).mean(-1) + 1e-20)
    floors = []
    for clip in level:
        heard = clip[clip > -150]
        if len(heard):
            floors.append(float(torch.quantile(heard - heard.max(), FLOOR_SHARE)))
    return sum(floors) / max(len(floors), 1)


def spectral_flatness(waves: torch.Tensor) -> float:
    """The mean spectral flatness of the frames that sound (within ``QUIET_DB`` of their clip's
    loudest): each frame's geometric over arithmetic mean power across frequencies, 0 for a pure
    tone, 1 for white noise. Voiced speech is a few harmonics with little between them; a hiss
    fills the gaps and raises it."""
    power = (
        torch.stft(waves.double(), SPEC.n_fft, SPEC.hop, window=SPEC.window().double(), return_complex=True)
        .abs()
        .pow(2)[:, 1:]
    )  # (N, frequencies, frames), without the constant term
    level = 10 * torch.log10(power.mean(1) + 1e-20)
    sounding = level > level.max(1, keepdim=True).values - QUIET_DB
    flatness = power.clamp_min(1e-20).log().mean(1).exp() / power.mean(1).clamp_min(1e-20)
    return float((flatness * sounding).sum() / sounding.sum().clamp_min(1))


def vocoded(waves: torch.Tensor) -> torch.Tensor:
    """Real recordings as the generator's clips are heard: their spectrograms, then Griffin-Lim."""
    return griffin_lim(denormalize(log_spectrogram(waves)), SPEC, seed=0)


def _mean_pairwise_distance(features: torch.Tensor) -> float:
    distances = torch.cdist(features, features)
    count = len(features)
    return float(distances.sum() / (count * (count - 1)))


@torch.inference_mode()
def evaluate_speech(
    generator: SpeechCVAE,
    classifier: DigitClassifier,
    clips_per_digit: int = 50,
    first_seed: int = 0,
    real: SpokenDigits | None = None,
    temperature: float = DEFAULT_TEMPERATURE,
) -> SpeechReport:
    classifier.eval()
    recognised, spreads, floors, flatness = [], [], [], []
    for digit in range(10):
        seeds = range(first_seed + digit * clips_per_digit, first_seed + (digit + 1) * clips_per_digit)
        waves = generated_waves(generator, digit, seeds, temperature)
        images = log_spectrogram(waves)
        recognised.append(float((classifier(images).argmax(1) == digit).float().mean()))
        spreads.append(_mean_pairwise_distance(classifier.embed(images)))
        floors.append(noise_floor_db(waves))
        flatness.append(spectral_flatness(waves))
    accuracy = real_spread = real_floor = vocoded_floor = real_flatness = vocoded_flatness = None
    if real is not None:
        images = log_spectrogram(real.waves)
        accuracy = float((classifier(images).argmax(1) == real.digits).float().mean())
        features = classifier.embed(images)
        real_spread = sum(_mean_pairwise_distance(features[real.digits == d]) for d in range(10)) / 10
        heard = vocoded(real.waves)
        real_floor, vocoded_floor = noise_floor_db(real.waves), noise_floor_db(heard)
        real_flatness, vocoded_flatness = spectral_flatness(real.waves), spectral_flatness(heard)
    return SpeechReport(
        classifier_accuracy_real=accuracy,
        recognition=sum(recognised) / 10,
        recognition_per_digit=tuple(recognised),
        diversity_generated=sum(spreads) / 10,
        diversity_real=real_spread,
        clips_per_digit=clips_per_digit,
        temperature=temperature,
        noise_floor_generated=sum(floors) / 10,
        noise_floor_real=real_floor,
        noise_floor_real_vocoded=vocoded_floor,
        flatness_generated=sum(flatness) / 10,
        flatness_real=real_flatness,
        flatness_real_vocoded=vocoded_flatness,
    )
