"""Where a training loop computes, in which number format, and how its batches get there.

On CUDA the forward pass runs under autocast: bf16 where the GPU has it, else fp16 with a
gradient scaler (fp16 has too few exponent bits for small gradients, so the loss is scaled up
before the backward pass and the gradients down before the step, and a step whose gradients
overflowed is skipped). Batches are gathered into page-locked ("pinned") host memory and copied
to the GPU asynchronously, one batch ahead, so the copy overlaps the previous step's work.
On the CPU everything stays float32 and a batch is a plain index into the data, which keeps
a run deterministic for its seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import torch
from torch import nn

from aigc_demo.backend.device import select_device

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Placement:
    device: torch.device
    precision: str = "fp32"  # fp32, bf16 or fp16 (autocast's lower-precision type)

    @classmethod
    def choose(cls, device: str | None = None, precision: str = "auto") -> Placement:
        """The device ``select_device`` picks (``AIGC_DEVICE``, else the best one present) and a
        precision: ``auto`` is bf16 on a CUDA GPU that has it, fp16 on one that does not, else fp32."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        chosen = select_device(device)
        if precision == "auto":
            precision = "fp32"
            if chosen.type == "cuda":
                precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return cls(chosen, precision)

    def card_entry(self) -> dict[str, str]:
        """What a model card records of where its model was trained."""
        return {"device": self.device.type, "precision": self.precision}

    @property
    def pinned(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self) -> AbstractContextManager:
        """The context the forward pass and the loss run in."""
        lower = self.precision != "fp32"
        return torch.autocast(self.device.type, dtype=_DTYPES.get(self.precision), enabled=lower)

    def optimiser_step(self) -> OptimiserStep:
        return OptimiserStep(self.device, self.precision == "fp16")

    def batches(self, tensors: tuple[torch.Tensor, ...], indices: Iterable[torch.Tensor]) -> Iterator[tuple]:
        """For each index tensor, the rows of every tensor it picks, on the device.

        ``tensors`` stay in host memory. On CUDA each batch is gathered straight into pinned
        memory and its copy is queued before the previous batch is handed out.
        """
        if not self.pinned:
            for index in indices:
                yield tuple(tensor[index].to(self.device) for tensor in tensors)
            return
        waiting = None
        for index in indices:
            queued = tuple(self._to_device(tensor, index) for tensor in tensors)
            if waiting is not None:
                yield waiting
            waiting = queued
        if waiting is not None:
            yield waiting

    def _to_device(self, tensor: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        # Pinned blocks come from PyTorch's caching host allocator, which keeps a block from reuse
        # until the asynchronous copy that reads it has finished.
        staged = torch.empty((len(index), *tensor.shape[1:]), dtype=tensor.dtype, pin_memory=True)
        torch.index_select(tensor, 0, index, out=staged)
        return staged.to(self.device, non_blocking=True)


class OptimiserStep:
    """Backward pass, optional gradient clipping and the optimiser step, with fp16's loss scaling
    where it is on (elsewhere the scaler is a pass-through)."""

    def __init__(self, device: torch.device, scaled: bool):
        self.scaler = torch.amp.GradScaler(device.type, enabled=scaled)

    def __call__(
        self,
        loss: torch.Tensor,
        optimizer: torch.optim.Optimizer,
        clip: float | None = None,
        parameters: Iterable[nn.Parameter] = (),
    ) -> None:
        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if clip is not None:
            self.scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            nn.utils.clip_grad_norm_(parameters, clip)
        self.scaler.step(optimizer)
        self.scaler.update()
