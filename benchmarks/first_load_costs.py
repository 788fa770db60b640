"""What a Gradio page's parts cost a phone's first load: the bare Gradio app of ``session_cost.py``
(one slider, one picture) beside the same app with one thing added, all serving at once and audited in
turn with Lighthouse's default mobile audit (as ``first_load.py`` audits the app's pages).

The added things, each its own app:
- ``12 sliders``: twelve more sliders, shown (twelve instances of a component the page already has);
- ``12 sliders closed``: the same twelve inside a closed accordion (in the page's config, not built);
- ``12 kinds closed``: twelve other kinds of component (file, JSON, Markdown, label, ...) inside a
  closed accordion: not built either, but each kind's code is fetched and run as the page starts;
- ``6 HTML``: six short blocks of HTML, shown.

Prints the median total blocking time (TBT) and largest contentful paint (LCP) of each, and each
one's ratio to the bare app's. Needs what ``first_load.py`` needs (Lighthouse 12.2.3, a Chromium).

Usage: python benchmarks/first_load_costs.py [--runs 5] [--lighthouse node_modules/.bin/lighthouse]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import running_app
from first_load import audit
from session_cost import BARE_APP

# Each probe is the bare app with these lines added inside its ``with gr.Blocks()`` block.
PROBES = {
    "12 sliders": "for i in range(12): gr.Slider(-3, 3, label=f'z{i}')",
    "12 sliders closed": (
        "with gr.Accordion('More', open=False):\n        for i in range(12): gr.Slider(-3, 3, label=f'z{i}')"
    ),
    "12 kinds closed": (
        "with gr.Accordion('More', open=False):\n"
        "        gr.File(); gr.JSON(); gr.Markdown('m'); gr.Label(); gr.Textbox(); gr.Audio()\n"
        "        gr.Dataframe(); gr.Chatbot(); gr.HighlightedText(); gr.Dropdown(); gr.Checkbox()\n"
        "        gr.Number()"
    ),
    "6 HTML": "for i in range(6): gr.HTML(f'<p>Block {i}, a few words to show.</p>')",
}


def probe_app(lines: str) -> str:
    """The bare app's source with ``lines`` added at the end of its Blocks."""
    head, launch = BARE_APP.rsplit("demo.queue()", 1)
    return f"{head}    {lines}\ndemo.queue(){launch}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lighthouse", default="npx --yes lighthouse@12.2.3")
    args = parser.parse_args()
    lighthouse = shlex.split(args.lighthouse)
    sources = {"bare Gradio app": BARE_APP} | {name: probe_app(lines) for name, lines in PROBES.items()}
    with ExitStack() as stack:
        apps = {
            name: stack.enter_context(running_app(arguments=("-c", code))) for name, code in sources.items()
        }
        urls = {name: app.url for name, app in apps.items()}
        runs = {name: [] for name in urls}
        for _ in range(args.runs):
            for name, url in urls.items():
                runs[name].append(audit(lighthouse, url, "en-US"))
    medians = {
        name: {figure: statistics.median(run[figure] for run in found) for figure in ("tbt_ms", "lcp_ms")}
        for name, found in runs.items()
    }
    floor = medians["bare Gradio app"]
    print(f"Lighthouse mobile, medians of {args.runs} runs")
    print(f"{'app':<20} {'TBT ms':>7} {'x bare':>6} {'LCP ms':>7} {'x bare':>6}  TBT of each run")
    for name, m in medians.items():
        each = ", ".join(f"{run['tbt_ms']:.0f}" for run in runs[name])
        print(
            f"{name:<20} {m['tbt_ms']:>7.0f} {m['tbt_ms'] / max(floor['tbt_ms'], 1):>6.2f} "
            f"{m['lcp_ms']:>7.0f} {m['lcp_ms'] / floor['lcp_ms']:>6.2f}  {each}"
        )


if __name__ == "__main__":
    main()
