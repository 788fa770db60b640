"""Hostile visitors through the real app: each attack is refused or bounded in memory, disk and time,
and another visitor is answered throughout (``benchmarks/hostile.py`` against a fresh ``python app.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

from aigc_demo.settings import PROJECT_ROOT

# Cases that may start a job: accepted within the server's budget (a capped vocabulary), then stopped.
BOUNDED = {"wide-vocabulary"}
MAX_RSS_GROWTH_MB = 300
MAX_WRITTEN_MB = 30  # the upload itself (at most 20 MB) and, for a bounded job, the model it saved
PLAIN = ("Traceback", "<class ", "object at 0x", "/tmp/", "site-packages")


def test_every_hostile_case_is_refused_or_bounded_and_others_are_served(tmp_path):
    out = tmp_path / "hostile.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/hostile.py", "--json", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["server_alive_at_end"]
    for case in figures["cases"]:
        name = case["case"]
        if name not in BOUNDED:
            assert case["outcome"] in ("error", "refused"), case
            assert case["message"].strip(), case
            assert not any(mark in case["message"] for mark in PLAIN), case
        assert case["peak_rss_growth_mb"] < MAX_RSS_GROWTH_MB, case
        assert case["written_mb"] < MAX_WRITTEN_MB, case
        assert case["answer_s"] < 60, case
        assert case["neighbour_slowest_s"] < 10, case
