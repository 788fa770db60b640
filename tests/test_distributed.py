"""torchrun: two CPU processes train the text model in step and write one checkpoint."""

from __future__ import annotations

import re
import subprocess
import sys

from aigc_demo.backend.checkpoint import load_checkpoint
from aigc_demo.settings import PROJECT_ROOT

TEXT = "".join(f"line {i}: the cat sat on the mat and the dog ran after it.\n" for i in range(200))


def torchrun(train_arguments: list[str], tmp_path) -> subprocess.CompletedProcess:
    """``torchrun --nproc_per_node=2 -m aigc_demo train ...`` on the CPU, one thread each."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    return subprocess.run(
        [*command, "-m", "aigc_demo", "train", *train_arguments],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "AIGC_HOME": str(tmp_path / "home"), "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_two_processes_end_with_identical_weights_and_one_checkpoint(tmp_path):
    data = tmp_path / "lines.txt"
    data.write_text(TEXT)
    out = tmp_path / "out" / "parallel.safetensors"
    out.parent.mkdir()
    result = torchrun(
        ["text", "--data", str(data), "--out", str(out), "--epochs", "1", "--hidden", "32", "--layers", "1",
         "--embed-dim", "8", "--seq-len", "32", "--batch-size", "8", "--threads", "1"],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    digests = dict(re.findall(r"rank (\d): weights (\w+)", result.stderr))
    assert sorted(digests) == ["0", "1"], result.stderr[-3000:]
    assert digests["0"] == digests["1"]  # the gradients were averaged, every step
    assert result.stderr.count("saved ") == 2  # the best epoch once, then the final model, by rank 0 only
    assert [p.name for p in out.parent.iterdir()] == ["parallel.safetensors"]
    tensors, card = load_checkpoint(out)
    assert card.kind == "char-rnn"
    assert tensors


def test_kinds_that_do_not_share_batches_refuse_torchrun_before_training(tmp_path):
    out = tmp_path / "x.safetensors"
    result = torchrun(["vae", "--data", "sprites", "--out", str(out)], tmp_path)
    assert result.returncode != 0
    assert "torchrun runs these kinds in parallel: text; not vae" in result.stderr
    assert not out.exists()
