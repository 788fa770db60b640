"""A learned prior for a trained VAE: a Gaussian mixture fitted to its training codes.

A VAE is trained so that its codes, taken together, roughly fill N(0, I), but only roughly:
they gather in regions (one or several per digit) with gaps between them, and a code drawn
from N(0, I) in a gap decodes to a blur. Fitting a mixture of full-covariance Gaussians to the
training images' posterior means after training, and drawing samples from it, is the "ex-post
density estimation" of Ghosh et al. (2020, *From Variational to Deterministic Autoencoders*);
the encoder and decoder are unchanged, so the model's likelihood is too.

The fit is plain expectation-maximisation in float64, one component at a time so memory stays
at a few copies of the codes.

A model with a prior per class then adapts the mixture to each class's codes: one EM step from the
shared fit on that class's codes alone, blended with the shared fit by how many codes each
component explains there (the MAP adaptation of a universal mixture, Reynolds et al. 2000). The
components keep their weights and their order, so one draw lands in the same component, the same
speaker, whatever the class.
"""

from __future__ import annotations

import math

import torch

from aigc_demo.training import distributed

CODES_PER_COMPONENT = 50  # fewer codes than this per component and a 16-D covariance is guesswork
COVARIANCE_FLOOR = 1e-3  # added to each covariance's diagonal: no component collapses onto a point
RELEVANCE = 1.0  # codes of its own a class needs before a component is mostly its own


def _log_densities(codes: torch.Tensor, means: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """``(K, N)`` log density of each code under each component (Cholesky factors ``scales``)."""
    dims = codes.shape[1]
    rows = []
    for mean, scale in zip(means, scales, strict=True):
        whitened = torch.linalg.solve_triangular(scale, (codes - mean).T, upper=False)
        log_det = scale.diagonal().log().sum()
        rows.append(-0.5 * whitened.pow(2).sum(0) - log_det - 0.5 * dims * math.log(2 * math.pi))
    return torch.stack(rows)


def _spreads(
    codes: torch.Tensor, responsibility: torch.Tensor, means: torch.Tensor, mass: torch.Tensor
) -> torch.Tensor:
    """``(K, D, D)`` covariance of ``codes`` around each component's mean, each code weighted by
    how much the component explains it (``responsibility`` ``(K, N)``, summing to ``mass``)."""
    spreads = []
    for share, mean, total in zip(responsibility, means, mass, strict=True):
        centred = codes - mean
        spreads.append((centred * share[:, None]).T @ centred / total)
    return torch.stack(spreads)


def fit_gaussian_mixture(
    codes: torch.Tensor, components: int, iterations: int = 40, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """Fit ``components`` Gaussians to ``codes`` ``(N, D)``: (weights ``(K,)``, means ``(K, D)``,
    Cholesky factors of the covariances ``(K, D, D)``, mean log-likelihood per code in nats).
    The means start at ``components`` codes drawn with ``seed``; every covariance at the codes'."""
    codes = codes.double()
    count, dims = codes.shape
    if not 1 <= components <= count:
        raise ValueError(f"a mixture of {components} components needs at least as many codes")
    chosen = torch.randperm(count, generator=torch.Generator().manual_seed(seed))[:components]
    floor = COVARIANCE_FLOOR * torch.eye(dims, dtype=torch.float64)
    means = codes[chosen].clone()
    scales = torch.linalg.cholesky(torch.atleast_2d(torch.cov(codes.T)) + floor).expand(components, -1, -1)
    log_weights = torch.full((components,), -math.log(components), dtype=torch.float64)
    for iteration in range(iterations + 1):
        joint = _log_densities(codes, means, scales) + log_weights[:, None]
        per_code = torch.logsumexp(joint, 0)
        if iteration == iterations:
            break
        responsibility = (joint - per_code).exp()  # (K, N): how much each component explains each code
        mass = responsibility.sum(1).clamp_min(1e-12)
        log_weights = (mass / count).log()
        means = (responsibility @ codes) / mass[:, None]
        scales = torch.linalg.cholesky(_spreads(codes, responsibility, means, mass) + floor)
    return log_weights.exp(), means, scales, float(per_code.mean())


def components_for(requested: int, codes: int) -> int:
    """How many components ``codes`` training codes can support, at most ``requested``."""
    return max(1, min(requested, codes // CODES_PER_COMPONENT)) if requested else 0


@torch.no_grad()
def fit_latent_prior(model: torch.nn.Module, codes: torch.Tensor, seed: int = 0) -> dict[str, float]:
    """Fit ``model``'s learned prior to its training ``codes`` in place; figures for its card
    (none for a model without a learned prior)."""
    if not hasattr(model, "prior_weights"):
        return {}
    components = len(model.prior_weights)
    weights, means, scales, log_likelihood = fit_gaussian_mixture(codes, components, seed=seed)
    for buffer, fitted in zip(
        (model.prior_weights, model.prior_means, model.prior_scales), (weights, means, scales), strict=True
    ):
        buffer.copy_(fitted)
        distributed.from_first(buffer)  # under torchrun, every process keeps the first one's fit
    return {"prior_components": components, "prior_log_likelihood_nats": round(log_likelihood, 3)}


@torch.no_grad()
def fit_class_prior(model: torch.nn.Module, codes: torch.Tensor, labels: torch.Tensor) -> None:
    """Adapt ``model``'s fitted mixture to each class's ``codes`` in place (see the module's
    docstring); nothing for a model without a prior per class. A component becomes mostly the
    class's own once ``RELEVANCE`` of the class's codes fall in it (wider priors, trusting the
    shared covariances longer, drew voices recognised less often); a class without codes keeps
    the shared mixture."""
    if not hasattr(model, "class_prior_means"):
        return
    codes = codes.double()
    weights, means, scales = (
        b.double() for b in (model.prior_weights, model.prior_means, model.prior_scales)
    )
    dims = codes.shape[1]
    shared_covariances = scales @ scales.mT
    floor = COVARIANCE_FLOOR * torch.eye(dims, dtype=torch.float64)
    for label in range(len(model.class_prior_means)):
        own = codes[labels == label]
        if not len(own):
            class_means, class_scales = means, scales
        else:
            joint = _log_densities(own, means, scales) + weights.log()[:, None]
            responsibility = (joint - torch.logsumexp(joint, 0)).exp()
            mass = responsibility.sum(1)
            share = mass / (mass + RELEVANCE)
            own_means = (responsibility @ own) / mass.clamp_min(1e-12)[:, None]
            class_means = share[:, None] * own_means + (1 - share[:, None]) * means
            spreads = _spreads(own, responsibility, class_means, mass.clamp_min(1e-12))
            blend = share[:, None, None] * spreads + (1 - share[:, None, None]) * shared_covariances
            class_scales = torch.linalg.cholesky(blend + floor)
        model.class_prior_means[label].copy_(class_means)
        model.class_prior_scales[label].copy_(class_scales)
    for buffer in (model.class_prior_means, model.class_prior_scales):
        distributed.from_first(buffer)
