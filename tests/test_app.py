"""The real app: launched on a loopback port and called the way browsers and API clients do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from aigc_demo.settings import PROJECT_ROOT
from tests.helpers import free_port, make_card, make_model, running_app


@pytest.fixture
def app_url(hub):
    with running_app(hub) as url:
        yield url


def test_every_page_is_served_with_only_its_own_components_in_both_languages(app_url):
    config = httpx.get(f"{app_url}config", timeout=30).json()
    assert config["title"] == "AIGC Studio"
    assert set(config["i18n_translations"]) == {"en", "zh-CN"}
    pages = ["", "text", "speech", "type", "video", "chat", "train", "about"]
    assert [path for path, *_ in config["pages"]] == pages
    assert config["max_file_size"] == 20 * 1024 * 1024
    counts = []
    for path, *_ in config["pages"]:
        assert httpx.get(app_url + path, timeout=30).status_code == 200
        page = httpx.get(f"{app_url}config", params={"page": path}, timeout=30).json()
        links = [c for c in page["components"] if c["props"].get("elem_id") == "pages"]
        name = path or "image"
        assert len(links) == 1
        assert f'"key": "top_{name}"' in links[0]["props"]["value"]  # title, links, introduction
        counts.append(len(page["components"]))
    assert sum(counts) <= len(config["components"]) + 10  # each page sends its own, not the whole app
    assert max(counts) < len(config["components"]) / 3


def test_list_models_api_sees_new_checkpoints_without_a_restart(app_url, hub):
    client = Client(app_url, verbose=False)
    assert client.predict(api_name="/list_models") == []
    hub.save("fresh", make_model(), make_card())
    (listed,) = client.predict(api_name="/list_models")
    assert listed["name"] == "fresh"
    assert listed["kind"] == "test-mlp"
    assert listed["dataset"] == "synthetic"
    assert listed["metrics"] == {"loss": 0.5, "accuracy": 0.9}
    assert listed["shipped"] is False


def test_only_intended_endpoints_are_public(app_url):
    info = httpx.get(f"{app_url}gradio_api/info", timeout=30).json()
    assert set(info["named_endpoints"]) == {
        "/list_models",
        "/speak_digits",
        "/random_voice",
        "/type_line",
        "/type_grid",
        "/type_animation",
        "/video_clip",
        "/decode",
        "/interpolate",
        "/manifold",
        "/corner_pad",
        "/encode",
        "/random",
        "/stream_text",
        "/generate",
        "/branch",
        "/lens",
        "/chat",
        "/chat_reply",
        "/start_training",
        "/start_sprite_training",
        "/start_image_training",
        "/start_speech_training",
        "/start_job",
        "/stop_training",
        "/training_status",
        "/check_file",
        "/add_model",
    }


def _wait_for_http_200(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app exited early with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no HTTP 200 from {url} within {timeout} s")


@pytest.mark.parametrize("command", [["app.py"], ["-m", "aigc_demo", "serve"]], ids=["app.py", "serve"])
def test_app_starts_despite_a_corrupt_checkpoint(tmp_path: Path, command: list[str]):
    user_checkpoints = tmp_path / "home" / "checkpoints"
    user_checkpoints.mkdir(parents=True)
    (user_checkpoints / "broken.safetensors").write_bytes(b"this is not a checkpoint")
    port = free_port()
    env = {
        **os.environ,
        "AIGC_HOME": str(tmp_path / "home"),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log_path = tmp_path / "app.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, *command], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_for_http_200(f"http://127.0.0.1:{port}/", process)
            models = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(api_name="/list_models")
            assert "broken" not in {m["name"] for m in models}
        finally:
            process.terminate()
            process.wait(timeout=30)
    output = log_path.read_text()
    assert "Models run on CPU" in output or "Models run on CUDA" in output
    assert "Skipping" in output
    assert "broken.safetensors" in output
