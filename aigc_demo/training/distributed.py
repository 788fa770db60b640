"""Data-parallel training across the processes ``torchrun`` starts (gloo on CPU, NCCL on CUDA).

Every process builds the same model from the same seed and takes its own share of each batch;
``DistributedDataParallel`` averages the gradients, so every step leaves all processes with
the same weights. Without torchrun (``WORLD_SIZE`` unset or 1) everything here is a no-op.
"""

from __future__ import annotations

import hashlib
import os

import torch
from torch import distributed, nn


def start_from_environment() -> None:
    """Join the process group torchrun describes in the environment, once."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not distributed.is_initialized():
        distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")


def stop() -> None:
    if distributed.is_initialized():
        distributed.destroy_process_group()


def world_size() -> int:
    return distributed.get_world_size() if distributed.is_initialized() else 1


def rank() -> int:
    return distributed.get_rank() if distributed.is_initialized() else 0


def is_main() -> bool:
    """Whether this process is the one that logs and writes checkpoints."""
    return rank() == 0


def parallel(model: nn.Module) -> nn.Module:
    """The model to call in the training step: wrapped for gradient averaging across processes."""
    return nn.parallel.DistributedDataParallel(model) if world_size() > 1 else model


def my_share(rows: torch.Tensor) -> torch.Tensor:
    """This process's rows of a batch (every ``world_size``-th, from its rank)."""
    return rows[rank() :: world_size()]


def weights_digest(model: nn.Module) -> str:
    """A short fingerprint of the weights, to show that every process ended with the same ones."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]
