"""Writings stepped together (``pipelines.streams``): the same text for a seed alone or in company,
rows that join and leave, a reader that goes away, and a process that ends cleanly."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from aigc_demo.backend.hub import ModelHub
from aigc_demo.models.char_rnn import CharRNN, Stepper
from aigc_demo.pipelines import streams, writing
from aigc_demo.settings import SHIPPED_CHECKPOINTS
from tests.helpers import ENGLISH

SAMPLING = writing.Sampling(0.8)


@pytest.fixture(scope="module")
def shakespeare(tmp_path_factory):
    return ModelHub(SHIPPED_CHECKPOINTS, tmp_path_factory.mktemp("user")).load("shakespeare-lstm").module


def written(model, seed: int, length: int, scheduler=None, prompt: str = "ROMEO:") -> str:
    return writing.generate_text(model, prompt, SAMPLING, length, seed, scheduler=scheduler)[0]


def test_rows_join_and_leave_a_stepper_without_changing_the_others():
    torch.manual_seed(0)
    model = CharRNN(ENGLISH, embed_dim=8, hidden=16, layers=2).eval()
    texts = ["Hello there", "Good evening", "What now"]
    steppers = []
    for text in texts:
        logits, state = writing.read_prompt(model, text, 1)
        steppers.append((Stepper(model, state), logits))
    together = Stepper(model)
    assert together.rows == 0
    for text in texts:
        together.join(writing.read_prompt(model, text, 1)[1])
    ids = np.array([model.vocabulary.index[c] for c in "abc"])
    expected = [stepper(ids[i : i + 1]) for i, (stepper, _) in enumerate(steppers)]
    np.testing.assert_allclose(together(ids), np.concatenate(expected), rtol=1e-5, atol=1e-6)
    together.keep(np.array([0, 2]))  # the second leaves
    assert together.rows == 2
    ids = np.array([model.vocabulary.index[c] for c in "xy"])
    expected = [steppers[0][0](ids[:1]), steppers[2][0](ids[1:])]
    np.testing.assert_allclose(together(ids), np.concatenate(expected), rtol=1e-5, atol=1e-6)


def test_a_writing_alone_through_the_scheduler_is_the_writing_of_the_plain_loop(shakespeare):
    scheduler = streams.scheduler_for(shakespeare)
    assert streams.scheduler_for(shakespeare) is scheduler  # one per model
    for seed in (0, 7):
        assert written(shakespeare, seed, 200, scheduler) == written(shakespeare, seed, 200)


def test_a_writing_beside_fifteen_others_is_the_writing_alone(shakespeare):
    """Sixteen writings at once, of different lengths (so that rows leave while others go on) and with
    different settings: each is what it is alone, allowing a change from the batched arithmetic's last
    bits in under one character in ten thousand (``benchmarks/streams.py`` measures the rate)."""
    scheduler = streams.scheduler_for(shakespeare)
    lengths = [150 + 20 * i for i in range(16)]
    alone = [written(shakespeare, seed, lengths[seed]) for seed in range(16)]
    together: dict[int, str] = {}

    def write(seed: int) -> None:
        together[seed] = written(shakespeare, seed, lengths[seed], scheduler)

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(together) == list(range(16))
    changed = sum(a != b for a, b in zip(alone, (together[s] for s in range(16)), strict=True))
    assert changed <= 1, f"{changed} of 16 writings changed in company"


def test_a_reader_that_goes_away_leaves_the_batch_and_the_others_go_on(shakespeare):
    scheduler = streams.scheduler_for(shakespeare)
    draws = writing.Draws(shakespeare, SAMPLING, writing.MAX_LENGTH, seed=3)
    leaving = scheduler.stream("ROMEO:", 2, draws)
    next(leaving)
    staying = written(shakespeare, 5, 100, scheduler)  # served while the other stream is live
    assert staying == written(shakespeare, 5, 100)
    leaving.close()  # the visitor left mid-writing
    deadline = time.monotonic() + 5
    while scheduler.live_rows and time.monotonic() < deadline:
        time.sleep(0.01)
    assert scheduler.live_rows == 0  # its rows left at the next pass instead of writing 2,000 characters


def test_one_request_failing_does_not_stop_the_others(shakespeare):
    scheduler = streams.scheduler_for(shakespeare)

    class Failing(writing.Draws):
        def __call__(self, logits):
            raise ValueError("this request cannot draw")

    failing = scheduler.stream("ROMEO:", 1, Failing(shakespeare, SAMPLING, 10, seed=1))
    with pytest.raises(ValueError, match="cannot draw"):
        list(failing)
    assert written(shakespeare, 2, 50, scheduler) == written(shakespeare, 2, 50)


def test_a_process_that_wrote_through_the_scheduler_ends_cleanly():
    """The scheduler's thread has run PyTorch: it must end before the interpreter does (cut off at
    the interpreter's end, such a thread aborts the process)."""
    code = (
        "from aigc_demo.backend.hub import ModelHub; from aigc_demo.settings import SHIPPED_CHECKPOINTS; "
        "from aigc_demo.pipelines import streams, writing; import tempfile; "
        "m = ModelHub(SHIPPED_CHECKPOINTS, tempfile.mkdtemp()).load('shakespeare-lstm').module; "
        "print(len(writing.generate_text(m, 'A', writing.Sampling(), 20, 1, "
        "scheduler=streams.scheduler_for(m))[0]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "20"
