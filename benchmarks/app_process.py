"""The app as the benchmarks see it: ``python app.py`` in a fresh process on a free loopback port,
with an empty user folder, ready once ``/`` answers HTTP 200; and one call through its HTTP call
API, the path a browser takes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningApp:
    url: str
    process: subprocess.Popen
    ready_s: float  # from the process's start to the first HTTP 200
    ready_cpu_s: float  # CPU seconds the process (all its threads) had used by then
    home: Path  # its AIGC_HOME, a temporary folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(
    env: dict[str, str] | None = None,
    timeout: float = 180,
    arguments: tuple[str, ...] = ("app.py",),
    root: Path = ROOT,
) -> Iterator[RunningApp]:
    """Start the app with extra environment ``env``, wait for its first 200, stop it afterwards;
    ``arguments`` are Python's (another way to start it, e.g. ``("-c", code)``); ``root``: the
    checkout it runs from (another version of the code, measured side by side)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        environment = {
            **os.environ,
            "AIGC_HOME": home,
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            **(env or {}),
        }
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *arguments],
            cwd=root,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited with code {process.returncode}")
                if time.perf_counter() - started > timeout:
                    raise RuntimeError(f"no HTTP 200 within {timeout} s")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
            ready_s = time.perf_counter() - started
            yield RunningApp(url, process, ready_s, cpu_seconds(process.pid), Path(home))
        finally:
            process.terminate()
            process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far, all its threads together."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call(client: httpx.Client, api: str, data: list) -> tuple[str, str]:
    """One call through the HTTP call API, read to its end: (outcome, message)."""
    # One client is one visitor (a session of its own): the training job it starts is its own to stop.
    session = f"benchmark-{id(client):x}"
    response = client.post(f"/gradio_api/call/{api}", json={"data": data, "session_hash": session})
    if response.status_code != 200:
        text = response.text.lower()
        return ("busy" if "full" in text or "busy" in text else "error"), f"HTTP {response.status_code}"
    event_id = response.json()["event_id"]
    kind = None
    with client.stream("GET", f"/gradio_api/call/{api}/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind in ("complete", "error"):
                if kind == "complete":
                    return "ok", ""
                message = line.removeprefix("data: ")
                return (
                    "busy" if "full" in message.lower() or "busy" in message.lower() else "error"
                ), message
    return "error", "the event stream ended without a result"
