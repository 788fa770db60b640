"""From a click on Dream to the first dreamed frame on the Video page, and to the whole clip, in a
real browser against the app on its shipped models.

    python benchmarks/video_first_frame.py [--runs 10]

Starts ``python app.py`` (an empty home), opens /video at 1280 x 900 in Chromium, and, run after run
(each with a new seed, so each is a new dream of 20 frames), times from the click until the strip of
frames first changes (the first frames dreamed) and until the GIF beside it does (the clip done).
Prints medians in milliseconds. Needs Debian's ``chromium``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_ready import ROOT, app_from

# Resolves with [ms to the strip's first change, ms to the clip's] after the Dream button is clicked.
TIMED_CLICK = """async () => {
    const src = (id) => document.querySelector(`#${id} img`)?.src;
    const strip = src('video-strip'), clip = src('video-clip');
    const started = performance.now();
    document.querySelector('#video-dream').click();
    let first = null;
    while (true) {
        await new Promise(r => requestAnimationFrame(r));
        const now = performance.now();
        if (first === null && src('video-strip') !== strip) first = now - started;
        if (src('video-clip') !== clip) return [first ?? now - started, now - started];
        if (now - started > 60000) return [null, null];
    }
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    firsts, wholes = [], []
    with app_from(ROOT) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(url + "video")
        page.locator("#video-clip img").wait_for(timeout=60_000)
        for run in range(args.runs):
            seed = page.locator("#video-seed input")
            seed.fill(str(100 + run))
            seed.press("Tab")
            page.wait_for_timeout(300)
            first, whole = page.evaluate(TIMED_CLICK)
            firsts.append(first)
            wholes.append(whole)
        browser.close()
    print(
        f"first dreamed frames on the page: median {statistics.median(firsts):.0f} ms over {args.runs} runs"
    )
    print(f"the whole clip (20 frames, GIF):  median {statistics.median(wholes):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
