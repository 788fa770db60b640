"""A world model: a VAE that sees each frame as a small map of codes, and a recurrent network that
learns how those codes change from frame to frame (Ha & Schmidhuber, "World Models", 2018).

The frame model is a convolutional VAE whose code is not a vector but a ``code_channels`` x 16 x
16 map, so a digit moving across the frame is a pattern moving across the map. The dynamics are a
stack of convolutional GRUs over that map (ConvLSTM's idea, Shi et al. 2015, with GRU cells): at
each step they read the current code and say where the next one lies, as a Gaussian per position
around the current code plus a learned change. Continuing a clip feeds the seen frames' codes in,
then the model's own guesses; dreaming draws each guess from its Gaussian at a temperature, so a
dream is one possible future, not the blurred average of all of them.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import torch
from torch import nn

from aigc_demo.models.registry import register


class ConvGRUCell(nn.Module):
    """A GRU whose gates are convolutions, so each position of the map updates from its neighbours."""

    def __init__(self, inputs: int, hidden: int, kernel: int):
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv2d(inputs + hidden, 2 * hidden, kernel, padding=kernel // 2)
        self.candidate = nn.Conv2d(inputs + hidden, hidden, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        update, reset = torch.sigmoid(self.gates(torch.cat([x, state], dim=1))).chunk(2, dim=1)
        candidate = torch.tanh(self.candidate(torch.cat([x, reset * state], dim=1)))
        return (1 - update) * state + update * candidate


@register("world-model")
class WorldModel(nn.Module):
    LIMITS: ClassVar[dict[str, int]] = {
        "channels": 64,
        "code_channels": 16,
        "hidden": 96,
        "layers": 3,
        "examples": 200,
    }

    def __init__(
        self,
        channels: int = 32,
        code_channels: int = 8,
        hidden: int = 64,
        layers: int = 2,
        side: int = 64,
        examples: int = 0,
    ):
        super().__init__()
        if side != 64:
            raise ValueError("the world model draws 64 x 64 frames")
        if not 1 <= layers <= 3:
            raise ValueError("layers must be 1 to 3")
        self.config = {
            "channels": channels,
            "code_channels": code_channels,
            "hidden": hidden,
            "layers": layers,
            "side": side,
            "examples": examples,
        }
        self.code_channels, self.grid = code_channels, side // 4
        self.encoder = nn.Sequential(
            nn.Conv2d(1, channels, 4, 2, 1),
            nn.SiLU(),
            nn.Conv2d(channels, 2 * channels, 4, 2, 1),
            nn.SiLU(),
            nn.Conv2d(2 * channels, 2 * code_channels, 3, 1, 1),
        )
        self.decoder = nn.Sequential(
            nn.Conv2d(code_channels, 2 * channels, 3, 1, 1),
            nn.SiLU(),
            nn.ConvTranspose2d(2 * channels, channels, 4, 2, 1),
            nn.SiLU(),
            nn.ConvTranspose2d(channels, 1, 4, 2, 1),
        )
        sizes = [code_channels] + [hidden] * layers
        self.cells = nn.ModuleList(ConvGRUCell(a, b, 3) for a, b in itertools.pairwise(sizes))
        self.to_change = nn.Conv2d(hidden, 2 * code_channels, 3, 1, 1)
        # Held-out digits (28 x 28, white on black) the page sets in motion: real clips to continue.
        self.register_buffer("example_digits", torch.zeros(examples, 28, 28, dtype=torch.uint8))

    def keep_examples(self, digits: torch.Tensor) -> None:
        """Carry ``digits`` ``(N, 28, 28)`` uint8 in the checkpoint, for the page's real clips."""
        self.example_digits = digits.to(torch.uint8).clone()
        self.config["examples"] = len(digits)

    # --- the frame model -------------------------------------------------------------------
    def encode(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, 1, 64, 64)`` frames in [0, 1] → posterior mean and log-variance ``(B, code, 16, 16)``."""
        mean, log_var = self.encoder(frames).chunk(2, dim=1)
        return mean, log_var.clamp(-12.0, 8.0)

    def decode_logits(self, codes: torch.Tensor) -> torch.Tensor:
        return self.decoder(codes)

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Codes ``(B, code, 16, 16)`` → frames ``(B, 1, 64, 64)`` in [0, 1]."""
        return torch.sigmoid(self.decoder(codes))

    # --- the dynamics ----------------------------------------------------------------------
    def start(self, batch: int, device: torch.device | None = None) -> list[torch.Tensor]:
        """The recurrent state before the first frame."""
        hidden = self.cells[0].hidden
        return [torch.zeros(batch, hidden, self.grid, self.grid, device=device) for _ in self.cells]

    def step(
        self, code: torch.Tensor, state: list[torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """One frame's code in → the next code's Gaussian (mean, log-variance) and the new state."""
        x, new_state = code, []
        for cell, previous in zip(self.cells, state, strict=True):
            x = cell(x, previous)
            new_state.append(x)
        change, log_var = self.to_change(x).chunk(2, dim=1)
        return code + change, log_var.clamp(-12.0, 4.0), new_state

    @torch.no_grad()
    def continue_clip(
        self,
        seen: torch.Tensor,
        frames: int,
        temperature: float = 0.0,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """``seen`` ``(B, T, 64, 64)`` frames in [0, 1] → the ``frames`` that follow ``(B, frames, 64,
        64)``: each next code the mean of its Gaussian (``temperature`` 0) or drawn from it."""
        return torch.cat(list(self.dream(seen, frames, temperature, generator)), dim=1)

    @torch.no_grad()
    def dream(self, seen, frames, temperature=0.0, generator=None):
        """Like ``continue_clip``, a frame ``(B, 1, 64, 64)`` at a time, as each is made."""
        batch, count = seen.shape[:2]
        codes, _ = self.encode(seen.reshape(batch * count, 1, *seen.shape[2:]))
        codes = codes.view(batch, count, *codes.shape[1:])
        state = self.start(batch, seen.device)
        for t in range(count):
            mean, log_var, state = self.step(codes[:, t], state)
        for _ in range(frames):
            code = mean
            if temperature > 0:
                noise = torch.randn(mean.shape, generator=generator).to(mean.device)
                code = mean + temperature * (0.5 * log_var).exp() * noise
            yield self.decode(code)[:, :1]
            mean, log_var, state = self.step(code, state)

    # --- training --------------------------------------------------------------------------
    def loss(self, clips: torch.Tensor, seen: int, beta: float = 1.0) -> dict[str, torch.Tensor]:
        """Per-clip means, in nats, for ``clips`` ``(B, T, 64, 64)`` in [0, 1] of which the first
        ``seen`` are given: ``frames`` (each frame redrawn from its code, the VAE's BCE), ``kl``,
        ``predicted`` (the frames after ``seen`` drawn from the model's own guesses, fed back in, as
        when it continues a clip), ``codes`` (how far each guessed Gaussian is from the next frame's
        posterior, their KL divergence), and ``objective``, their sum with the KL weighted by ``beta``."""
        batch, count = clips.shape[:2]
        frames = clips.reshape(batch * count, 1, *clips.shape[2:])
        mean, log_var = self.encode(frames)
        sampled = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        bce = nn.functional.binary_cross_entropy_with_logits
        redrawn = bce(self.decode_logits(sampled), frames, reduction="sum") / batch
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum() / batch
        mean = mean.view(batch, count, *mean.shape[1:])
        log_var = log_var.view_as(mean).detach()
        state, code, guesses, code_kl = self.start(batch, clips.device), mean[:, 0], [], 0.0
        for t in range(1, count):
            guess, guess_log_var, state = self.step(code, state)
            code_kl = code_kl + gaussian_kl(mean[:, t].detach(), log_var[:, t], guess, guess_log_var)
            code = guess if t >= seen else mean[:, t]
            if t >= seen:
                guesses.append(guess)
        future = clips[:, seen:].reshape(-1, 1, *clips.shape[2:])
        guessed = torch.stack(guesses, dim=1).flatten(0, 1)
        predicted = bce(self.decode_logits(guessed), future, reduction="sum") / batch
        code_kl = code_kl / batch
        objective = redrawn + beta * kl + predicted + code_kl
        return {"objective": objective, "frames": redrawn, "kl": kl, "predicted": predicted, "codes": code_kl}


def gaussian_kl(
    mean: torch.Tensor, log_var: torch.Tensor, other_mean: torch.Tensor, other_log_var: torch.Tensor
):
    """KL(N(mean, var) || N(other_mean, other_var)) summed over every element."""
    ratio = (log_var - other_log_var).exp()
    return (
        0.5 * (ratio + (mean - other_mean).pow(2) / other_log_var.exp() - 1 - (log_var - other_log_var)).sum()
    )
