"""Model kinds: the names checkpoints use to say which ``nn.Module`` class rebuilds them.

A model class registers itself with ``@register("vae")``; its constructor takes the card's
``config`` as keyword arguments, so ``build(card.kind, card.config)`` recreates the
architecture and the checkpoint's tensors fill it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

_KINDS: dict[str, type[nn.Module]] = {}


class UnknownModelKindError(KeyError):
    def __str__(self) -> str:
        known = ", ".join(sorted(_KINDS)) or "none"
        return f"unknown model kind {self.args[0]!r} (known: {known})"


def register(kind: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    def decorate(cls: type[nn.Module]) -> type[nn.Module]:
        if kind in _KINDS and _KINDS[kind] is not cls:
            raise ValueError(f"model kind {kind!r} is already registered to {_KINDS[kind].__name__}")
        _KINDS[kind] = cls
        return cls

    return decorate


def is_known(kind: str) -> bool:
    return kind in _KINDS


def known_kinds() -> list[str]:
    return sorted(_KINDS)


def over_limits(kind: str, config: dict[str, Any]) -> list[str]:
    """What of ``config`` exceeds the kind's ``LIMITS`` (the most of each value a model someone
    gives the app may ask for: what the app would train for a visitor), in words; [] when within."""
    limits = getattr(_KINDS.get(kind), "LIMITS", {})
    found = []
    for key, most in limits.items():
        value = config.get(key)
        measured = len(value) if isinstance(value, str) else value
        if isinstance(measured, int | float) and not isinstance(measured, bool) and measured > most:
            found.append(f"{key} {measured:,} (at most {most:,})")
    return found


def build(kind: str, config: dict[str, Any]) -> nn.Module:
    try:
        cls = _KINDS[kind]
    except KeyError:
        raise UnknownModelKindError(kind) from None
    return cls(**config)
