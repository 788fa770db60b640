"""Pictures from image models: a latent code (seed + slider offsets, optional class) → pixels."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch

from aigc_demo.backend.checks import check_whole
from aigc_demo.backend.hub import LoadedModel
from aigc_demo.backend.seeding import seeded_randn
from aigc_demo.pipelines.latents import (
    check_offsets,
    check_temperature,
    direction_shift,
    prior_codes,
    steered_latent,
)

UPSCALE = 10  # 28 x 28 → 280 x 280, nearest-neighbour so every pixel stays crisp
MAX_SAMPLES = 10_000


def check_label(model: torch.nn.Module, label: int | float | str | None) -> torch.Tensor | None:
    """The class as a one-element tensor for a class-conditional model; ``None`` otherwise."""
    classes = getattr(model, "classes", 0)
    if not classes:
        return None
    try:
        value = int(label)
    except (TypeError, ValueError):
        raise ValueError(f"this model draws a chosen class: pick one from 0 to {classes - 1}") from None
    if not 0 <= value < classes or value != float(label):
        raise ValueError(f"class must be a whole number from 0 to {classes - 1}, got {label!r}")
    return torch.tensor([value], device=model.directions.device)


def to_picture(image: torch.Tensor, scale: int = UPSCALE) -> np.ndarray:
    """``(C, H, W)`` in [0, 1] → uint8 ``(H*scale, W*scale)`` (grey) or ``(.., 3)`` (colour)."""
    pixels = (image.clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
    pixels = pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


def named_vectors(loaded: LoadedModel) -> dict[str, list[float]]:
    """The model's named directions (traits, classes) from its card, by name."""
    return {d["name"]: d["vector"] for d in loaded.entry.card.extras.get("directions", {}).get("named", [])}


def named_shift(loaded: LoadedModel, amounts: Mapping[str, float]) -> torch.Tensor:
    """The latent shift for named directions, e.g. ``{"slant": 1.5, "7": 2.0}`` (one slider unit
    is one standard deviation of the codes along that direction)."""
    named = named_vectors(loaded)
    model = loaded.module
    shift = torch.zeros(model.latent_dim, device=model.directions.device)
    for name, amount in amounts.items():
        value = check_offsets([amount], 1)[0]
        if value == 0:
            continue
        if name not in named:
            raise ValueError(f"this model has no direction named {name!r}")
        shift += value * torch.tensor(named[name], device=shift.device)
    return shift


def check_code(model: torch.nn.Module, code: Sequence[float]) -> torch.Tensor:
    """A latent code given as numbers (e.g. from ``/encode``), checked for length and finiteness."""
    try:
        values = torch.tensor([float(v) for v in code], device=model.directions.device)
    except (TypeError, ValueError):
        raise ValueError("a latent code must be a list of numbers") from None
    if values.shape != (model.latent_dim,) or not torch.isfinite(values).all() or values.abs().max() > 50:
        raise ValueError(f"a latent code must be {model.latent_dim} finite numbers of modest size")
    return values


def latent_code(
    loaded: LoadedModel,
    seed: int,
    offsets: Sequence[float] = (),
    named: Mapping[str, float] | None = None,
    start: Sequence[float] | None = None,
    truncation: float = 1.0,
    raw: bool = False,
) -> torch.Tensor:
    """The code for a seed (or a ``start`` code, e.g. an encoded drawing) moved by slider offsets
    along the principal directions (or, with ``raw``, the first latent dimensions) and the named
    ones. ``truncation`` ψ below 1 pulls the seed's noise towards the prior's centre (the
    truncation trick of GANs, the temperature of VAEs): clearer, more typical pictures, less
    variety."""
    model = loaded.module
    truncation = check_temperature(truncation, "truncation")
    noise = start is None
    base = steered_latent(model, seed, temperature=truncation) if noise else check_code(model, start)
    return base + direction_shift(model, offsets, raw) + named_shift(loaded, named or {})


@torch.inference_mode()
def decode(
    loaded: LoadedModel,
    seed: int,
    offsets: Sequence[float] = (),
    label: int | None = None,
    named: Mapping[str, float] | None = None,
    start: Sequence[float] | None = None,
    truncation: float = 1.0,
    raw: bool = False,
) -> np.ndarray:
    """The picture for ``latent_code(...)`` and (for a class-conditional model) a class."""
    model = loaded.module
    z = latent_code(loaded, seed, offsets, named, start, truncation, raw)
    return to_picture(model.decode(z.unsqueeze(0), check_label(model, label))[0])


@torch.inference_mode()
def sample(
    model: torch.nn.Module, count: int, seed: int, label: int | None = None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``count`` images (``(N, C, H, W)`` in [0, 1]) from codes drawn from the model's prior with ``seed``.

    A class-conditional model draws ``label`` when given, else the classes in turn (0, 1, 2, ...);
    the labels used are returned with the images.
    """
    if not 1 <= count <= MAX_SAMPLES:
        raise ValueError(f"the number of images must be between 1 and {MAX_SAMPLES}")
    device = model.directions.device
    z = prior_codes(model, count, seed)
    labels = None
    if getattr(model, "classes", 0):
        labels = (
            check_label(model, label).expand(count)
            if label is not None
            else torch.arange(count, device=device) % model.classes
        )
    elif label is not None:
        raise ValueError("this model is not class-conditional: leave out the label")
    return model.decode(z, labels).float().cpu(), None if labels is None else labels.cpu()


def _decode_all(model: torch.nn.Module, codes: torch.Tensor, label: int | None) -> torch.Tensor:
    """Images ``(N, C, H, W)`` on the CPU for ``codes``, all of one class for a conditional model."""
    labels = check_label(model, label)
    return model.decode(codes, None if labels is None else labels.expand(len(codes))).float().cpu()


def grid(images: torch.Tensor, padding: int = 2, scale: int = 1, columns: int | None = None) -> np.ndarray:
    """Tile ``(N, C, H, W)`` images into one picture, ``scale`` times native; as square as
    possible unless ``columns`` is given."""
    count, channels, height, width = images.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    canvas = torch.zeros(channels, rows * (height + padding) + padding, columns * (width + padding) + padding)
    for index, tile in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        canvas[:, top : top + height, left : left + width] = tile
    return to_picture(canvas, scale)


MAX_FRAMES = 64
MAX_GRID = 15


def direction_vector(loaded: LoadedModel, key: str) -> torch.Tensor:
    """A direction by name: ``"1"``..``"8"`` for the principal ones, or a named one (``"slant"``, ``"7"``)."""
    model = loaded.module
    if key.isdigit() and 1 <= int(key) <= len(model.directions):
        return model.directions[int(key) - 1]
    named = named_vectors(loaded)
    if key in named and not key.isdigit():
        return torch.tensor(named[key], device=model.directions.device)
    raise ValueError(f"this model has no direction {key!r}")


def _check_frames(frames: object) -> int:
    return check_whole(frames, "frames", 2, MAX_FRAMES)  # 2.5, NaN or text refused by name


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation: keeps the norm typical of Gaussian noise all the way, where a
    straight line between two samples passes through unusually short codes."""
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    angle = torch.arccos(cos.clamp(-1.0, 1.0))
    if angle.abs() < 1e-4:
        return torch.lerp(a.expand(len(t), -1), b.expand(len(t), -1), t[:, None])
    return (torch.sin((1 - t)[:, None] * angle) * a + torch.sin(t[:, None] * angle) * b) / torch.sin(angle)


@torch.inference_mode()
def interpolate(
    loaded: LoadedModel,
    seed_a: int,
    seed_b: int,
    frames: int = 16,
    mode: str = "slerp",
    label: int | None = None,
) -> torch.Tensor:
    """``frames`` images on the way from seed A's code to seed B's, ``(frames, C, H, W)``."""
    model = loaded.module
    return interpolate_codes(
        loaded, steered_latent(model, seed_a), steered_latent(model, seed_b), frames, mode, label
    )


@torch.inference_mode()
def interpolate_codes(
    loaded: LoadedModel,
    code_a: Sequence[float] | torch.Tensor,
    code_b: Sequence[float] | torch.Tensor,
    frames: int = 16,
    mode: str = "slerp",
    label: int | None = None,
) -> torch.Tensor:
    """``frames`` images on the way from one latent code to another (e.g. two encoded drawings)."""
    frames = _check_frames(frames)
    if mode not in ("lerp", "slerp"):
        raise ValueError("mode must be 'lerp' or 'slerp'")
    model = loaded.module
    a, b = (c if isinstance(c, torch.Tensor) else check_code(model, c) for c in (code_a, code_b))
    t = torch.linspace(0, 1, frames, device=a.device)
    codes = (
        slerp(a, b, t)
        if mode == "slerp"
        else torch.lerp(a.expand(len(t), -1), b.expand(len(t), -1), t[:, None])
    )
    return _decode_all(model, codes, label)


@torch.inference_mode()
def interpolate_classes(
    loaded: LoadedModel, seed: int, label_a: int, label_b: int, frames: int = 16
) -> torch.Tensor:
    """``frames`` images morphing the seed's picture of class A into class B, ``(frames, C, H, W)``:
    the same noise throughout, the class's learned vector moving in a straight line from A's to B's."""
    frames = _check_frames(frames)
    model = loaded.module
    if not getattr(model, "classes", 0):
        raise ValueError("this model does not draw a chosen class: interpolate between two seeds instead")
    a, b = (
        model.class_embedding(check_label(model, label_a)),
        model.class_embedding(check_label(model, label_b)),
    )
    t = torch.linspace(0, 1, frames, device=a.device)[:, None]
    codes = steered_latent(model, seed).expand(frames, -1)
    return model.decode(codes, torch.lerp(a, b, t)).float().cpu()


@torch.inference_mode()
def manifold(
    loaded: LoadedModel,
    seed: int,
    across: str,
    down: str,
    steps: int = 9,
    span: float = 2.5,
    label: int | None = None,
) -> torch.Tensor:
    """A ``steps`` x ``steps`` grid of images around seed's code, moving ``span`` standard
    deviations each way along two directions (Kingma & Welling's manifold figure), row-major."""
    steps = check_whole(steps, "steps", 2, MAX_GRID)
    span = check_offsets([span], 1)[0]
    model = loaded.module
    centre = steered_latent(model, seed)
    x_axis, y_axis = direction_vector(loaded, across), direction_vector(loaded, down)
    positions = torch.linspace(-span, span, steps, device=centre.device)
    codes = torch.stack([centre + x * x_axis + y * y_axis for y in positions for x in positions])
    return _decode_all(model, codes, label)


def strip(images: torch.Tensor, scale: int = 3) -> np.ndarray:
    """Frames side by side with thin gaps, upscaled for viewing."""
    return grid(images, scale=scale, columns=len(images))


def gif_bytes(images: torch.Tensor, frame_ms: int = 80, scale: int = 8) -> bytes:
    """An animated GIF that plays the frames forward then back, looping forever."""
    return looping_gif([to_picture(frame, scale) for frame in images], frame_ms)


def looping_gif(pictures: list[np.ndarray], frame_ms: int, back_and_forth: bool = True) -> bytes:
    """Pictures (uint8 arrays of one size) as a GIF that plays forward then (``back_and_forth``) back,
    looping forever."""
    import io

    from PIL import Image

    frames = [Image.fromarray(picture) for picture in pictures]
    sequence = frames + frames[-2:0:-1] if back_and_forth else frames
    buffer = io.BytesIO()
    sequence[0].save(
        buffer, format="GIF", save_all=True, append_images=sequence[1:], duration=frame_ms, loop=0
    )
    return buffer.getvalue()


@torch.inference_mode()
def blend_corners(
    loaded: LoadedModel, seeds: Sequence[int], x: float, y: float, label: int | None = None
) -> np.ndarray:
    """The picture at ``(x, y)`` in [0, 1]^2 of a pad whose four corners are four seeds' codes
    (top-left, top-right, bottom-left, bottom-right), blended bilinearly (the NSynth pad idea).

    The blend is divided by the root of the summed squared weights, so a point between the
    corners has the spread of a real sample rather than the shrunken code of a plain average.
    """
    if len(seeds) != 4:
        raise ValueError("give four corner seeds: top-left, top-right, bottom-left, bottom-right")
    x, y = (check_offsets([v], 1, limit=1.0)[0] for v in (x, y))
    if x < 0 or y < 0:
        raise ValueError("the pad position must be between 0 and 1 on both axes")
    model = loaded.module
    corners = torch.stack([steered_latent(model, seed) for seed in seeds])
    weights = torch.tensor([(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y], device=corners.device)
    code = (weights @ corners) / weights.pow(2).sum().sqrt()
    return to_picture(model.decode(code.unsqueeze(0), check_label(model, label))[0], scale=UPSCALE)


INVERSION_STEPS = 300
INVERSION_STARTS = 8


def encode(
    loaded: LoadedModel,
    image: torch.Tensor,
    label: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """The code of a prepared ``(C, H, W)`` image, shape ``(latent,)``: the posterior mean for a
    model with an encoder (a VAE), else found by optimisation (``invert``, for a GAN), reporting
    ``on_step(step, total)`` as it goes."""
    model = loaded.module
    device = model.directions.device
    config = getattr(model, "config", {})
    expected = (config.get("image_channels", 1), config.get("size", 28), config.get("size", 28))
    if tuple(image.shape) != expected:
        raise ValueError(
            f"this model draws {expected[1]} x {expected[2]} pictures with {expected[0]} channel(s), "
            "not digits: drawings and uploads work with the digit models"
        )
    labels = check_label(model, label)
    if hasattr(model, "encode"):
        with torch.inference_mode():
            return model.encode(image.unsqueeze(0).to(device), labels)[0][0]
    return invert(model, image.to(device), labels, on_step=on_step)


def invert(
    model: torch.nn.Module,
    image: torch.Tensor,
    label: torch.Tensor | None,
    steps: int = INVERSION_STEPS,
    starts: int = INVERSION_STARTS,
    on_step: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """The noise whose picture best matches ``image``: Adam on the pixel cross-entropy from
    ``starts`` seeded starting points at once, keeping the best. A small pull towards the
    prior's typical radius keeps the code where the sliders and the generator behave. Only the
    code gets gradients; the model's weights are never touched."""
    latent = model.latent_dim
    codes = seeded_randn((starts, latent), 0, device=image.device).requires_grad_(True)
    target = image.unsqueeze(0).expand(starts, -1, -1, -1)
    labels = None if label is None else label.expand(starts)
    optimizer = torch.optim.Adam([codes], lr=0.05)
    typical = math.sqrt(latent)

    def losses() -> torch.Tensor:
        pictures = model.decode(codes, labels).clamp(1e-6, 1 - 1e-6)
        mismatch = torch.nn.functional.binary_cross_entropy(pictures, target, reduction="none")
        return mismatch.flatten(1).sum(1) + 0.5 * (codes.norm(dim=1) - typical).pow(2)

    with torch.enable_grad():
        for step in range(1, steps + 1):
            (codes.grad,) = torch.autograd.grad(losses().sum(), codes)
            optimizer.step()
            if on_step is not None:
                on_step(step, steps)
    with torch.no_grad():
        return codes.detach()[losses().argmin()].clone()
