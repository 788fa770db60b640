"""Latent directions a person can name, fitted on the codes of real images.

Three traits are measured on each real image from its ink: **ink** (mean intensity, i.e.
stroke weight), **slant** (the shear of the ink's second moments; positive leans right) and
**width** (the spread of the ink across). A least-squares fit from latent code to trait gives,
for each trait, the direction along which the trait grows fastest. For each class, the
direction from the other classes' mean code to that class's gives "more like a 7". Each
direction is scaled so one slider unit is one standard deviation of the codes along it, and
carries ``fit``: the correlation between position along it and the trait or class membership,
so a label never claims more than the data support.
"""

from __future__ import annotations

import torch

from aigc_demo.training.directions import pearson

TRAITS = ("ink", "slant", "width")


def measure_traits(images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-image ink, slant and width of ``(N, 1, H, W)`` images with bright ink on dark."""
    ink = images[:, 0]
    height, width = ink.shape[-2:]
    ys = torch.arange(height, dtype=ink.dtype).view(1, -1, 1)
    xs = torch.arange(width, dtype=ink.dtype).view(1, 1, -1)
    mass = ink.sum((1, 2)).clamp_min(1e-6)
    mean_x = (ink * xs).sum((1, 2)) / mass
    mean_y = (ink * ys).sum((1, 2)) / mass
    dx, dy = xs - mean_x.view(-1, 1, 1), ys - mean_y.view(-1, 1, 1)
    var_x = (ink * dx**2).sum((1, 2)) / mass
    var_y = (ink * dy**2).sum((1, 2)) / mass
    cov_xy = (ink * dx * dy).sum((1, 2)) / mass
    # Rows run downwards, so a stroke leaning right has x falling as y grows: negate the shear.
    return {"ink": ink.mean((1, 2)), "slant": -cov_xy / var_y.clamp_min(1e-6), "width": var_x.sqrt()}


def _scaled(direction: torch.Tensor, centred: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    unit = direction / direction.norm().clamp_min(1e-12)
    position = centred @ unit
    return unit * position.std(), position


Traits = dict[str, torch.Tensor]  # trait name -> one value per image
CODES_PER_DIMENSION = 10  # fewer, and a trait's direction is its covariance with the codes


def named_directions(
    codes: torch.Tensor,
    traits: Traits,
    labels: torch.Tensor | None,
    class_names: tuple[str, ...] | None = None,
) -> list[dict]:
    """Trait directions and (with labels) one "more like this class" direction per class, named
    by ``class_names`` (default: the class number). ``traits`` are measured on the images
    (``measure_traits``) or, for generated data, the factors that made them.

    Returns plain data for the model card: ``{"kind", "name", "fit", "vector"}`` per direction.
    """
    centred = (codes - codes.mean(0)).double()
    # With few codes per dimension least squares fits any trait exactly, along directions in which the
    # codes barely move (a slider that changes nothing): then the codes' covariance with the trait.
    few = len(codes) < CODES_PER_DIMENSION * codes.shape[1]
    found = []
    for name, values in traits.items():
        target = (values - values.mean()).double()
        if few:
            weights = centred.T @ target
        else:
            weights = torch.linalg.lstsq(centred, target.unsqueeze(1)).solution.squeeze(1)
        vector, position = _scaled(weights, centred)
        found.append(
            {
                "kind": "trait",
                "name": name,
                "fit": round(pearson(position, target), 3),
                "vector": [round(v, 5) for v in vector.tolist()],
            }
        )
    if labels is not None:
        for cls in labels.unique().tolist():
            member = labels == cls
            vector, position = _scaled(centred[member].mean(0) - centred[~member].mean(0), centred)
            found.append(
                {
                    "kind": "class",
                    "name": class_names[cls] if class_names else str(cls),
                    "fit": round(pearson(position, member.double()), 3),
                    "vector": [round(v, 5) for v in vector.tolist()],
                }
            )
    return found


def describe_principal_directions(
    codes: torch.Tensor, directions: torch.Tensor, traits: Traits, threshold: float = 0.4
) -> list[dict]:
    """For each principal direction, the trait it tracks best and how well (``{"trait", "fit"}``);
    ``trait`` is ``None`` when no trait reaches ``threshold`` in absolute correlation."""
    centred = codes - codes.mean(0)
    described = []
    for axis in directions:
        position = centred @ axis
        scores = {name: pearson(position, values) for name, values in traits.items()}
        best = max(scores, key=lambda name: abs(scores[name]))
        fit = round(scores[best], 3)
        described.append({"trait": best if abs(fit) >= threshold else None, "fit": fit})
    return described
