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


IMPORTED = re.compile(r"^\s*(?:import|from)\s+([\w.]+)(?:\s+import\s+([\w, ]+))?", re.MULTILINE)


def _sources(folder: str) -> dict[str, str]:
    """Every Python file under ``folder`` (relative to the project), by its path."""
    return {
        str(path.relative_to(PROJECT_ROOT)): path.read_text()
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
    }


def _imported(source: str) -> set[str]:
    """Every module a source imports, by its full name (``from a import b`` gives ``a`` and ``a.b``)."""
    found = set()
    for module, names in IMPORTED.findall(source):
        found.add(module)
        found |= {f"{module}.{name.strip()}" for name in names.split(",") if name.strip()}
    return found


def gradio_importers(sources: dict[str, str]) -> list[str]:
    return [
        path
        for path, source in sources.items()
        if any(m.split(".")[0] == "gradio" for m in _imported(source))
    ]


def test_nothing_below_the_ui_imports_gradio():
    """Every package but ``ui`` (and ``cli``'s ``serve``, which starts it) is free of Gradio."""
    below = {
        p: s
        for p, s in _sources("aigc_demo").items()
        if not p.startswith(("aigc_demo/ui/", "aigc_demo/cli/"))
    }
    assert "aigc_demo/labels/xmp.py" in below  # every package is scanned, labels/ included
    assert gradio_importers(below) == []
    assert gradio_importers({"aigc_demo/labels/seeded.py": "import gradio as gr\n"}) != []  # it can fail
    assert gradio_importers({"aigc_demo/text/seeded.py": "from gradio.utils import x\n"}) != []


def training_loops() -> set[str]:
    """The modules of ``aigc_demo.training`` that hold a training loop (a ``train_...`` function)."""
    return {
        f"aigc_demo.training.{path.stem}"
        for path in (PROJECT_ROOT / "aigc_demo" / "training").glob("*.py")
        if re.search(r"^def train_\w+\(", path.read_text(), re.MULTILINE)
    }


def loop_importers(sources: dict[str, str], loops: set[str]) -> list[str]:
    return [path for path, source in sources.items() if _imported(source) & loops]


def test_only_the_recipes_import_the_training_loops():
    loops = training_loops()
    assert {"aigc_demo.training.chat", "aigc_demo.training.text", "aigc_demo.training.gan"} <= loops
    outside = {
        path: source
        for path, source in _sources("aigc_demo").items()
        if not path.startswith(("aigc_demo/recipes/", "aigc_demo/training/"))
    }
    assert loop_importers(outside, loops) == []
    for seeded in ("from aigc_demo.training import chat\n", "import aigc_demo.training.chat as talk\n"):
        assert loop_importers({"aigc_demo/jobs.py": seeded}, loops) == ["aigc_demo/jobs.py"]


def kinds_named(source: str) -> list[str]:
    """The model kinds (every registered one) a source names in quotes."""
    from aigc_demo.models.registry import known_kinds

    return [kind for kind in known_kinds() if re.search(rf"[\"']{re.escape(kind)}[\"']", source)]


def test_the_shared_training_code_names_no_kind():
    """A new trainable kind needs no edit to the CLI's train command, the job slot or the Train page:
    none of them names a model kind (the recipes do)."""
    shared = (
        "aigc_demo/cli/train.py",
        "aigc_demo/jobs.py",
        "aigc_demo/ui/train_tab.py",
        "aigc_demo/ui/train_view.py",
    )
    for module in shared:
        assert kinds_named((PROJECT_ROOT / module).read_text()) == [], module
    assert kinds_named('KIND = "chat-rnn"\n') == ["chat-rnn"]  # it can fail, for every kind


def _functions(tree: ast.AST) -> list[tuple[str, int]]:
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_functions_and_modules_stay_readable():
    """No function over 120 lines, no module over 400, the texts' tables included."""
    for path in (PROJECT_ROOT / "aigc_demo").rglob("*.py"):
        source = path.read_text()
        name = str(path.relative_to(PROJECT_ROOT))
        assert source.count("\n") <= 400, name
        long = [(f, n) for f, n in _functions(ast.parse(source)) if n > 120]
        assert long == [], name


def test_ui_holds_no_model_code():
    ui = _sources("aigc_demo/ui")
    assert [p for p, source in ui.items() if any(m.split(".")[0] == "torch" for m in _imported(source))] == []


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


def test_the_readme_stays_a_guide():
    """The README is the way in, at most 300 lines; figures' histories live in docs/."""
    assert (PROJECT_ROOT / "README.md").read_text().count("\n") <= 300


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


# Imports only go down (docs/ARCHITECTURE.md): each package may import those after it, never before.
LAYERS = (
    ("cli",),
    ("ui",),
    ("jobs",),
    ("recipes",),
    ("training",),
    ("evaluation",),
    ("pipelines",),
    ("data", "labels"),
    ("backend",),
    ("models",),
    ("text", "audio"),
    ("settings",),
)


def upward_imports(sources: dict[str, str]) -> list[tuple[str, str]]:
    """(file, package it imports) for every import of a package at or above the file's own layer."""
    depth = {package: level for level, packages in enumerate(LAYERS) for package in packages}
    found = set()
    for path, source in sources.items():
        own = path.split("/")[1].removesuffix(".py")
        if own not in depth:  # aigc_demo/__init__.py and __main__.py stand above every layer
            continue
        for module in _imported(source):
            parts = module.split(".")
            if parts[0] != "aigc_demo" or len(parts) < 2 or parts[1] == own or parts[1] not in depth:
                continue
            if depth[parts[1]] <= depth[own]:
                found.add((path, parts[1]))
    return sorted(found)


def test_imports_only_go_down():
    assert {p for packages in LAYERS for p in packages} >= {
        path.stem if path.is_file() else path.name
        for path in (PROJECT_ROOT / "aigc_demo").iterdir()
        if not path.name.startswith("_") and path.suffix in ("", ".py")
    }
    assert upward_imports(_sources("aigc_demo")) == []
    assert upward_imports({"aigc_demo/models/seeded.py": "from aigc_demo.pipelines import image\n"}) == [
        ("aigc_demo/models/seeded.py", "pipelines")
    ]  # it can fail


def unnamed_modules(architecture: str, paths: list[str]) -> list[str]:
    """The modules the architecture document does not name (by their path below ``aigc_demo/``)."""
    return [path for path in paths if path.removeprefix("aigc_demo/") not in architecture]


def test_the_architecture_names_every_module():
    architecture = (PROJECT_ROOT / "docs" / "ARCHITECTURE.md").read_text()
    paths = [p for p in _sources("aigc_demo") if not p.endswith("/__init__.py") or "recipes" in p]
    assert unnamed_modules(architecture, paths) == []
    assert unnamed_modules("`ui/app.py`", ["aigc_demo/ui/app.py", "aigc_demo/ui/new_page.py"]) == [
        "aigc_demo/ui/new_page.py"
    ]  # it can fail
