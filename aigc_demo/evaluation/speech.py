"""Judge the spoken-digit generator with the digit classifier trained on real recordings.

Recognition: the share of generated clips the classifier hears as the digit that was asked
for. Diversity: for each digit, the mean distance between the classifier's pooled features of
two clips, generated next to real; a generator that always says the same thing the same way
scores near 0, one as varied as the real speakers near 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

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
    recognised, spreads = [], []
    for digit in range(10):
        seeds = range(first_seed + digit * clips_per_digit, first_seed + (digit + 1) * clips_per_digit)
        images = log_spectrogram(generated_waves(generator, digit, seeds, temperature))
        recognised.append(float((classifier(images).argmax(1) == digit).float().mean()))
        spreads.append(_mean_pairwise_distance(classifier.embed(images)))
    accuracy = real_spread = None
    if real is not None:
        images = log_spectrogram(real.waves)
        accuracy = float((classifier(images).argmax(1) == real.digits).float().mean())
        features = classifier.embed(images)
        real_spread = sum(_mean_pairwise_distance(features[real.digits == d]) for d in range(10)) / 10
    return SpeechReport(
        classifier_accuracy_real=accuracy,
        recognition=sum(recognised) / 10,
        recognition_per_digit=tuple(recognised),
        diversity_generated=sum(spreads) / 10,
        diversity_real=real_spread,
        clips_per_digit=clips_per_digit,
        temperature=temperature,
    )
