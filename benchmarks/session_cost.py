"""What a new session costs the server: the app as it runs (each component's config built when first
needed, ``ui/sessions.py``) next to the same app with Gradio's own sessions (every component's config
built when a session starts), both running at once and called in turn, so they see the same load.

For each: p50 / p95 of an Image-tab slider decode through the HTTP call API with a new session per
call (as ``curl`` or a script calls it) and within one session (as a browser tab does), and the
server's RSS before and after the new-session calls.

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
from aigc_demo.ui.blocks import StudioBlocks
StudioBlocks.state_holder = property(
    lambda self: self._state_holder, lambda self, holder: setattr(self, "_state_holder", holder)
)
runpy.run_path("app.py", run_name="__main__")
"""


def decode_ms(client: httpx.Client, session: str) -> float:
    started = time.perf_counter()
    body = {"data": DECODE, "session_hash": session}
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
        }
        clients = {name: httpx.Client(base_url=app.url.rstrip("/"), timeout=60) for name, app in apps.items()}
        times = {name: {"new": [], "same": []} for name in apps}
        start_rss = {name: rss_mb(app.process.pid) for name, app in apps.items()}
        for number in range(args.calls + 20):
            for name, client in clients.items():
                new, same = decode_ms(client, f"caller-{number}"), decode_ms(client, "one-tab")
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
        lazy, eager = (statistics.median(times[name]["new"]) for name in apps)
        print(f"new-session p50, lazy / Gradio's: {lazy / eager:.2f}")


if __name__ == "__main__":
    main()
