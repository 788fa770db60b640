"""Faults: a process killed while saving, leftovers of such a kill, a training job that raises."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from aigc_demo.backend.checkpoint import load_checkpoint
from aigc_demo.jobs import TrainingJobs
from aigc_demo.recipes import JobRequest
from aigc_demo.settings import PROJECT_ROOT
from tests.helpers import varied_text

SAVER = textwrap.dedent(
    """
    import sys, torch
    from aigc_demo.backend.checkpoint import save_checkpoint
    from tests.helpers import make_card

    path, generation = sys.argv[1], 0
    while True:  # save ever newer 16 MB checkpoints to one path until killed
        generation += 1
        weights = {"w": torch.full((4_000_000,), float(generation))}
        save_checkpoint(path, weights, make_card(metrics={"generation": generation}))
        print(generation, flush=True)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_process_killed_while_saving_leaves_the_last_good_checkpoint(tmp_path):
    """Kill a saver at random moments of its save loop: every time, the file at the path is a
    whole checkpoint (the previous or the new one, weights matching their card), never a mix."""
    path = tmp_path / "model.safetensors"
    seen = 0
    for kill_after in (0.05, 0.29, 0.61):
        saver = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert saver.stdout.readline().strip()  # at least one save finished
            time.sleep(kill_after)
        finally:
            saver.send_signal(signal.SIGKILL)
            saver.wait(timeout=30)
        tensors, card = load_checkpoint(path)
        generation = card.metrics["generation"]
        assert torch.all(tensors["w"] == generation)
        seen = max(seen, generation)
    assert seen >= 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.safetensors"]
    assert all(name.startswith(".model.safetensors.") and name.endswith(".tmp") for name in leftovers)


def test_a_killed_saves_leftover_temp_file_is_not_listed_as_a_model(hub):
    from tests.helpers import make_card, make_model

    hub.save("kept", make_model(), make_card())
    (hub.user_dir / ".kept.safetensors.abc123.tmp").write_bytes(b"half a checkpoint")
    assert [entry.name for entry in hub.entries()] == ["kept"]
    assert hub.skipped() == []


def test_a_training_job_that_raises_ends_cleanly_and_says_why(hub, monkeypatch):
    """The job ends in state "failed" with the reason, nothing is saved, and the next job runs."""
    from aigc_demo.recipes import images

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory while training")

    monkeypatch.setattr(images, "train_image_vae", broken)
    jobs = TrainingJobs(hub)
    jobs.start(JobRequest("sprites", "doomed", epochs=1, minutes=1))
    done = jobs.wait(60)
    assert done.state == "failed"
    assert "out of memory while training" in done.message
    assert "doomed" not in {entry.name for entry in hub.entries()}
    text = varied_text(400)
    jobs.start(JobRequest("text", "next", text=text, source="pasted text", epochs=1, minutes=2))
    assert jobs.wait(120).state == "finished"
