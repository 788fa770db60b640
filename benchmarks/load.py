"""Load: many visitors at once against the real app, for a bounded time, on loopback only.

Starts ``python app.py`` (shipped checkpoints, empty user folder) and runs ``--clients``
threads for ``--seconds``; each client loops over the three heavy things visitors do — a latent
slider decode (mnist-vae), a streamed text continuation (shakespeare-lstm, 100 characters) and
spoken digits (fsdd-speech) — through the HTTP call API, the path a browser takes. Every answer
is sorted into ok, busy (the queue was full and said so) or error (anything else, including no
answer within ``--timeout``). With ``--during-training`` a shapes training job runs meanwhile.
Prints throughput and p50/p95/p99 latency per kind.

Usage: python benchmarks/load.py [--clients 32] [--seconds 60] [--during-training]
       [--queue-size 64] [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import call, running_app

KINDS = ("slider", "text", "speech")


def request_for(kind: str, rng: random.Random) -> tuple[str, list]:
    """(endpoint, arguments) of one visitor action, with random values as a person's would be."""
    if kind == "slider":
        sliders = [round(rng.uniform(-3, 3), 2) for _ in range(8)]
        return "decode", [
            "mnist-vae",
            "0",
            rng.randrange(1000),
            *sliders,
            0.0,
            0.0,
            0.0,
            None,
            0.0,
            1.0,
            "principal",
        ]
    if kind == "text":
        return "stream_text", [
            "shakespeare-lstm",
            "ROMEO:",
            0.8,
            0,
            1.0,
            100,  # characters
            rng.randrange(1000),  # seed
            1,  # samples
            "traditional",
            "free",  # poem form (the Chinese models')
        ]
    return "speak_digits", ["fsdd-speech", str(rng.randrange(100)), rng.randrange(1000), 0.7, *[0.0] * 8]


def client_loop(
    url: str, deadline: float, timeout: float, seed: int, results: list, lock: threading.Lock
) -> None:
    rng = random.Random(seed)
    kinds = itertools.cycle(KINDS[seed % 3 :] + KINDS[: seed % 3])  # clients start on different kinds
    with httpx.Client(base_url=url.rstrip("/"), timeout=timeout) as client:
        while time.monotonic() < deadline:
            kind = next(kinds)
            api, data = request_for(kind, rng)
            started = time.monotonic()
            try:
                outcome, message = call(client, api, data)
            except httpx.HTTPError as err:
                outcome, message = "error", f"{type(err).__name__}: {err}"
            with lock:
                results.append((kind, outcome, time.monotonic() - started, message))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a call counts as hung")
    parser.add_argument("--during-training", action="store_true")
    parser.add_argument("--queue-size", type=int, help="AIGC_QUEUE_SIZE for the app (default: its own)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be 1-256 and --seconds 1-600")
    env = {} if args.queue_size is None else {"AIGC_QUEUE_SIZE": str(args.queue_size)}
    results: list[tuple[str, str, float, str]] = []
    lock = threading.Lock()
    with running_app(env) as app, httpx.Client(base_url=app.url.rstrip("/"), timeout=60) as control:
        if args.during_training:
            outcome, message = call(control, "start_sprite_training", ["load-shapes", "tiny", 100, 30, {}])
            if outcome != "ok":
                raise SystemExit(f"could not start the training job: {message}")
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client_loop, args=(app.url, deadline, args.timeout, seed, results, lock))
            for seed in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        if args.during_training:
            call(control, "stop_training", [])
        alive = app.process.poll() is None
    figures: dict = {
        "clients": args.clients,
        "seconds": args.seconds,
        "wall_s": round(wall, 1),
        "during_training": args.during_training,
        "server_alive_at_end": alive,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "kinds": {},
    }
    print(
        f"{args.clients} clients for {args.seconds:g} s{' during training' if args.during_training else ''}"
    )
    print(
        f"{'kind':<8}{'calls':>7}{'ok':>7}{'busy':>6}{'errors':>8}{'ok/s':>7}"
        + "".join(f"{f'p{q} ms':>9}" for q in (50, 95, 99))
    )
    grouped = defaultdict(list)
    for row in results:
        grouped[row[0]].append(row)
    for kind in KINDS:
        rows = grouped[kind]
        ok = [seconds * 1000 for _, outcome, seconds, _ in rows if outcome == "ok"]
        busy = sum(1 for _, outcome, _, _ in rows if outcome == "busy")
        errors = [message for _, outcome, _, message in rows if outcome == "error"]
        stats = {
            "calls": len(rows),
            "ok": len(ok),
            "busy": busy,
            "errors": len(errors),
            "ok_per_s": round(len(ok) / wall, 2),
            **({f"p{q}_ms": round(percentile(ok, q / 100), 1) for q in (50, 95, 99)} if ok else {}),
            "first_errors": sorted(set(errors))[:3],
        }
        figures["kinds"][kind] = stats
        shown = [stats.get(f"p{q}_ms", float("nan")) for q in (50, 95, 99)]
        print(
            f"{kind:<8}{len(rows):>7}{len(ok):>7}{busy:>6}{len(errors):>8}{stats['ok_per_s']:>7.2f}"
            + "".join(f"{value:>9.0f}" for value in shown)
        )
        for message in stats["first_errors"]:
            print(f"    error: {message[:200]}")
    all_ok = [s for _, outcome, s, _ in results if outcome == "ok"]
    if all_ok:
        print(
            f"median of all ok calls: {statistics.median(all_ok) * 1000:.0f} ms; "
            f"server alive at the end: {alive}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
