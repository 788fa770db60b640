"""Small pieces the generative models share: their argument checks and class conditioning."""

from __future__ import annotations

import torch
from torch import nn


def check_directions(num_directions: int, latent_dim: int) -> None:
    """A model keeps between 1 and ``latent_dim`` principal directions of its latent space."""
    if not 0 < num_directions <= latent_dim:
        raise ValueError(f"num_directions must be between 1 and latent_dim ({latent_dim})")


def check_halvable_twice(size: int) -> None:
    """The image models halve the picture's side twice (two stride-2 convolutions)."""
    if size % 4:
        raise ValueError("size must be a multiple of 4")


def embed_label(embedding: nn.Module, label: torch.Tensor) -> torch.Tensor:
    """Class ids ``(B,)`` → their learned vectors ``(B, width)``. A float tensor ``(B, width)``
    is taken as vectors already: a blend of classes, as when morphing one digit into another."""
    return label if label.is_floating_point() else embedding(label)


MAX_PRIOR_COMPONENTS = 256


class LearnedPrior:
    """For a generative ``nn.Module`` whose codes start as standard-normal noise: an optional
    learned prior, a mixture of Gaussians over that noise fitted after training to where the
    training examples' codes lie (see ``training/latent_prior.py``). Codes drawn from it land
    where the decoder has learned to draw, not in the gaps between those places."""

    def add_prior(self, components: int, dims: int, classes: int = 0) -> None:
        """Mixture weights, means and lower-triangular Cholesky factors of the covariances, as
        buffers (until fitted, N(0, I) in every part), and ``prior_components`` in ``config``;
        nothing at all for 0 components, so a card written before the learned prior still matches.
        With ``classes``, each class also gets its own version of the mixture (``add_class_prior``)."""
        if not 0 <= components <= MAX_PRIOR_COMPONENTS:
            raise ValueError(f"prior_components must be between 0 and {MAX_PRIOR_COMPONENTS}")
        if components:
            self.config["prior_components"] = components
            self.register_buffer("prior_weights", torch.full((components,), 1 / components))
            self.register_buffer("prior_means", torch.zeros(components, dims))
            self.register_buffer("prior_scales", torch.eye(dims).repeat(components, 1, 1))
            if classes:
                self.add_class_prior(classes)

    def add_class_prior(self, classes: int) -> None:
        """Give each class its own means and covariances of the mixture's components (starting as
        the shared ones), and ``prior_per_class`` in ``config``. The weights stay shared, so one
        draw picks the same component, with the same noise, for every class: one speaker saying
        several digits stays one speaker."""
        self.config["prior_per_class"] = True
        self.register_buffer("class_prior_means", self.prior_means.repeat(classes, 1, 1))
        self.register_buffer("class_prior_scales", self.prior_scales.repeat(classes, 1, 1, 1))

    def from_prior(
        self, noise: torch.Tensor, pick: torch.Tensor, label: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``noise`` ``(N, dims)`` standard normal and ``pick`` ``(N,)`` uniform in [0, 1) choosing
        each code's mixture component → codes from the learned prior; without one, ``noise``.
        With a prior per class and class ids ``label`` (``(N,)``, or any number for one draw), the
        component is that class's version of it."""
        if not hasattr(self, "prior_weights"):
            return noise
        cumulative = self.prior_weights.cumsum(0)
        component = torch.searchsorted(cumulative, (pick * cumulative[-1])[:, None], right=True)[:, 0]
        component = component.clamp_max(len(cumulative) - 1)
        means, scales = self.prior_means[component], self.prior_scales[component]
        if label is not None and hasattr(self, "class_prior_means"):
            means, scales = (
                self.class_prior_means[label, component],
                self.class_prior_scales[label, component],
            )
        return means + (scales @ noise[:, :, None])[:, :, 0]
