"""Checks of values that come from people: numbers refused by name, with a message a person can act on."""

from __future__ import annotations

import math


def finite_number(value: object, name: str) -> float:
    """``value`` as a finite float; anything else (text, NaN, infinity, true/false) is refused by name."""
    if isinstance(value, bool):  # JSON's true would otherwise read as 1
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def check_whole(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``; anything else (text, NaN, 2.5) is refused by name."""
    number = finite_number(value, name)
    if number != int(number) or not low <= number <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(number)
