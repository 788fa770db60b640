"""A burst of visitors, before and after: the load curve and the writers-and-draggers case, for this
checkout and (``--baseline``) another one, side by side in one run, on loopback only.

Each checkout's app is started fresh (``python app.py``, shipped checkpoints, empty user folder), both
at once, then:
- one visitor alone: each kind of action in turn (``--solo`` rounds), on each checkout in turn (both
  apps run throughout, the one not asked sits idle), medians per kind;
- the load curve: ``--clients`` (1, 4, 16, 32, 64) clients for ``--seconds`` each, each looping over
  a slider decode, a streamed 100-character writing and spoken digits as ``benchmarks/load.py``
  does; per kind p50/p95, errors and refusals (busy), all writings' characters per second and the
  writings' first-character p95;
- writers alone: ``--writers`` (16) clients writing 300 characters, each a visitor of their own;
- writers and draggers: ``--writers`` (16) clients writing 300 characters and ``--draggers`` (8)
  moving a slider, at once, each a visitor of their own: first character p50/p95, all writings'
  characters per second against one writing alone, slider p50/p95.

Usage: python benchmarks/burst.py [--baseline ../old-checkout] [--seconds 20] [--json out.json]
(make the baseline with ``git worktree add /tmp/before <commit>``).
"""

from __future__ import annotations

import argparse
import contextlib
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

from app_process import ROOT, call, running_app
from load import KINDS, percentile, request_for

PROMPT = "ROMEO:"
SETTLE = 0.3  # seconds before each action of the visitor alone


def write(client: httpx.Client, length: int, seed: int, session: str) -> tuple[str, float, float, int]:
    """One streamed writing through the call API: (outcome, first character s, whole s, characters)."""
    data = ["shakespeare-lstm", PROMPT, 0.8, 0, 1.0, length, seed, 1, "traditional", "free"]
    started = time.monotonic()
    response = client.post("/gradio_api/call/stream_text", json={"data": data, "session_hash": session})
    if response.status_code != 200:
        return ("busy" if response.status_code in (429, 503) else "error"), 0.0, 0.0, 0
    first, kind, written = 0.0, None, 0
    with client.stream("GET", f"/gradio_api/call/stream_text/{response.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind in ("generating", "complete"):
                text = json.loads(line.removeprefix("data: "))[0]
                written = max(written, len(text) - len(PROMPT))
                if written and not first:
                    first = time.monotonic() - started
                if kind == "complete":
                    return "ok", first, time.monotonic() - started, written
            elif line.startswith("data: ") and kind == "error":
                busy = "full" in line.lower() or "busy" in line.lower()
                return ("busy" if busy else "error"), 0.0, 0.0, 0
    return "error", 0.0, 0.0, 0


def act(client: httpx.Client, kind: str, rng: random.Random, session: str, length: int) -> dict:
    """One visitor action of ``kind``: its outcome, seconds, and for a writing its first character."""
    started = time.monotonic()
    if kind == "text":
        outcome, first, _, written = write(client, length, rng.randrange(1000), session)
        return {
            "kind": kind,
            "outcome": outcome,
            "s": time.monotonic() - started,
            "first": first,
            "chars": written,
        }
    api, data = request_for(kind, rng)
    try:
        outcome, _ = call(client, api, data)
    except httpx.HTTPError:
        outcome = "error"
    return {"kind": kind, "outcome": outcome, "s": time.monotonic() - started}


def run_clients(url: str, plans: list[tuple[str, ...]], seconds: float, length: int) -> tuple[list, float]:
    """Each plan is one visitor looping over its kinds until the time is up: (results, wall s)."""
    results: list[dict] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def visitor(number: int, kinds: tuple[str, ...]) -> None:
        rng = random.Random(number)
        # Each visitor its own address, as the app's one trusted proxy reports it (one address's
        # share of the queue would otherwise hold them all).
        address = {"X-Forwarded-For": f"10.0.{number // 256}.{number % 256}"}
        with httpx.Client(base_url=url.rstrip("/"), timeout=120, headers=address) as client:
            turn = 0
            while time.monotonic() < deadline:
                row = act(client, kinds[turn % len(kinds)], rng, f"burst-{number}", length)
                turn += 1
                with lock:
                    results.append(row)

    threads = [threading.Thread(target=visitor, args=(n, kinds)) for n, kinds in enumerate(plans)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def summary(results: list[dict], wall: float) -> dict:
    """Per kind: calls, ok, busy, errors, p50/p95 ms; writings: first-character p50/p95 ms and all
    their characters per second."""
    grouped = defaultdict(list)
    for row in results:
        grouped[row["kind"]].append(row)
    figures = {}
    for kind, rows in grouped.items():
        ok = [row for row in rows if row["outcome"] == "ok"]
        times = [row["s"] * 1000 for row in ok]
        entry = {
            "calls": len(rows),
            "ok": len(ok),
            "busy": sum(row["outcome"] == "busy" for row in rows),
            "errors": sum(row["outcome"] == "error" for row in rows),
            **({f"p{q}_ms": round(percentile(times, q / 100)) for q in (50, 95)} if times else {}),
        }
        if kind == "text" and ok:
            firsts = [row["first"] * 1000 for row in ok]
            entry |= {
                "first_p50_ms": round(percentile(firsts, 0.5)),
                "first_p95_ms": round(percentile(firsts, 0.95)),
                "chars_per_s": round(sum(row["chars"] for row in ok) / wall),
            }
        figures[kind] = entry
    return figures


def alone(urls: list[str], rounds: int) -> list[dict]:
    """One visitor alone, each kind of action in turn, on each app in turn (both running, the other
    idle), so that both meet the same machine: median ms per kind, one dict per app. Which app goes
    first alternates, with a pause before each action: the threads of the one asked just before go on
    spinning for a while after their work (OpenBLAS's and OpenMP's), which slows whatever runs next."""
    rows: list[list[dict]] = [[] for _ in urls]
    rng = random.Random(0)
    clients = [httpx.Client(base_url=url.rstrip("/"), timeout=120) for url in urls]
    try:
        for turn in range(rounds):
            for kind, length in [(kind, 100) for kind in KINDS] + [("text", 300)]:
                seed = rng.randrange(1 << 30)
                order = list(enumerate(clients))
                for app, client in order[::-1] if turn % 2 else order:
                    time.sleep(SETTLE)
                    row = act(client, kind, random.Random(seed), "alone", length)
                    rows[app].append(row | {"kind": f"{kind}-{length}" if kind == "text" else kind})
    finally:
        for client in clients:
            client.close()
    kinds = (*[k for k in KINDS if k != "text"], "text-100", "text-300")
    return [
        {kind: round(statistics.median(r["s"] * 1000 for r in app if r["kind"] == kind)) for kind in kinds}
        for app in rows
    ]


def loaded(url: str, args: argparse.Namespace) -> dict:
    """The load curve, then writers alone, then writers and draggers, against one app."""
    figures: dict = {"curve": {}}
    for clients in args.clients:
        plans = [KINDS[n % 3 :] + KINDS[: n % 3] for n in range(clients)]
        results, wall = run_clients(url, plans, args.seconds, 100)
        figures["curve"][clients] = summary(results, wall)
        print(f"  {clients:>3} clients: {json.dumps(figures['curve'][clients])}", flush=True)
    for case, plans in (
        ("writers", [("text",)] * args.writers),
        ("writers_and_draggers", [("text",)] * args.writers + [("slider",)] * args.draggers),
    ):
        results, wall = run_clients(url, plans, args.seconds, 300)
        figures[case] = summary(results, wall)
        print(f"  {case}: {json.dumps(figures[case])}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, help="another checkout, measured the same way first")
    parser.add_argument(
        "--clients", type=lambda text: [int(n) for n in text.split(",")], default=[1, 4, 16, 32, 64]
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--solo", type=int, default=10, help="rounds of one visitor alone")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--draggers", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "seconds": args.seconds, "runs": []}
    roots = ([args.baseline.resolve()] if args.baseline else []) + [ROOT]
    environment = {"AIGC_TRUSTED_PROXIES": "1"}  # each client's X-Forwarded-For is its address
    with contextlib.ExitStack() as stack:
        apps = [stack.enter_context(running_app(environment, root=root)) for root in roots]
        for app in apps:
            run_clients(app.url, [KINDS], 3, 100)  # warm: every model loaded once
        medians = alone([app.url for app in apps], args.solo)
        for root, app, median in zip(roots, apps, medians, strict=True):
            print(f"{root}: alone {median}", flush=True)
            figures["runs"].append({"checkout": str(root), "alone_ms": median, **loaded(app.url, args)})
    for run in figures["runs"]:
        print(f"\n{run['checkout']}\n  alone (median ms): {run['alone_ms']}")
        print(
            f"  {'clients':>7} {'slider p50/p95':>15} {'speech p50/p95':>15} {'text p50/p95':>13} "
            f"{'first p95':>9} {'chars/s':>7} {'errors':>6} {'busy':>5}"
        )
        for clients, kinds in run["curve"].items():
            text, slider, speech = kinds.get("text", {}), kinds.get("slider", {}), kinds.get("speech", {})
            errors = sum(kind["errors"] for kind in kinds.values())
            busy = sum(kind["busy"] for kind in kinds.values())
            print(
                f"  {clients:>7} {slider.get('p50_ms', '-')!s:>7}/{slider.get('p95_ms', '-')!s:<7}"
                f" {speech.get('p50_ms', '-')!s:>7}/{speech.get('p95_ms', '-')!s:<7}"
                f" {text.get('p50_ms', '-')!s:>6}/{text.get('p95_ms', '-')!s:<6}"
                f" {text.get('first_p95_ms', '-')!s:>9} {text.get('chars_per_s', '-')!s:>7}"
                f" {errors:>6} {busy:>5}"
            )
        both = run["writers_and_draggers"]
        one = 300 / (run["alone_ms"]["text-300"] / 1000)
        writers = run["writers"].get("text", {})
        print(
            f"  {args.writers} writers alone: first character p50/p95 {writers.get('first_p50_ms')}/"
            f"{writers.get('first_p95_ms')} ms, all writings {writers.get('chars_per_s')} characters/s"
        )
        text = both.get("text", {})
        print(
            f"  {args.writers} writers + {args.draggers} draggers: first character p50/p95 "
            f"{text.get('first_p50_ms')}/{text.get('first_p95_ms')} ms, "
            f"all writings {text.get('chars_per_s')} characters/s "
            f"({text.get('chars_per_s', 0) / one:.1f}x one alone, {one:.0f}/s), slider "
            f"p50/p95 {both.get('slider', {}).get('p50_ms')}/{both.get('slider', {}).get('p95_ms')} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
