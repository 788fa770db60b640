"""How often a text model's writing holds a span word for word from the text it learned, and the
longest such span: what a responsible model card states.

    python -m aigc_demo copies --checkpoint shakespeare-lstm --build \
        --data ../shared/data/tinyshakespeare/input.txt
    python benchmarks/copies.py --checkpoint shakespeare-lstm --prompt "ROMEO:" [--samples 1000]

Writes ``--samples`` continuations of ``--length`` characters after the prompt (the page's
defaults: 400 characters, top-k and top-p off) at each ``--temperatures``, seeds 0, 1, 2, ...;
checks each against the model's index (spans of ``--least`` characters or more, by default 30, or 8
for Chinese). Prints, per temperature, the share of writings with at least one such span, the
median longest span, and the longest span found with its source; and how much the process grew
while checking (the index's arrays are mapped from disk, not read).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import default_hub
from aigc_demo.data.text_index import TextIndex
from aigc_demo.pipelines import copies, writing

BATCH = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--length", type=int, default=400)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.5, 0.8, 1.0])
    parser.add_argument("--least", type=int)
    args = parser.parse_args()
    hub = default_hub()
    model = hub.load(args.checkpoint).module
    before = resident_mb()
    index = TextIndex.load(copies.index_path(hub, args.checkpoint))
    prompt = writing.prepare_prompt(model, args.prompt).text
    for temperature in args.temperatures:
        sampling = writing.Sampling.checked(temperature, 0, 1.0)
        longest, with_span, best = [], 0, ("", "")
        for start in range(0, args.samples, BATCH):
            count = min(BATCH, args.samples - start)
            for text in writing.generate_text(model, prompt, sampling, args.length, start, count):
                least = args.least or copies.least_for(text)
                span = max(index.spans(text, 1), key=lambda s: s.end - s.start)  # the longest of any length
                length = span.end - span.start
                with_span += length >= least
                longest.append(length)
                if length >= len(best[0]):
                    best = (text[span.start : span.end], span.source)
        median = statistics.median(longest)
        print(
            f"temperature {temperature:g}: {with_span / args.samples:.1%} of {args.samples} writings hold a "
            f"span of {least}+ characters from the training text; median longest span {median:.0f}; "
            f"longest {len(best[0])}: {best[0]!r} ({best[1]})"
        )
    print(
        f"index of {len(index.codes):,} characters ({index.bytes_held / 1e6:.1f} MB on disk, mapped): "
        f"the process grew {resident_mb() - before:.1f} MB while checking every writing"
    )
    return 0


def resident_mb() -> float:
    """This process's resident memory (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 1e6


if __name__ == "__main__":
    sys.exit(main())
