"""Start-up and memory: seconds from ``python app.py`` to the first HTTP 200, and the server's
resident memory once every shipped model has been used once.

Starts the app as a fresh process on a free loopback port, with an empty user folder (only the
shipped checkpoints), polls ``/`` until it answers 200, then calls one endpoint per shipped
generator through the HTTP API (the path a browser takes) and reads the process's resident set
size (``VmRSS``) and peak (``VmHWM``) from ``/proc``. Repeats ``--repeats`` times (a new process
each time) and prints medians.

Usage: python benchmarks/startup_memory.py [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

from gradio_client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import running_app

NAMED = [0.0, 0.0, 0.0, None, 0.0, 1.0]  # ink, slant, width, "more like", its strength, truncation
# One request per shipped generator: (endpoint, arguments).
USES = [
    ("/decode", ["mnist-vae", "0", 1, *[0.0] * 8, *NAMED]),
    ("/decode", ["mnist-gan", "7", 1, *[0.0] * 8, *NAMED]),
    ("/speak_digits", None),  # filled from the endpoint's own defaults below
    ("/generate", ["shakespeare-lstm", "ROMEO:", 0.8, 0, 1.0, 200, 1, 1]),
    ("/generate", ["tang-poems-lstm", "春曉\n孟浩然\n", 0.8, 0, 1.0, 60, 1, 1]),
    ("/chat_reply", ["chat-en", ["hi! any plans for the weekend?"], 0.7, 0, 0.9, 0]),
    ("/chat_reply", ["chat-zh", ["你好，最近看了什么电影？"], 0.7, 0, 0.9, 0]),
]


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def one_run() -> dict[str, float]:
    with running_app() as app:
        idle_rss, _ = memory_mb(app.process.pid)
        client = Client(app.url, verbose=False)
        for api, arguments in USES:
            if arguments is None:
                client.predict(api_name=api)  # every parameter at its default
            else:
                client.predict(*arguments, api_name=api)
        used_rss, peak = memory_mb(app.process.pid)
        return {
            "startup_s": app.ready_s,
            "idle_rss_mb": idle_rss,
            "used_rss_mb": used_rss,
            "peak_rss_mb": peak,
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.repeats)]
    figures = {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}
    figures["repeats"] = args.repeats
    figures["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"{'measure (median of ' + str(args.repeats) + ')':<48}{'value':>10}")
    print(f"{'python app.py to first HTTP 200 (s)':<48}{figures['startup_s']:>10.2f}")
    print(f"{'resident memory at first 200 (MB)':<48}{figures['idle_rss_mb']:>10.0f}")
    print(f"{'resident memory, every shipped generator used (MB)':<48}{figures['used_rss_mb']:>10.0f}")
    print(f"{'peak resident memory (MB)':<48}{figures['peak_rss_mb']:>10.0f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
