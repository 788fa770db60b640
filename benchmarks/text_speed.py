"""Text speed: characters per second of single-stream generation, next to a bare model-step loop.

Measures, in one run on this machine, alternating the two so both see the same load:
  * the real sampling path (``pipelines.writing.stream_text``: temperature, seeded draw, the
    growing text) writing ``--length`` characters, with the app's default settings (temperature
    0.8, no top-k or top-p filter) and with both filters on (top-k 40, top-p 0.95);
  * a bare loop of the same model's step as the sampler runs it (``models.char_rnn.Stepper``:
    embedding + recurrent step + head, greedy pick): the ceiling for any sampler of this model;
  * the same bare loop with PyTorch's ``CharRNN.step`` instead (what the stepper replaces on a CPU).

Prints the median chars/s of each over ``--repeats`` runs and the ratio sampling / bare loop.
Many short runs, interleaved, rather than a few long ones: on a shared host the load changes
within seconds, and this way every path sees the same mix of it.

Usage: python benchmarks/text_speed.py [--checkpoint shakespeare-lstm] [--length 500] [--repeats 31]
       [--threads 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aigc_demo.backend.hub import default_hub
from aigc_demo.models.char_rnn import Stepper
from aigc_demo.pipelines.writing import Sampling, prepare_prompt, stream_text

DEFAULTS = Sampling(temperature=0.8)
FILTERED = Sampling(temperature=0.8, top_k=40, top_p=0.95)


def real_path(model, prompt: str, length: int, seed: int, sampling: Sampling = DEFAULTS) -> float:
    started = time.perf_counter()
    for _ in stream_text(model, prompt, sampling, length, seed):
        pass
    return length / (time.perf_counter() - started)


def bare_loop(model, prompt: str, length: int) -> float:
    ids = model.vocabulary.encode(prompt)[None]
    started = time.perf_counter()
    with torch.inference_mode():
        logits, state = model(ids)
    step = Stepper(model, state)
    logits = logits[:, -1].numpy()
    for _ in range(length):
        logits = step(logits.argmax(-1))
    return length / (time.perf_counter() - started)


@torch.inference_mode()
def torch_step_loop(model, prompt: str, length: int) -> float:
    ids = model.vocabulary.encode(prompt)[None]
    started = time.perf_counter()
    logits, state = model(ids)
    logits = logits[:, -1]
    for _ in range(length):
        logits, state = model.step(logits.argmax(-1), state)
    return length / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkpoint", default="shakespeare-lstm")
    parser.add_argument("--prompt", default="ROMEO:")
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = default_hub().load(args.checkpoint).module
    prompt = prepare_prompt(model, args.prompt).text
    real_path(model, prompt, 200, 0)  # warm up both paths
    bare_loop(model, prompt, 200)
    torch_step_loop(model, prompt, 200)
    real, filtered, bare, torch_step = [], [], [], []
    for repeat in range(args.repeats):
        real.append(real_path(model, prompt, args.length, repeat))
        filtered.append(real_path(model, prompt, args.length, repeat, FILTERED))
        bare.append(bare_loop(model, prompt, args.length))
        torch_step.append(torch_step_loop(model, prompt, args.length))
    figures = {
        "checkpoint": args.checkpoint,
        "length": args.length,
        "repeats": args.repeats,
        "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}",
        "real_chars_per_s": round(statistics.median(real)),
        "filtered_chars_per_s": round(statistics.median(filtered)),
        "bare_chars_per_s": round(statistics.median(bare)),
        "torch_step_chars_per_s": round(statistics.median(torch_step)),
    }
    figures["ratio"] = round(figures["real_chars_per_s"] / figures["bare_chars_per_s"], 3)
    print(f"{'path':<34}{'chars/s (median)':>18}")
    print(f"{'sampling, app defaults':<34}{figures['real_chars_per_s']:>18,}")
    print(f"{'sampling, top-k 40 + top-p 0.95':<34}{figures['filtered_chars_per_s']:>18,}")
    print(f"{'bare model step loop':<34}{figures['bare_chars_per_s']:>18,}")
    print(f"{'bare loop of CharRNN.step (torch)':<34}{figures['torch_step_chars_per_s']:>18,}")
    runs = f"{args.length} chars x {args.repeats} runs, {args.checkpoint}"
    print(f"ratio app defaults / bare: {figures['ratio']:.2f}  ({runs})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
