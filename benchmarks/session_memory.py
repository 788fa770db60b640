"""Server memory as callers make a new session with every request, at two session capacities.

Starts ``python app.py`` once per capacity (``AIGC_SESSIONS``) and sends ``--calls`` decodes of the
Image tab's slider through the HTTP call API, each with a session of its own (as ``curl`` or a
script without a session calls it), reading the server's RSS from /proc every ``--every`` calls.
Gradio keeps each session's state (the page's components) until it forgets the least recently
used one past the capacity.

Usage: python benchmarks/session_memory.py [--calls 1500] [--every 250] [--capacities 400 10000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import running_app

DECODE = ["mnist-vae", "0", 1, *[0.0] * 8, 0.0, 0.0, 0.0, None, 0.0, 1.0, "principal"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def new_session_call(client: httpx.Client, number: int) -> None:
    body = {"data": DECODE, "session_hash": f"caller-{number}"}
    event_id = client.post("/gradio_api/call/decode", json=body).json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/decode/{event_id}") as stream:
        events = [line for line in stream.iter_lines() if line.startswith("event: ")]
    if events[-1] != "event: complete":
        raise RuntimeError(f"the decode failed: {events}")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--capacities", type=int, nargs="+", default=[400, 10000])
    args = parser.parse_args()
    for capacity in args.capacities:
        with running_app({"AIGC_SESSIONS": str(capacity)}) as app:
            client = httpx.Client(base_url=app.url.rstrip("/"), timeout=60)
            readings = [f"0: {rss_mb(app.process.pid):.0f}"]
            for number in range(1, args.calls + 1):
                new_session_call(client, number)
                if number % args.every == 0:
                    readings.append(f"{number}: {rss_mb(app.process.pid):.0f}")
        print(f"AIGC_SESSIONS={capacity}: server RSS in MB after N new-session calls: " + ", ".join(readings))


if __name__ == "__main__":
    main()
