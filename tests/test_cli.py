import json
import subprocess
import sys

import pytest

from aigc_demo.backend import hub as hub_module
from aigc_demo.cli import main
from aigc_demo.settings import PROJECT_ROOT
from tests.helpers import make_card, make_model


@pytest.fixture
def user_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_HOME", str(tmp_path))
    hub_module.default_hub.cache_clear()
    yield tmp_path
    hub_module.default_hub.cache_clear()


def test_models_prints_a_table_of_checkpoints(user_home, capsys):
    hub_module.default_hub().save("my-model", make_model(), make_card(metrics={"val_loss": 1.234567}))
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "DATASET", "SIZE", "KEY", "METRIC", "ORIGIN"]
    row = next(line for line in lines if line.startswith("my-model"))
    assert row.split()[1:3] == ["test-mlp", "synthetic"]
    assert "val_loss=1.235" in row
    assert row.endswith("user")


def test_models_json_and_kind_filter(user_home, capsys):
    hub_module.default_hub().save("my-model", make_model(), make_card())
    assert main(["models", "--json", "--kind", "test-mlp"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows if r["origin"] == "user"] == ["my-model"]
    assert main(["models", "--json", "--kind", "no-such-kind"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bad_environment_is_a_clear_error_not_a_traceback(user_home, monkeypatch, capsys):
    monkeypatch.setenv("AIGC_DEVICE", "quantum")
    assert main(["models"]) == 2
    assert "error: AIGC_DEVICE='quantum' is not one of" in capsys.readouterr().err


def test_module_entry_point_runs_with_an_empty_user_folder(tmp_path):
    env = {"AIGC_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "aigc_demo", "models"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(("NAME", "No checkpoints found"))


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "models" in out
    assert "serve" in out


def test_train_vae_on_a_zip_of_pictures_then_fine_tune_it(user_home, tmp_path, capsys):
    from tests.helpers import write_picture_zip

    archive = str(write_picture_zip(tmp_path / "bars.zip", per_class=10))
    assert (
        main(
            [
                "train",
                "vae",
                "--data",
                archive,
                "--out",
                "bars",
                "--epochs",
                "1",
                "--latent-dim",
                "4",
                "--directions",
                "2",
            ]
        )
        == 0
    )
    hub = hub_module.default_hub()
    card = hub.entry("bars").card
    assert card.kind == "image-vae"
    assert card.dataset.name == "bars.zip"
    assert card.extras["map"]["names"] == ["0", "1", "2"]
    assert (
        main(["train", "vae", "--data", archive, "--from", "bars", "--out", "bars-2", "--epochs", "1"]) == 0
    )
    tuned = hub.entry("bars-2").card
    assert tuned.config == card.config
    assert tuned.extras["started_from"] == "bars"
    assert tuned.extras["training"]["latent_dim"] == 4  # the card tells the architecture it kept
    assert main(["train", "gan", "--data", archive, "--from", "bars", "--out", "x", "--judge", "none"]) == 2
    assert (
        "'bars' is a image-vae model; this kind of training starts from a image-gan"
        in capsys.readouterr().err
    )


def test_text_can_train_on_the_classical_form_poems_alone(user_home, tmp_path, capsys):
    five = "春曉\n孟浩然\n春眠不覺曉，處處聞啼鳥。\n夜來風雨聲，花落知多少。"
    mixed = "題\n人\n一二三四五，一二三四五六七。"
    corpus = tmp_path / "poems.txt"
    corpus.write_text("\n\n".join([five, mixed] * 30) + "\n", encoding="utf-8")
    small = ["--epochs", "1", "--hidden", "16", "--embed-dim", "8", "--seq-len", "16", "--batch-size", "4"]
    assert main(["train", "text", "--data", str(corpus), "--classical-only", "--out", "poet", *small]) == 0
    capsys.readouterr()
    card = hub_module.default_hub().entry("poet").card
    assert card.extras["training_text"] == "classical-form poems of the training split only"
    corpus.write_text("\n\n".join([mixed] * 60) + "\n", encoding="utf-8")
    assert main(["train", "text", "--data", str(corpus), "--classical-only", "--out", "none", *small]) == 2
    assert "--classical-only found no poems of classical form" in capsys.readouterr().err
    assert hub_module.default_hub().entry("poet").card == card
