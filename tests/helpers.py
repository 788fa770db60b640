"""Test helpers: a small real model kind, model cards and a free loopback port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
from aigc_demo.backend.hub import ModelHub
from aigc_demo.models import register
from aigc_demo.ui import build_demo, launch_options

TEST_KIND = "test-mlp"


@register(TEST_KIND)
class TinyMLP(nn.Module):
    """A two-layer perceptron: the smallest real model the hub can build, fill and run."""

    def __init__(self, width: int = 8, depth_out: int = 3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, width), nn.Tanh(), nn.Linear(width, depth_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def make_card(**overrides) -> ModelCard:
    values = {
        "kind": TEST_KIND,
        "config": {"width": 8},
        "dataset": DatasetInfo(name="synthetic", license="CC0"),
        "training_command": "python -m aigc_demo train test --steps 1",
        "seed": 0,
        "metrics": {"loss": 0.5, "accuracy": 0.9},
    }
    values.update(overrides)
    return ModelCard(**values)


def make_model(seed: int = 0, width: int = 8) -> TinyMLP:
    torch.manual_seed(seed)
    return TinyMLP(width=width)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(hub: ModelHub) -> Iterator[str]:
    """The real app over ``hub``, served on a free loopback port; yields its URL."""
    demo = build_demo(hub)
    demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(),
    )
    try:
        yield demo.local_url
    finally:
        demo.close()
