"""From navigation to a page ready to use, in a real browser, for this checkout and another beside it.

    git worktree add /tmp/before <commit>
    python benchmarks/page_ready.py --before /tmp/before [--runs 8]

Starts ``python app.py`` from each checkout (shipped models, an empty home each), then, run after run,
opens each page in a fresh Chromium context at 1280 x 900, the two apps alternating, and times until
the page shows what it opens with: the Image page's picture, the Text page's written example, the
Speech page's player, the Chat page's model. Prints the median of each. Needs Debian's ``chromium``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import free_port

ROOT = Path(__file__).resolve().parent.parent
READY = {
    "image": ("", "() => !!document.querySelector('#image-output img')"),
    "text": ("text", "() => (document.querySelector('#text-output textarea')?.value ?? '').length > 100"),
    "speech": (
        "speech",
        "() => !!document.querySelector('#speech-audio audio, #speech-audio [data-testid]')",
    ),
    "chat": ("chat", "() => (document.querySelector('#chat-model input')?.value ?? '') !== ''"),
}


@contextmanager
def app_from(checkout: Path):
    """The app of ``checkout`` running on a free port: its address."""
    port, home = free_port(), tempfile.mkdtemp()
    env = {**os.environ, "AIGC_HOME": home, "GRADIO_SERVER_NAME": "127.0.0.1"}
    env |= {"GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="another checkout (a git worktree)")
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with ExitStack() as stack, sync_playwright() as playwright:
        apps = {
            "before": stack.enter_context(app_from(args.before)),
            "now": stack.enter_context(app_from(ROOT)),
        }
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        times: dict[tuple[str, str], list[float]] = {(app, page): [] for app in apps for page in READY}
        for _ in range(args.runs):
            for page_name, (path, ready) in READY.items():
                for app, url in apps.items():
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url + path)
                    page.wait_for_function(ready, timeout=60_000)
                    times[(app, page_name)].append(time.perf_counter() - started)
                    context.close()
        browser.close()
    for page_name in READY:
        before, now = (statistics.median(times[(app, page_name)]) for app in apps)
        print(f"{page_name:7s} before {before:.2f} s  now {now:.2f} s  ({args.runs} runs, medians)")


if __name__ == "__main__":
    main()
