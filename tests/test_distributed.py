"""torchrun: two CPU processes train a model in step and write one checkpoint."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from aigc_demo.backend.checkpoint import load_checkpoint
from aigc_demo.settings import PROJECT_ROOT
from tests.helpers import varied_text, write_bar_digits, write_tone_recordings

TEXT = varied_text(200)


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
    digests = dict(re.findall(r"rank (\d): weights ([0-9a-f]{16})", result.stderr))
    assert sorted(digests) == ["0", "1"], result.stderr[-3000:]
    assert digests["0"] == digests["1"]  # the gradients were averaged, every step
    assert result.stderr.count("saved ") == 2  # the best epoch once, then the final model, by rank 0 only
    assert [p.name for p in out.parent.iterdir()] == ["parallel.safetensors"]
    tensors, card = load_checkpoint(out)
    assert card.kind == "char-rnn"
    assert tensors


SMALL = ["--epochs", "1", "--latent-dim", "4", "--directions", "2", "--threads", "1"]


def bars(root):
    return write_bar_digits(root, train=128, test=32)


def voices(root):
    return write_tone_recordings(root, per_digit=7)


BATCHED_KINDS = {  # kind: (data to write, its options, the card's kind)
    "vae": (bars, ["--batch-size", "16", "--channels", "8"], "image-vae"),
    "gan": (bars, ["--batch-size", "16", "--channels", "8", "--judge", "none"], "image-gan"),
    "speech": (voices, ["--batch-size", "8", "--channels", "4"], "speech-cvae"),
}


@pytest.mark.parametrize("kind", sorted(BATCHED_KINDS))
def test_the_image_and_speech_models_train_in_step_across_two_processes(tmp_path, kind):
    write, options, card_kind = BATCHED_KINDS[kind]
    data, out = write(tmp_path / "data"), tmp_path / f"{kind}.safetensors"
    result = torchrun([kind, "--data", str(data), "--out", str(out), *SMALL, *options], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    digests = dict(re.findall(r"rank (\d): weights ([0-9a-f]{16})", result.stderr))
    assert sorted(digests) == ["0", "1"], result.stderr[-3000:]
    assert digests["0"] == digests["1"]
    assert result.stderr.count("saved ") == 1
    card = load_checkpoint(out)[1]
    assert card.kind == card_kind
    assert card.extras["trained_on"] == {"device": "cpu", "precision": "fp32"}


def test_kinds_that_do_not_share_batches_refuse_torchrun_before_training(tmp_path):
    out = tmp_path / "x.safetensors"
    result = torchrun(["image-classifier", "--data", "sprites", "--out", str(out)], tmp_path)
    assert result.returncode != 0
    refusal = "torchrun runs these kinds in parallel: text, vae, gan, speech; not image-classifier"
    assert refusal in result.stderr
    assert not out.exists()
