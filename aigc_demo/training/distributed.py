"""Data-parallel training across the processes ``torchrun`` starts (gloo on CPU, NCCL on CUDA).

Every process builds the same model from the same seed and takes its own share of each batch;
``DistributedDataParallel`` averages the gradients, so every step leaves all processes with
the same weights. Without torchrun (``WORLD_SIZE`` unset or 1) everything here is a no-op.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import torch
from torch import distributed, nn

from aigc_demo.training.common import shuffled_batches


def start_from_environment() -> None:
    """Join the process group torchrun describes in the environment, once."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not distributed.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))  # one GPU per process
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


def own_seed(seed: int) -> int:
    """This process's seed for the noise its steps draw: ``seed`` itself for a single process (so
    its runs stay as they were), and under torchrun one per process — drawn alike, the processes'
    noise would repeat across their shares of a batch. The weights are unaffected:
    ``DistributedDataParallel`` starts every process from rank 0's."""
    return seed if world_size() == 1 else seed * 1009 + rank()


def own_noise(seed: int) -> None:
    """Reseed the global random stream (dropout, a VAE's sampled codes) with ``own_seed``, under
    torchrun only."""
    if world_size() > 1:
        torch.manual_seed(own_seed(seed))


class Objective(nn.Module):
    """A model's training loss method as a module's forward.

    ``DistributedDataParallel`` averages gradients through hooks it sets up when its forward is
    called, so a loop that trains through another method (``model.loss``) must call it through
    this wrapper for the wrapper around it to see the step.
    """

    def __init__(self, model: nn.Module, method: str):
        super().__init__()
        self.model, self.method = model, method

    def forward(self, *args: object) -> object:
        return getattr(self.model, self.method)(*args)


def from_first(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` as the first process computed it, in every process (under torchrun; in place).

    For what is computed once training is done (principal directions): linear algebra libraries
    may round the last bit differently from run to run (with how memory happens to be aligned),
    so two processes with the same weights can find directions a bit apart. The weights are left
    alone: that they agree is what shows the processes trained in step.
    """
    if world_size() > 1:
        nccl = distributed.get_backend() == "nccl"
        shared = tensor.to(torch.device("cuda", torch.cuda.current_device()) if nccl else "cpu")
        distributed.broadcast(shared, src=0)
        tensor.copy_(shared)
    return tensor


def my_share(rows: torch.Tensor) -> torch.Tensor:
    """This process's rows of a batch (every ``world_size``-th, from its rank)."""
    return rows[rank() :: world_size()]


def shared_batches(count: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """This process's share of each of ``shuffled_batches``: every process draws the same order
    from the same seed and takes its own rows. A last batch too small to give every process a
    row is left out (by all of them alike, so they stay in step)."""
    for index in shuffled_batches(count, batch_size, generator):
        if len(index) >= world_size():
            yield my_share(index)


def weights_digest(model: nn.Module) -> str:
    """A short fingerprint of the weights, to show that every process ended with the same ones."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]
