"""A glyph VAE: one style code per typeface, the character as a condition.

The encoder reads any number of a typeface's glyphs (each with the character it shows), encodes
each, and averages them into one posterior over the **style code**; the decoder draws any character
of the model's set from a style code. So one code draws every character in one typeface, a few
glyphs of an unseen font are enough to find its code, and a code drawn from N(0, I) is a typeface
that does not exist. Pixels are Bernoulli (white ink on black, 64 x 64), as in the image VAE; the
objective per typeface is the reconstruction of its target glyphs plus one KL term for its code
(after "Analyzing 50k fonts using deep neural networks", 2016, which found a style vector and a
character code enough to draw a font's glyphs).

A model of thousands of characters (Chinese) cannot learn each one's shape from a short code, so it
is given it: with ``reference=True`` the model keeps one plain typeface's glyph of every character
(one bit a pixel) and draws a character by re-drawing that glyph in the style — a U-Net over the
reference glyph whose every scale is shifted and scaled by the style code (content from a source
font as in zi2zi, 2017; the style as a per-channel modulation as in FiLM, 2018). The encoder then
sees each glyph beside its reference, so it reads only how the typeface differs from it.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from aigc_demo.models.registry import register

SIDE = 64


def _down(inputs: int, outputs: int) -> list[nn.Module]:
    return [nn.Conv2d(inputs, outputs, 4, 2, 1), nn.SiLU()]


def _up(inputs: int, outputs: int) -> list[nn.Module]:
    return [nn.ConvTranspose2d(inputs, outputs, 4, 2, 1), nn.SiLU()]


class ReferenceDecoder(nn.Module):
    """A reference glyph ``(N, 1, 64, 64)`` re-drawn in a style ``(N, style_dim)``: a U-Net whose
    every scale is modulated by the style code."""

    def __init__(self, style_dim: int, channels: int):
        super().__init__()
        c = channels
        widths = (c, 2 * c, 4 * c, 4 * c)  # at 32, 16, 8 and 4 pixels
        self.down = nn.ModuleList(
            nn.Conv2d(a, b, 4, 2, 1) for a, b in zip((1, *widths[:-1]), widths, strict=True)
        )
        self.up = nn.ModuleList(
            [
                nn.ConvTranspose2d(widths[3], widths[2], 4, 2, 1),
                nn.ConvTranspose2d(2 * widths[2], widths[1], 4, 2, 1),
                nn.ConvTranspose2d(2 * widths[1], widths[0], 4, 2, 1),
                nn.ConvTranspose2d(2 * widths[0], 1, 4, 2, 1),
            ]
        )
        self.modulation = nn.ModuleList(nn.Linear(style_dim, 2 * w) for w in (*widths, *widths[2::-1]))

    def _modulated(self, x: torch.Tensor, style: torch.Tensor, index: int) -> torch.Tensor:
        scale, shift = self.modulation[index](style)[..., None, None].chunk(2, dim=1)
        return nn.functional.silu(x * (1 + scale) + shift)

    def forward(self, reference: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        skips, x = [], reference
        for i, conv in enumerate(self.down):
            x = self._modulated(conv(x), style, i)
            skips.append(x)
        for i, conv in enumerate(self.up[:-1]):
            x = self._modulated(conv(x if i == 0 else torch.cat([x, skips[3 - i]], 1)), style, 4 + i)
        return self.up[-1](torch.cat([x, skips[0]], 1))


@register("glyph-vae")
class GlyphVAE(nn.Module):
    LIMITS: ClassVar[dict[str, int]] = {  # channels: the largest preset (64 drew 4x slower, 149 ms a line)
        "style_dim": 64,
        "channels": 32,
        "char_dim": 64,
        "chars": 8000,
        "families": 5000,
    }

    def __init__(
        self,
        chars: str,
        style_dim: int = 32,
        channels: int = 32,
        char_dim: int = 32,
        families: int = 0,
        reference: bool = False,
    ):
        super().__init__()
        if len(set(chars)) != len(chars) or not chars:
            raise ValueError("chars must list each character once")
        self.config = {"chars": chars, "style_dim": style_dim, "channels": channels, "char_dim": char_dim}
        if reference:
            self.config["reference"] = True
        self.chars, self.style_dim, self.reference = chars, style_dim, reference
        self.index = {ch: i for i, ch in enumerate(chars)}
        c = channels
        self.char_embedding = nn.Embedding(len(chars), char_dim)
        self.encoder = nn.Sequential(
            *_down(1 + reference, c), *_down(c, 2 * c), *_down(2 * c, 4 * c), *_down(4 * c, 4 * c)
        )
        self.to_feature = nn.Sequential(nn.Linear(4 * c * 16 + char_dim, 256), nn.SiLU(), nn.Linear(256, 256))
        self.to_posterior = nn.Linear(256, 2 * style_dim)
        self.from_code = nn.Sequential(
            nn.Linear(style_dim + char_dim, 256), nn.SiLU(), nn.Linear(256, 4 * c * 16)
        )
        self.decoder = nn.Sequential(
            nn.SiLU(),
            *_up(4 * c, 4 * c),
            *_up(4 * c, 2 * c),
            *_up(2 * c, c),
            nn.ConvTranspose2d(c, 1, 4, 2, 1),
        )
        if reference:
            del self.from_code, self.decoder
            self.redraw = ReferenceDecoder(style_dim, c)
            self.register_buffer(
                "reference_bits", torch.zeros(len(chars), SIDE * SIDE // 8, dtype=torch.uint8)
            )
        self.channels = c
        self.keep_families(torch.zeros(families, style_dim))

    def keep_references(self, glyphs: torch.Tensor) -> None:
        """Keep one plain glyph ``(len(chars), 64, 64)`` in [0, 1] of each character, one bit a pixel."""
        bits = (glyphs.reshape(len(self.chars), -1, 8) > 0.5).to(torch.uint8)
        self.reference_bits.copy_((bits << torch.arange(7, -1, -1, device=bits.device)).sum(-1))

    def references(self, chars: torch.Tensor) -> torch.Tensor:
        """The kept reference glyphs of ``chars`` ``(N,)`` as ``(N, 1, 64, 64)`` zeros and ones."""
        packed = self.reference_bits[chars].long()[..., None]
        bits = (packed >> torch.arange(7, -1, -1, device=packed.device)) & 1
        return bits.reshape(len(chars), 1, SIDE, SIDE).float()

    def keep_families(self, codes: torch.Tensor) -> None:
        """Keep the style codes of the families it learned from (one row each, as the card lists
        them), so a person can start from a real typeface."""
        self.config["families"] = len(codes)
        self.register_buffer("family_codes", codes.clone())

    def char_ids(self, text: str) -> torch.Tensor:
        """The characters of ``text`` as ids (each must be in the model's set)."""
        return torch.tensor(
            [self.index[ch] for ch in text], dtype=torch.long, device=self.family_codes.device
        )

    def encode(
        self, glyphs: torch.Tensor, chars: torch.Tensor, seen: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``glyphs`` ``(F, K, 64, 64)`` in [0, 1] showing characters ``chars`` ``(F, K)`` of ``F``
        typefaces → each typeface's posterior mean and log-variance ``(F, style_dim)``, averaging
        over the glyphs where ``seen`` ``(F, K)`` (default: all) is true."""
        faces, count = chars.shape
        pictures = glyphs.reshape(faces * count, 1, SIDE, SIDE)
        if self.reference:
            pictures = torch.cat([pictures, self.references(chars.flatten())], 1)
        pictures = self.encoder(pictures).flatten(1)
        features = self.to_feature(torch.cat([pictures, self.char_embedding(chars.flatten())], 1))
        weight = torch.ones(faces, count, device=features.device) if seen is None else seen.to(features)
        weight = weight / weight.sum(1, keepdim=True).clamp_min(1)
        pooled = (features.view(faces, count, -1) * weight[..., None]).sum(1)
        mean, log_var = self.to_posterior(pooled).chunk(2, dim=1)
        return mean, log_var.clamp(-12.0, 8.0)

    def decode_logits(self, style: torch.Tensor, chars: torch.Tensor) -> torch.Tensor:
        """Style codes ``(N, style_dim)`` and character ids ``(N,)`` → logits ``(N, 1, 64, 64)``."""
        if self.reference:
            return self.redraw(self.references(chars), style)
        hidden = self.from_code(torch.cat([style, self.char_embedding(chars)], 1))
        return self.decoder(hidden.view(len(style), 4 * self.channels, 4, 4))

    def decode(self, style: torch.Tensor, chars: torch.Tensor) -> torch.Tensor:
        """Glyphs in [0, 1] (ink probability), ``(N, 64, 64)``."""
        return torch.sigmoid(self.decode_logits(style, chars))[:, 0]

    def loss(
        self,
        seen_glyphs: torch.Tensor,
        seen_chars: torch.Tensor,
        seen: torch.Tensor,
        target_glyphs: torch.Tensor,
        target_chars: torch.Tensor,
        beta: float = 1.0,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-typeface means of (objective, reconstruction BCE summed over the target glyphs, KL),
        in nats: the code is found from the seen glyphs and draws the targets ``(F, T, 64, 64)``."""
        mean, log_var = self.encode(seen_glyphs, seen_chars, seen)
        style = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        faces, targets = target_chars.shape
        logits = self.decode_logits(style.repeat_interleave(targets, 0), target_chars.flatten())
        reconstruction = nn.functional.binary_cross_entropy_with_logits(
            logits[:, 0], target_glyphs.reshape(faces * targets, SIDE, SIDE), reduction="none"
        )
        reconstruction = reconstruction.view(faces, -1).sum(1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum(1)
        return (reconstruction + beta * kl).mean(), reconstruction.mean(), kl.mean()
