"""Drag to picture on the Type page, next to the Image page's slider, in one run.

Serves the app (shipped models) in its own process and, interleaved so both see the same machine
load, sends the round trips a dragged slider makes: ``/type_line`` for a 12-letter word with the
weight slider at a new position each time (Latin, and 12 Chinese characters in the Chinese model), and
``/decode`` for the Image page's digit with its first slider moved. Prints p50 and p95 of each and the
ratio of the p50s (Type / Image).

Usage: python benchmarks/type_drag.py [--requests 200] [--word Hamburgefont] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import call, running_app

UNNAMED = [0.0, 0.0, 0.0, None, 0.0, 1.0, "principal"]  # the Image page's named sliders, ψ 1, its axes


def timed(client: httpx.Client, api: str, data: list) -> float:
    started = time.perf_counter()
    outcome, message = call(client, api, data)
    if outcome != "ok":
        raise RuntimeError(f"{api} failed: {message}")
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--word", default="Hamburgefont")
    parser.add_argument("--chinese", default="永和九年岁在癸丑暮春之初")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    positions = np.random.default_rng(0).uniform(-2, 2, args.requests + 10).round(2).tolist()
    typed, chinese, image = [], [], []
    with running_app() as app, httpx.Client(base_url=app.url, timeout=30) as client:
        for index, at in enumerate(positions):
            type_ms = timed(client, "type_line", ["fonts-latin", args.word, 0, "", at, *[0.0] * 7])
            chinese_ms = timed(client, "type_line", ["fonts-chinese", args.chinese, 0, "", at, *[0.0] * 7])
            image_ms = timed(client, "decode", ["mnist-vae", "0", 0, at, *[0.0] * 7, *UNNAMED])
            if index >= 10:  # after a warm-up
                typed.append(type_ms)
                chinese.append(chinese_ms)
                image.append(image_ms)
    figures = {"word": args.word, "chinese": args.chinese, "requests": args.requests}
    for name, times in (("type_line", typed), ("type_line_chinese", chinese), ("image_decode", image)):
        figures[f"{name}_ms_p50"] = round(float(np.percentile(times, 50)), 2)
        figures[f"{name}_ms_p95"] = round(float(np.percentile(times, 95)), 2)
    figures["type_to_image_p50"] = round(figures["type_line_ms_p50"] / figures["image_decode_ms_p50"], 3)
    figures["chinese_to_image_p50"] = round(
        figures["type_line_chinese_ms_p50"] / figures["image_decode_ms_p50"], 3
    )
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
