"""Rules the whole code base keeps: lint, layering, pinned installs, valid shipped checkpoints."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys

import pytest

from aigc_demo.backend.hub import ModelHub
from aigc_demo.settings import PROJECT_ROOT, SHIPPED_CHECKPOINTS

MAX_CHECKPOINT_BYTES = 10 * 1024 * 1024


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by requirements-dev.txt")
def test_ruff_lint_and_format_are_clean():
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_back_end_runs_without_gradio():
    code = (
        "import sys, aigc_demo.backend.hub, aigc_demo.cli, aigc_demo.data.catalog, aigc_demo.models\n"
        "sys.exit('gradio' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=False).returncode == 0


def _imports(folder: str) -> set[str]:
    pattern = re.compile(r"^\s*(?:import|from)\s+([\w.]+)", re.MULTILINE)
    return {
        m.group(1).split(".")[0]
        for p in (PROJECT_ROOT / folder).rglob("*.py")
        for m in pattern.finditer(p.read_text())
    }


def test_back_end_never_imports_gradio():
    below_the_ui = (
        "backend",
        "models",
        "data",
        "text",
        "audio",
        "pipelines",
        "training",
        "evaluation",
        "recipes",
    )
    for folder in below_the_ui:
        assert "gradio" not in _imports(f"aigc_demo/{folder}"), folder


# An import of one of the training loops: ``aigc_demo.training.text`` (or image, gan, speech), or
# ``from aigc_demo.training import text``.
LOOP = r"\b(?:text|image|gan|speech)\b"
LOOPS = re.compile(rf"^\s*(?:from|import)\s+aigc_demo\.training(?:\.{LOOP}| import .*{LOOP})", re.MULTILINE)


def test_only_the_recipes_import_the_training_loops():
    importers = {
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "aigc_demo").rglob("*.py")
        if LOOPS.search(path.read_text())
    }
    assert {p for p in importers if not p.startswith(("aigc_demo/recipes/", "aigc_demo/training/"))} == set()


def test_the_shared_training_code_names_no_kind():
    """A new trainable kind needs no edit to the CLI's train command or the job slot: neither names
    a model kind (the recipes do)."""
    kinds = ("char-rnn", "image-vae", "image-gan", "speech-cvae", "classifier")
    for module in ("aigc_demo/cli/train.py", "aigc_demo/jobs.py"):
        source = (PROJECT_ROOT / module).read_text()
        assert not [kind for kind in kinds if kind in source], module


def _functions(tree: ast.AST) -> list[tuple[str, int]]:
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_functions_and_modules_stay_readable():
    """No function over 120 lines, no module over 500 (the translation tables aside)."""
    for path in (PROJECT_ROOT / "aigc_demo").rglob("*.py"):
        source = path.read_text()
        name = str(path.relative_to(PROJECT_ROOT))
        if path.name != "i18n.py":
            assert source.count("\n") <= 500, name
        long = [(f, n) for f, n in _functions(ast.parse(source)) if n > 120]
        assert long == [], name


def test_ui_holds_no_model_code():
    assert "torch" not in _imports("aigc_demo/ui")


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-r"):
            continue
        name, _, version = line.partition("==")
        assert re.fullmatch(r"[\w.-]+", name.strip()), line
        assert version, f"{path}: {line!r} is not pinned to an exact version"
        pins[name.lower()] = version
    return pins


def test_requirements_are_pinned():
    runtime = _pins("requirements.txt")
    assert runtime["torch"] == "2.13.0"
    assert {"torch", "gradio", "numpy", "pillow", "soundfile", "safetensors"} <= set(runtime)
    assert {"pytest", "ruff"} <= set(_pins("requirements-dev.txt"))


def test_spaces_front_matter_matches_the_pins():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert readme.startswith("---\n")
    front = dict(line.split(": ", 1) for line in readme.split("---\n")[1].strip().splitlines())
    assert front["sdk"] == "gradio"
    assert front["sdk_version"] == _pins("requirements.txt")["gradio"]
    assert front["app_file"] == "app.py"
    assert re.fullmatch(r'"?3\.\d+"?', front["python_version"])
    assert len(front["short_description"]) <= 60
    assert {"title", "license"} <= set(front)


def test_shipped_checkpoints_are_valid_small_and_documented():
    hub = ModelHub(SHIPPED_CHECKPOINTS, PROJECT_ROOT / "no-user-folder")
    assert hub.skipped() == []
    readme = (PROJECT_ROOT / "README.md").read_text()
    for entry in hub.entries():
        assert entry.size_bytes < MAX_CHECKPOINT_BYTES, entry.name
        assert entry.card.training_command, entry.name
        assert entry.card.dataset.license, entry.name
        assert entry.card.metrics, entry.name
        assert entry.name in readme, f"{entry.name} is not described in the README"
        hub.load(entry.name)


def test_no_dataset_files_are_committed():
    result = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    dataset_like = re.compile(r"(ubyte|\.wav$|input\.txt$|tang_poems)", re.IGNORECASE)
    assert [f for f in result.stdout.splitlines() if dataset_like.search(f)] == []
