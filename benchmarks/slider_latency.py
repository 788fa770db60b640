"""Slider latency: how long one Image-tab slider update takes, next to Gradio's own floor.

Measures, in one run on this machine:
  * server compute of one update (``pipelines.image.decode``), median of many calls;
  * slider values to PNG bytes, bare (as Gradio encodes an array) and as the tab makes it (through
    its receipt, with the label's XMP packet), interleaved; medians;
  * round trips through the running app over its HTTP call API (the browser's path) for
    ``/decode`` and for a trivial endpoint served by the same app (slider -> fixed 280x280
    PNG), interleaved so both see the same machine load; p50, p95 and the ratio of p50s;
  * with ``--during-training``, the same round trips again while the app's training slot runs
    a shapes job (a thread of the same server, as when a visitor trains), and the ratio of the
    decode p50 under training to the idle one.

Usage: python benchmarks/slider_latency.py [--checkpoint mnist-vae] [--requests 200]
       [--during-training] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gradio as gr
from app_process import call

from aigc_demo import settings
from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines import image
from aigc_demo.ui import build_demo, launch_options

FLOOR_PICTURE = np.zeros((280, 280), dtype=np.uint8)
UNNAMED = [0.0, 0.0, 0.0, None, 0.0, 1.0, "principal"]  # named sliders, truncation 1, discovered axes


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def round_trip(client: httpx.Client, api: str, data: list) -> float:
    """Milliseconds for one call through the HTTP call API; a failed call stops the benchmark."""
    started = time.perf_counter()
    outcome, message = call(client, api, data)
    if outcome != "ok":
        raise RuntimeError(f"{api} failed: {message}")
    return (time.perf_counter() - started) * 1000


def png_costs(hub: ModelHub, name: str, loaded, positions: list, label) -> tuple[list[float], list[float]]:
    """Milliseconds from slider values to PNG bytes, interleaved: the bare picture as Gradio encodes
    a NumPy array, and the tab's labelled picture (receipt, XMP packet in an iTXt chunk)."""
    from gradio.processing_utils import encode_pil_to_bytes
    from PIL import Image

    from aigc_demo.ui.image_handlers import ImageHandlers

    handlers = ImageHandlers(hub)
    plain, labelled = [], []
    for index, offsets in enumerate(positions[:20] + positions):
        values = [*offsets, *[0.0] * (8 - len(offsets)), *UNNAMED]
        started = time.perf_counter()
        encode_pil_to_bytes(Image.fromarray(image.decode(loaded, 0, offsets, label)), "png")
        middle = time.perf_counter()
        encode_pil_to_bytes(handlers.decode(None, name, "0", 0, *values), "png")
        if index >= 20:
            plain.append((middle - started) * 1000)
            labelled.append((time.perf_counter() - middle) * 1000)
    return plain, labelled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="mnist-vae")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--during-training", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    # Shipped models only; a training job saves into a throw-away user folder.
    hub = ModelHub(settings.SHIPPED_CHECKPOINTS, Path(tempfile.mkdtemp(prefix="slider-bench-")))
    loaded = hub.load(args.checkpoint)
    count = loaded.entry.card.config.get("num_directions", 8)
    rng = np.random.default_rng(0)
    positions = [rng.uniform(-2, 2, count).round(2).tolist() for _ in range(args.requests)]

    label = 0 if loaded.entry.card.config.get("classes") else None  # a conditional model draws a 0
    for offsets in positions[:20]:  # warm up
        image.decode(loaded, 0, offsets, label)
    compute = []
    for offsets in positions:
        started = time.perf_counter()
        image.decode(loaded, 0, offsets, label)
        compute.append((time.perf_counter() - started) * 1000)

    plain_png, labelled_png = png_costs(hub, args.checkpoint, loaded, positions, label)

    demo = build_demo(hub)
    with demo:
        floor_slider = gr.Slider(-3, 3, visible=False)
        floor_image = gr.Image(visible=False, format="png")
        floor_slider.input(
            lambda _: FLOOR_PICTURE,
            floor_slider,
            floor_image,
            api_name="floor",
            trigger_mode="always_last",
            show_progress="hidden",
            concurrency_limit=None,
        )
    demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1", **launch_options())
    base = demo.local_url.rstrip("/")
    training_ms: list[float] = []
    try:
        with httpx.Client(base_url=base, timeout=30) as client:

            def measure() -> tuple[list[float], list[float]]:
                """Decode and floor round trips, interleaved, after a short warm-up."""
                decoded, floor = [], []
                for index, offsets in enumerate(positions[:10] + positions):
                    data = [args.checkpoint, "0", 0, *offsets, *[0.0] * (8 - count), *UNNAMED]
                    decode_time = round_trip(client, "decode", data)
                    floor_time = round_trip(client, "floor", [offsets[0]])
                    if index >= 10:
                        decoded.append(decode_time)
                        floor.append(floor_time)
                return decoded, floor

            decode_ms, floor_ms = measure()
            if args.during_training:
                round_trip(client, "start_sprite_training", ["slider-bench", "tiny", 100, 30, {}])
                time.sleep(5)  # past the job's data generation, into its training steps
                training_ms = measure()[0]
                round_trip(client, "stop_training", [])
    finally:
        demo.close()

    figures = {
        "checkpoint": args.checkpoint,
        "requests": args.requests,
        "compute_ms_median": round(statistics.median(compute), 3),
        "plain_png_ms_median": round(statistics.median(plain_png), 3),
        "labelled_png_ms_median": round(statistics.median(labelled_png), 3),
        "decode_round_trip_ms_p50": round(percentile(decode_ms, 50), 2),
        "decode_round_trip_ms_p95": round(percentile(decode_ms, 95), 2),
        "floor_round_trip_ms_p50": round(percentile(floor_ms, 50), 2),
        "floor_round_trip_ms_p95": round(percentile(floor_ms, 95), 2),
    }
    figures["ratio_p50"] = round(figures["decode_round_trip_ms_p50"] / figures["floor_round_trip_ms_p50"], 3)
    if training_ms:
        figures["decode_during_training_ms_p50"] = round(percentile(training_ms, 50), 2)
        figures["decode_during_training_ms_p95"] = round(percentile(training_ms, 95), 2)
        figures["training_to_idle_p50"] = round(
            figures["decode_during_training_ms_p50"] / figures["decode_round_trip_ms_p50"], 3
        )
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
