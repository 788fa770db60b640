"""Where speech starts and ends in a clip: 20 ms frames against the loudest one."""

from __future__ import annotations

import torch

FRAMES_PER_SECOND = 50  # 20 ms frames
QUIET_DB = 35.0  # a frame this far below the loudest counts as silence


def active_frames(wave: torch.Tensor, sample_rate: int) -> tuple[int, int, int] | None:
    """``(first, last, frame_length)`` of the frames within ``QUIET_DB`` of the loudest frame,
    or ``None`` for a clip shorter than one frame or without any sound."""
    window = sample_rate // FRAMES_PER_SECOND
    frames = wave[: len(wave) // window * window].view(-1, window)
    if len(frames) == 0:
        return None
    level = 20 * torch.log10(frames.pow(2).mean(1).sqrt() + 1e-9)
    active = torch.nonzero(level > level.max() - QUIET_DB).flatten()
    return int(active[0]), int(active[-1]), window
