"""``models``: list every checkpoint the app can use."""

from __future__ import annotations

import argparse
import json

from aigc_demo.backend.hub import default_hub

NAME = "models"
HELP = "list the available checkpoints (shipped and trained)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", help="only models of this kind (e.g. vae, gan, text, speech)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _size(num_bytes: int) -> str:
    return f"{num_bytes / 1e6:.2f} MB"


def _metric(metrics: dict[str, float]) -> str:
    headline = next(iter(metrics.items()), None)
    return f"{headline[0]}={headline[1]:.4g}" if headline else "-"


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def run(args: argparse.Namespace) -> int:
    hub = default_hub()
    entries = hub.entries(kind=args.kind)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": e.name,
                        "kind": e.card.kind,
                        "dataset": e.card.dataset.name,
                        "size_bytes": e.size_bytes,
                        "metrics": e.card.metrics,
                        "origin": "shipped" if e.shipped else "user",
                        "path": str(e.path),
                    }
                    for e in entries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not entries:
        print(f"No checkpoints found in {hub.shipped_dir} or {hub.user_dir}.")
        return 0
    header = ["NAME", "KIND", "DATASET", "SIZE", "KEY METRIC", "ORIGIN"]
    rows = [
        [
            e.name,
            e.card.kind,
            e.card.dataset.name,
            _size(e.size_bytes),
            _metric(e.card.metrics),
            "shipped" if e.shipped else "user",
        ]
        for e in entries
    ]
    print(format_table([header, *rows]))
    return 0
