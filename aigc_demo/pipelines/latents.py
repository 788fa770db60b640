"""Latent codes a person steers: noise from a seed, moved along a model's saved directions.

Every generator here stores its principal directions in a ``directions`` buffer (one row
each, scaled to one standard deviation), so a slider value of 1 moves the code by one
standard deviation of the training data along that direction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from aigc_demo.backend.seeding import check_seed, cpu_generator

MAX_OFFSET = 3.0  # slider range, in standard deviations along a direction
MIN_TEMPERATURE = 0.1


def check_offsets(offsets: Sequence[float], count: int, limit: float = MAX_OFFSET) -> list[float]:
    """``count`` slider values as floats in ``[-limit, limit]``; missing ones are 0.

    A model may have fewer directions than the UI has sliders; values for sliders it lacks are
    accepted only when they are 0, so no request silently loses a setting.
    """
    values = []
    for position, value in enumerate(offsets, start=1):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"slider {position} must be a number, got {value!r}") from None
        if not math.isfinite(number) or abs(number) > limit:
            raise ValueError(f"slider {position} must be between -{limit:g} and {limit:g}")
        values.append(number)
    if any(values[count:]):
        raise ValueError(f"this model has {count} sliders; the values after slider {count} must be 0")
    return values[:count] + [0.0] * (count - len(values))


def check_temperature(temperature: float, name: str = "temperature") -> float:
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {temperature!r}") from None
    if not MIN_TEMPERATURE <= value <= 1.0:
        raise ValueError(f"{name} must be between {MIN_TEMPERATURE:g} and 1")
    return value


def prior_codes(
    model: torch.nn.Module,
    count: int,
    seed: int,
    temperature: float = 1.0,
    label: torch.Tensor | None = None,
) -> torch.Tensor:
    """``count`` codes ``(count, latent)`` from ``model``'s prior for ``seed``, on its device
    (for a model with a prior per class, ``label``'s version of it; see ``drawn_prior_codes``).

    ``temperature`` below 1 scales the noise down: samples stay nearer the typical code, clearer
    but less varied (the "temperature" of VAE and flow sampling).
    """
    generator = cpu_generator(check_seed(seed))
    return drawn_prior_codes(model, count, generator, check_temperature(temperature), label)


def drawn_prior_codes(
    model: torch.nn.Module,
    count: int,
    generator: torch.Generator,
    temperature: float | torch.Tensor = 1.0,
    label: torch.Tensor | None = None,
) -> torch.Tensor:
    """``count`` codes from ``model``'s prior drawn from ``generator``, on the model's device.

    Standard-normal noise comes first from the stream, scaled by ``temperature`` (a number, or a
    ``(count, 1)`` column: one per code); for a model without a learned prior that is the code, as it
    always was. A model with one (``from_prior``) then takes a uniform number per code from the same
    stream to choose where in its mixture the code lies; with a prior per class, in the version of
    ``label`` (one class per code, or several classes for a single draw: one code for each).
    """
    noise = torch.randn((count, model.latent_dim), generator=generator) * temperature
    device = model.directions.device
    if not hasattr(model, "from_prior"):
        return noise.to(device)
    pick = torch.rand(count, generator=generator)
    label = None if label is None else label.to(device)
    return model.from_prior(noise.to(device), pick.to(device), label)


def steered_latent(
    model: torch.nn.Module,
    seed: int,
    offsets: Sequence[float] = (),
    label: torch.Tensor | None = None,
    temperature: float = 1.0,
) -> torch.Tensor:
    """A code from the model's prior for ``seed`` (``prior_codes``) plus ``offsets`` along the
    model's directions.

    Shape ``(latent,)``, or ``(len(label), latent)`` for a model that records where its training
    codes lie for each class (``latent_mean`` per class and a shared ``latent_basis``): the
    noise is then mapped into that Gaussian for each label (and drawn from each label's version
    of a prior per class).
    """
    if hasattr(model, "latent_basis") and label is not None:
        codes = prior_codes(model, 1, seed, temperature, label)
        return model.latent_mean[label] + codes @ model.latent_basis + direction_shift(model, offsets)
    return prior_codes(model, 1, seed, temperature)[0] + direction_shift(model, offsets)


def direction_shift(model: torch.nn.Module, offsets: Sequence[float], raw: bool = False) -> torch.Tensor:
    """The move given by slider ``offsets`` along the model's directions, shape ``(latent,)``;
    with ``raw``, along the first latent dimensions themselves instead (one unit is one standard
    deviation of the prior), as many as the model has directions."""
    directions = model.directions
    if raw:
        directions = torch.eye(model.latent_dim, device=directions.device)[: len(directions)]
    steps = torch.tensor(check_offsets(offsets, len(directions)), device=directions.device)
    return steps @ directions
