"""The latent map an image VAE carries: the codes of a fixed sample of test images, with labels.

Stored in the model card (``extras["map"]``), so the app can draw where real digits lie in the
latent space without the dataset at hand.
"""

from __future__ import annotations

import torch

from aigc_demo.data.mnist import ImageSet

MAP_POINTS = 1000


@torch.inference_mode()
def latent_map(
    model: torch.nn.Module,
    images: ImageSet,
    count: int = MAP_POINTS,
    seed: int = 0,
    class_names: tuple[str, ...] | None = None,
) -> dict:
    """Posterior means of ``count`` images drawn (seeded) from ``images``, rounded for the card;
    ``class_names`` label the classes on the map (default: their numbers)."""
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))[:count]
    labels = images.labels[order]
    device = model.directions.device
    conditional = bool(getattr(model, "classes", 0))
    mean, _ = model.encode(images.images[order].to(device), labels.to(device) if conditional else None)
    return {
        "codes": [[round(v, 4) for v in row] for row in mean.cpu().tolist()],
        "labels": labels.tolist(),
        "source": f"{len(order)} test images, seed {seed}",
        **({"names": list(class_names)} if class_names else {}),
    }
