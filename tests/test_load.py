"""Load through the real app: the load script's clients against a fresh ``python app.py``."""

from __future__ import annotations

from benchmarks.load import KINDS
from tests.helpers import run_benchmark


def run_load(tmp_path, *arguments: str) -> dict:
    return run_benchmark("load.py", tmp_path / "load.json", *arguments)


def test_concurrent_visitors_are_all_served_without_errors_while_a_job_trains(tmp_path):
    figures = run_load(tmp_path, "--clients", "8", "--seconds", "10", "--during-training")
    assert figures["during_training"]
    assert figures["server_alive_at_end"]
    assert sorted(figures["kinds"]) == sorted(KINDS)  # every kind of visitor was measured
    for kind, stats in figures["kinds"].items():
        assert stats["errors"] == 0, (kind, stats["first_errors"])
        assert stats["ok"] > 0, kind


def test_a_full_queue_says_busy_at_once_instead_of_hanging(tmp_path):
    figures = run_load(tmp_path, "--clients", "16", "--seconds", "5", "--queue-size", "2", "--timeout", "30")
    assert figures["server_alive_at_end"]
    assert sorted(figures["kinds"]) == sorted(KINDS)
    kinds = figures["kinds"].values()
    assert sum(stats["busy"] for stats in kinds) > 0
    assert sum(stats["errors"] for stats in kinds) == 0
    assert sum(stats["ok"] for stats in kinds) > 0
