"""A visitor's first load, as Lighthouse's default mobile audit sees it: this app opened on each
of its pages (``/``, ``/text``, ...) against the bare Gradio app of ``session_cost.py`` (one slider,
one picture), both running at once and audited in turn, so they see the same load.

Prints, per page, the medians over the runs of Lighthouse's accessibility and performance scores, its
largest contentful paint (LCP) and total blocking time (TBT) — simulated on a throttled phone, so they
depend on bytes and main-thread work, not on this machine's speed alone — each page's ratio to the bare
app's, and the accessibility audits that failed with the elements they failed on.

Needs Lighthouse 12.2.3 and a Chromium: ``npm install lighthouse@12.2.3`` (then ``--lighthouse
node_modules/.bin/lighthouse``; the default runs it through ``npx``) and ``CHROME_PATH`` (default
``/usr/bin/chromium``).

Usage: python benchmarks/first_load.py [--runs 3] [--language zh-CN] [--tabs image,text]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import ROOT, running_app

sys.path.insert(0, str(ROOT))

from session_cost import BARE_APP

from aigc_demo.ui.pages import PAGES, path_of

FIGURES = ("accessibility", "performance", "lcp_ms", "tbt_ms")


def audit(lighthouse: list[str], url: str, language: str) -> dict:
    """One Lighthouse run (mobile, its defaults): the figures and the failed accessibility audits."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        flags = f"--headless=new --no-sandbox --disable-gpu --lang={language} --user-data-dir={folder}/c"
        command = [
            *lighthouse,
            url,
            "--quiet",
            "--only-categories=accessibility,performance",
            f"--chrome-flags={flags}",
            "--output=json",
            f"--output-path={report}",
        ]
        environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(command, check=True, env=environment, timeout=600, stdout=subprocess.DEVNULL)
        result = json.loads(report.read_text())
    categories, audits = result["categories"], result["audits"]
    failed = {}
    for reference in categories["accessibility"]["auditRefs"]:
        found = audits[reference["id"]]
        if reference["weight"] and found["score"] is not None and found["score"] < 1:
            items = found.get("details", {}).get("items", [])
            failed[reference["id"]] = [item.get("node", {}).get("snippet", "")[:90] for item in items]
    return {
        "accessibility": categories["accessibility"]["score"],
        "performance": categories["performance"]["score"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--language", default="en-US", help="the browser's language, e.g. zh-CN")
    parser.add_argument("--tabs", default=",".join(page.name for page in PAGES))
    parser.add_argument("--lighthouse", default="npx --yes lighthouse@12.2.3")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args()
    lighthouse = shlex.split(args.lighthouse)
    with ExitStack() as stack:
        app = stack.enter_context(running_app())
        bare = stack.enter_context(running_app(arguments=("-c", BARE_APP)))
        pages = {"bare Gradio app": bare.url} | {tab: app.url + path_of(tab) for tab in args.tabs.split(",")}
        runs = {name: [] for name in pages}
        for _ in range(args.runs):
            for name, url in pages.items():
                runs[name].append(audit(lighthouse, url, args.language))
    medians = {
        name: {f: statistics.median(r[f] for r in found) for f in FIGURES} for name, found in runs.items()
    }
    floor = medians["bare Gradio app"]
    print(f"Lighthouse mobile, {args.language}, medians of {args.runs} runs")
    print(f"{'page':<16} {'a11y':>5} {'perf':>5} {'LCP ms':>8} {'x bare':>6} {'TBT ms':>7} {'x bare':>6}")
    for name, m in medians.items():
        print(
            f"{name:<16} {m['accessibility']:>5.2f} {m['performance']:>5.2f} {m['lcp_ms']:>8.0f} "
            f"{m['lcp_ms'] / floor['lcp_ms']:>6.2f} {m['tbt_ms']:>7.0f} "
            f"{m['tbt_ms'] / max(floor['tbt_ms'], 1):>6.2f}"
        )
    for name, found in runs.items():
        for audit_id, nodes in found[-1]["failed"].items():
            print(f"{name}: {audit_id} failed on {len(nodes)}: {nodes[:3]}")
    if args.json:
        print(json.dumps({"medians": medians, "runs": runs}))


if __name__ == "__main__":
    main()
