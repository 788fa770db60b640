"""The public API stays what callers rely on: every endpoint's name, its parameters' names, order,
types and defaults, and what it returns. A change here is a change for every API client: update
``tests/api_snapshot.json`` (``python -m tests.test_api_snapshot``) only on purpose."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from aigc_demo.backend.hub import ModelHub
from aigc_demo.ui import build_demo

SNAPSHOT = Path(__file__).with_name("api_snapshot.json")


def api_of(folder: Path) -> dict:
    """The app's named endpoints over an empty hub (so no model's name is in the snapshot)."""
    hub = ModelHub(folder / "shipped", folder / "user", device=torch.device("cpu"))
    info = build_demo(hub).get_api_info()
    return {
        name: {
            "parameters": [
                [
                    p.get("parameter_name"),
                    p["python_type"]["type"],
                    p.get("parameter_has_default", False),
                    p.get("parameter_default"),
                ]
                for p in endpoint["parameters"]
            ],
            "returns": [r["python_type"]["type"] for r in endpoint["returns"]],
        }
        for name, endpoint in sorted(info["named_endpoints"].items())
    }


def test_the_public_api_is_what_its_snapshot_says(tmp_path):
    now = api_of(tmp_path)
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(now) == sorted(before), "endpoints added or removed"
    for name, endpoint in before.items():
        assert now[name] == endpoint, name
    assert len(before["/decode"]["parameters"]) == 18  # the snapshot is the app's, not an empty one


if __name__ == "__main__":
    import tempfile

    written = api_of(Path(tempfile.mkdtemp()))
    SNAPSHOT.write_text(
        json.dumps(written, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    sys.exit(0)
