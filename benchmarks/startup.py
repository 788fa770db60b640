"""Start-up next to the floor: wall and CPU seconds from ``python app.py`` to the first HTTP 200, for
the app and for a bare Gradio app (one slider, one picture: ``session_cost.BARE_APP``), started in
turn so that both see the same machine; then the first slider move of each, sent the moment the
server answers (a new session, through the HTTP call API), and how long after the first 200 the
process stays busy (its CPU over the next ``--settle`` seconds: models and torch loading behind
the server). A third app, the bare one that also imports PyTorch before it answers, is the floor of
any app whose models are ready for the first slider move.

Usage: python benchmarks/startup.py [--starts 5] [--settle 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import cpu_seconds, running_app
from session_cost import BARE_APP, decode_ms
from session_memory import DECODE

APPS = {
    "bare Gradio app": (("-c", BARE_APP), [0.5]),
    "bare Gradio app importing torch": (("-c", "import torch\n" + BARE_APP), [0.5]),
    "the app": (("app.py",), DECODE),
}


def one_start(arguments: tuple[str, ...], data: list, settle: float) -> dict[str, float]:
    with running_app(arguments=arguments) as app:
        with httpx.Client(base_url=app.url.rstrip("/"), timeout=60) as client:
            first_move = decode_ms(client, "first-visitor", data)
            moved_cpu = cpu_seconds(app.process.pid)
            time.sleep(settle)
            second_move = decode_ms(client, "second-visitor", data)
        return {
            "wall_s": app.ready_s,
            "cpu_s": app.ready_cpu_s,
            "first_move_ms": first_move,
            "later_move_ms": second_move,
            "cpu_after_s": cpu_seconds(app.process.pid) - moved_cpu,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="starts of each app, alternating")
    parser.add_argument("--settle", type=float, default=8.0, help="seconds watched after the first move")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in APPS}
    for _ in range(args.starts):
        for name, (arguments, data) in APPS.items():
            runs[name].append(one_start(arguments, data, args.settle))
    medians = {
        name: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for name, rs in runs.items()
    }
    for name, figures in medians.items():
        spread = ", ".join(f"{r['cpu_s']:.2f}" for r in runs[name])
        print(
            f"{name}: first HTTP 200 after {figures['wall_s']:.2f} s wall, {figures['cpu_s']:.2f} s CPU "
            f"({spread}); first slider move {figures['first_move_ms']:.0f} ms, one "
            f"{args.settle:.0f} s later {figures['later_move_ms']:.0f} ms; CPU after the first move "
            f"{figures['cpu_after_s']:.2f} s (medians of {args.starts})"
        )
    bare = medians["bare Gradio app"]
    for name in ("bare Gradio app importing torch", "the app"):
        wall, cpu = medians[name]["wall_s"] / bare["wall_s"], medians[name]["cpu_s"] / bare["cpu_s"]
        print(f"{name} / the bare app: wall {wall:.2f}x, CPU {cpu:.2f}x")


if __name__ == "__main__":
    main()
