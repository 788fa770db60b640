"""A training run's loss curves drawn as an SVG on the server: a few kilobytes of markup each second,
where Gradio's plot would have every visitor to the Train page download and run a charting library
(about 280 kB compressed) as the page starts, training or not."""

from __future__ import annotations

import math
from html import escape
from itertools import cycle

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 10, 26  # room for the axes' numbers
# Each curve's colour, at least 3:1 against white and against the dark theme's background.
COLOURS = ("#4f46e5", "#c2410c", "#047857", "#be185d", "#0369a1", "#7c3aed")

Curve = list[tuple[int, float]]


def _finite(curves: dict[str, Curve]) -> dict[str, Curve]:
    kept = {name: [(s, y) for s, y in curve if math.isfinite(y)] for name, curve in curves.items()}
    return {name: curve for name, curve in kept.items() if curve}


def _number(value: float) -> str:
    return f"{value:.3g}"


def loss_chart(curves: dict[str, Curve], title: str, empty: str) -> str:
    """The curves (each a list of (step, loss), named in the reader's language) on shared axes, with
    a legend that gives each curve's latest value, which is also what a screen reader hears."""
    curves = _finite(curves)
    if not curves:
        caption = f"<figcaption>{escape(title)}</figcaption>"
        return f'<figure class="loss-chart">{caption}<p>{escape(empty)}</p></figure>'
    points = [point for curve in curves.values() for point in curve]
    first, last = min(s for s, _ in points), max(s for s, _ in points)
    low, high = min(y for _, y in points), max(y for _, y in points)
    span_x, span_y = max(last - first, 1), max(high - low, 1e-9)

    def at(step: int, loss: float) -> str:
        x = LEFT + (step - first) / span_x * (WIDTH - LEFT - RIGHT)
        y = TOP + (high - loss) / span_y * (HEIGHT - TOP - BOTTOM)
        return f"{x:.1f},{y:.1f}"

    lines, legend, latest = [], [], []
    for (name, curve), colour in zip(curves.items(), cycle(COLOURS)):
        path = " ".join(at(s, y) for s, y in curve)
        lines.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        latest.append(f"{name}: {_number(curve[-1][1])}")
        legend.append(f'<li><span style="background:{colour}"></span>{escape(latest[-1])}</li>')
    said = "; ".join(latest)
    axes = (
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end">{_number(high)}</text>'
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end">{_number(low)}</text>'
        f'<text x="{LEFT}" y="{HEIGHT - 6}">{first}</text>'
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end">{last}</text>'
        f'<path d="M{LEFT},{TOP}V{HEIGHT - BOTTOM}H{WIDTH - RIGHT}" fill="none" stroke="currentColor"/>'
    )
    return (
        f'<figure class="loss-chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}: {escape(said)}">'
        f"{axes}{''.join(lines)}</svg><ul>{''.join(legend)}</ul></figure>"
    )
