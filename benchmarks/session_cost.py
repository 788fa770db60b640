"""What a new session costs the server: the app as it runs (each component's config built when first
needed, ``LazySessionState`` in ``ui/gradio_seam.py``), the same app with Gradio's own sessions (every
component's config built when a session starts), and the floor — a bare Gradio app in its own process
with the same endpoint shape (a slider's ``.input`` → a 280 x 280 PNG, queued) — all running at once
and called in turn, so they see the same load.

For each: p50 / p95 of a slider call through the HTTP call API with a new session per call (as
``curl`` or a script calls it) and within one session (as a browser tab does), and the server's RSS
before and after the new-session calls.

Usage: python benchmarks/session_cost.py [--calls 600] [--sessions 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import running_app
from session_memory import DECODE, rss_mb

# The app with Gradio's own sessions: StudioBlocks keeps the holder Gradio hands it as it is.
GRADIO_SESSIONS = """
import runpy
from aigc_demo.ui.gradio_seam import StudioBlocks
StudioBlocks.state_holder = property(
    lambda self: self._state_holder, lambda self, holder: setattr(self, "_state_holder", holder)
)
runpy.run_path("app.py", run_name="__main__")
"""
# The floor: Gradio alone, one slider whose .input draws a fixed picture.
BARE_APP = """
import gradio as gr
import numpy as np
picture = np.zeros((280, 280), dtype=np.uint8)
with gr.Blocks() as demo:
    slider = gr.Slider(-3, 3, label="z")
    shown = gr.Image(format="png")
    slider.input(lambda value: picture, slider, shown, api_name="decode", trigger_mode="always_last",
                 show_progress="hidden", concurrency_limit=None)
demo.queue().launch()
"""


def decode_ms(client: httpx.Client, session: str, data: list) -> float:
    started = time.perf_counter()
    body = {"data": data, "session_hash": session}
    event_id = client.post("/gradio_api/call/decode", json=body).json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/decode/{event_id}") as stream:
        events = [line for line in stream.iter_lines() if line.startswith("event: ")]
    if events[-1] != "event: complete":
        raise RuntimeError(f"the decode failed: {events}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--sessions", type=int, default=400, help="AIGC_SESSIONS of both servers")
    args = parser.parse_args()
    env = {"AIGC_SESSIONS": str(args.sessions)}
    with ExitStack() as stack:
        apps = {
            "lazy (this app)": stack.enter_context(running_app(env)),
            "Gradio's sessions": stack.enter_context(running_app(env, arguments=("-c", GRADIO_SESSIONS))),
            "bare Gradio app": stack.enter_context(running_app(env, arguments=("-c", BARE_APP))),
        }
        data = {name: DECODE for name in apps} | {"bare Gradio app": [0.5]}
        clients = {name: httpx.Client(base_url=app.url.rstrip("/"), timeout=60) for name, app in apps.items()}
        times = {name: {"new": [], "same": []} for name in apps}
        start_rss = {name: rss_mb(app.process.pid) for name, app in apps.items()}
        for number in range(args.calls + 20):
            for name, client in clients.items():
                new = decode_ms(client, f"caller-{number}", data[name])
                same = decode_ms(client, "one-tab", data[name])
                if number >= 20:  # after a warm-up
                    times[name]["new"].append(new)
                    times[name]["same"].append(same)
        for name, app in apps.items():
            new, same = times[name]["new"], times[name]["same"]
            print(
                f"{name}: new session per call p50 {statistics.median(new):.1f} ms, "
                f"p95 {np.percentile(new, 95):.1f} ms; one session p50 {statistics.median(same):.1f} ms, "
                f"p95 {np.percentile(same, 95):.1f} ms; RSS {start_rss[name]:.0f} -> "
                f"{rss_mb(app.process.pid):.0f} MB after {args.calls + 20} new sessions"
            )
        p50 = {name: {how: statistics.median(t) for how, t in times[name].items()} for name in apps}
        lazy, eager, bare = p50.values()
        print(f"new-session p50, lazy / Gradio's sessions: {lazy['new'] / eager['new']:.2f}")
        ratio = {how: lazy[how] / bare[how] for how in ("new", "same")}
        print(
            f"p50 against the bare app: new session per call {ratio['new']:.2f}x "
            f"(Gradio's sessions {eager['new'] / bare['new']:.2f}x), one session {ratio['same']:.2f}x"
        )


if __name__ == "__main__":
    main()
