"""Every public endpoint, called over HTTP with hostile values, answers clearly and keeps serving.

Hypothesis draws values of the wrong type, out of range, NaN, infinite, huge or empty for one
parameter at a time (the others stay valid, so each example probes one input). Each call must
end in a result or an error with a message; after each endpoint's run, the app still serves a
normal request.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from tests.fonts_for_tests import make_glyph_model
from tests.helpers import (
    make_card,
    make_chat_model,
    make_image_model,
    make_speech_card,
    make_speech_model,
    make_text_card,
    make_text_model,
    make_world_model,
    running_app,
    varied_text,
    world_card,
    write_picture_zip,
    write_tone_recordings,
)

CENTRE = [0.0] * 8
# A valid request for every public endpoint: the baseline each example changes one value of.
VALID: dict[str, list] = {
    "decode": ["digits", "0", 1, *CENTRE, 0.0, 0.0, 0.0, None, 0.0, 1.0, "principal"],
    "random": ["digits", "0", 1.0, "principal"],
    "interpolate": ["digits", "0", 1, 2, 4, "slerp", "seeds", "1"],
    "manifold": ["digits", "0", 1, "1", "2", 3],
    "corner_pad": ["digits", "0", 0.5, 0.5, 0, 1, 2, 3],
    "speak_digits": ["voice", "12", 0, 0.7, *CENTRE],
    "random_voice": ["voice", "12", 0.7],
    "type_line": ["blocks", "Hello", 3, "", 1.0, *[0.0] * 15],
    "type_grid": ["blocks", "Hi", 3],
    "type_animation": ["blocks", "Hi", "blocks-0", "blocks-1"],
    "video_clip": ["world", "examples", 2, 3, 5, 10, 0.5, 0, 0.0, 0.0, 0.0],
    "stream_text": ["bard", "Hi", 0.8, 0, 1.0, 20, 1, 1, "traditional", "free"],
    "generate": ["bard", "Hi", 0.8, 0, 1.0, 20, 1, 1, "free"],
    "branch": ["bard", "Hello", 2, "x", 0.8, 0, 1.0, 20, 1, 1, "free"],
    "lens": ["bard", "Hello", 2],
    "chat": ["talker", [], "hi there", 0.8, 0, 1.0, 7],
    "chat_reply": ["talker", ["hi there"], 0.8, 0, 1.0, 7],
    "list_models": [],
    "start_training": ["fuzzed", varied_text(250), "tiny", 1, 0.05, "", {"batch_size": 8}],
    "start_image_training": ["fuzzed-pictures", "UPLOADED", "vae", "tiny", 1, 0.5, "", {"latent_dim": 4}],
    "start_speech_training": ["fuzzed-voice", "UPLOADED", "tiny", 1, 0.5, "", {"beta": 1.0}],
    "start_sprite_training": ["fuzzed-shapes", "tiny", 1, 0.05, {"learning_rate": 0.001}],
    "start_job": ["sprites", "fuzzed-job", "", [], "tiny", 1, 0.5, "", {"learning_rate": 0.001}],
    "stop_training": [],
    "training_status": [],
    "encode": ["digits", "0", None, "UPLOADED"],  # filled in with a real upload by the fixture
    "check_file": ["UPLOADED"],  # the same upload: a picture without a label
    "add_model": ["UPLOADED", "fuzzed-gift"],  # a checkpoint file, uploaded by the fixture
}
FILE = {"_type": "gradio.FileData"}
# What a person cannot act on: Python's types and exceptions, addresses, the server's paths.
INTERNALS = re.compile(
    r"<class |object at 0x|Traceback|unhashable|has no len|NoneType|Original error|Error: |"
    r"site-packages|/tmp/|gradio cache"
)
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.just("x" * 100_000),
    st.just("../../../../etc/passwd"),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.sampled_from(["/etc/passwd", "../../app.py", "/proc/self/environ"]).map(
        lambda path: {"path": path, "meta": FILE}
    ),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("fuzz")
    hub = ModelHub(root / "shipped", root / "user")
    image_model = make_image_model()
    hub.save("digits", image_model, make_card(kind="image-vae", config=image_model.config))
    speech_model = make_speech_model()
    hub.save("voice", speech_model, make_speech_card(speech_model))
    text_model = make_text_model()
    hub.save("bard", text_model, make_text_card(text_model))
    chat_model = make_chat_model()
    hub.save("talker", chat_model, make_card(kind="chat-rnn", config=chat_model.config))
    world = make_world_model()
    hub.save("world", world, world_card(world))
    glyphs, glyph_card = make_glyph_model(root)
    hub.save("blocks", glyphs, glyph_card)
    picture = io.BytesIO()
    digit = Image.new("L", (64, 64), 255)
    ImageDraw.Draw(digit).line([(20, 10), (44, 10), (30, 54)], fill=0, width=6)  # a seven
    digit.save(picture, format="PNG")
    with running_app(hub) as url, httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:
        (uploaded,) = client.post(
            "/gradio_api/upload", files={"files": ("seven.png", picture.getvalue())}
        ).json()
        VALID["encode"][3] = {"path": uploaded, "meta": FILE}
        VALID["check_file"][0] = {"path": uploaded, "meta": FILE}
        gift = ModelHub(root / "elsewhere", root / "elsewhere-user").save(
            "gift", image_model, make_card(kind="image-vae", config=image_model.config)
        )
        (checkpoint,) = client.post(
            "/gradio_api/upload", files={"files": ("gift.safetensors", gift.path.read_bytes())}
        ).json()
        VALID["add_model"][0] = {"path": checkpoint, "meta": FILE}
        archive = write_picture_zip(root / "pictures.zip")
        (pictures,) = client.post(
            "/gradio_api/upload", files={"files": ("pictures.zip", archive.read_bytes())}
        ).json()
        VALID["start_image_training"][1] = [{"path": pictures, "meta": FILE}]
        recordings = shutil.make_archive(
            str(root / "voice"), "zip", write_tone_recordings(root / "voice", per_digit=2)
        )
        (voice,) = client.post(
            "/gradio_api/upload", files={"files": ("voice.zip", Path(recordings).read_bytes())}
        ).json()
        VALID["start_speech_training"][1] = [{"path": voice, "meta": FILE}]
        yield client
        finish_training(client)


def finish_training(client: httpx.Client) -> None:
    """Stop any training job the probes started and wait for it to end."""
    deadline = time.monotonic() + 300  # a job stops within a step, then saves; several may be in line
    while True:  # stopping the running job starts the next in line: stop each in turn
        status = call(client, "training_status", [])[1][0]
        if status["state"] not in ("running", "stopping") and not status["waiting"]:
            return
        assert time.monotonic() < deadline, f"the training jobs did not stop: {status}"
        call(client, "stop_training", [])
        time.sleep(0.1)


def call(client: httpx.Client, api: str, data: list) -> tuple[str, object]:
    """POST to the call API and read the event stream to its end: ("complete" | "error", payload)."""
    # One visitor throughout (a session of its own), so the jobs it starts are its own to stop; NaN
    # and Infinity go out as JSON's common extension.
    body = json.dumps({"data": data, "session_hash": "fuzzing-visitor"}, allow_nan=True)
    response = client.post(
        f"/gradio_api/call/{api}", content=body, headers={"content-type": "application/json"}
    )
    if response.status_code != 200:
        return "refused", response.status_code
    event_id = response.json()["event_id"]
    kind = None
    with client.stream("GET", f"/gradio_api/call/{api}/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind in ("complete", "error"):
                return kind, json.loads(line.removeprefix("data: "))
    raise AssertionError(f"/{api}: the event stream ended without a result or an error")


def test_every_public_endpoint_has_a_baseline(app):
    info = app.get("/gradio_api/info").json()
    assert {name.lstrip("/") for name in info["named_endpoints"]} == set(VALID)
    for api, data in VALID.items():
        if api.startswith("start_"):  # one job at a time: let the previous one end first
            finish_training(app)
        assert call(app, api, data)[0] == "complete", api


@pytest.mark.parametrize("api", [name for name, data in VALID.items() if data])
def test_hostile_values_get_a_clear_answer_and_the_app_keeps_serving(app, api):
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(position=st.integers(0, len(VALID[api]) - 1), value=HOSTILE)
    def probe(position: int, value: object) -> None:
        data = list(VALID[api])
        data[position] = value
        kind, payload = call(app, api, data)
        if kind == "error":
            message = payload.get("error") if isinstance(payload, dict) else payload
            assert isinstance(message, str), f"/{api}, value {str(value)[:40]!r} at {position}: no message"
            assert message.strip()
            assert not INTERNALS.search(message), (
                f"/{api}, value {str(value)[:40]!r} at {position}: {message}"
            )
        else:
            assert kind in ("complete", "refused"), kind

    probe()
    if api.startswith("start_"):  # one job at a time: let any job the probe started end first
        finish_training(app)
        named_at = 1 if api == "start_job" else 0  # /start_job names the kind first
        VALID[api][named_at] = f"fuzzed-{time.monotonic_ns()}"  # a fresh name: names are never overwritten
    if api == "add_model":
        VALID[api][1] = f"fuzzed-{time.monotonic_ns()}"
    assert call(app, api, VALID[api])[0] == "complete"


@pytest.mark.parametrize("path", ["/etc/passwd", "../../app.py", "/proc/self/environ"])
def test_a_file_path_outside_the_apps_folders_is_never_read(app, path):
    data = list(VALID["encode"])
    data[3] = {"path": path, "meta": FILE}
    kind, payload = call(app, "encode", data)
    assert kind == "error"
    assert "root" not in json.dumps(payload)  # nothing of /etc/passwd comes back


# Values of every wrong kind at once, for handlers whose every input is probed together.
EVERY_INPUT_WRONG = [None, "x" * 100_000, [1, [2]], {"a": 1}, -(2**70), {"path": "/etc/passwd", "meta": FILE}]


def test_private_handlers_answer_hostile_values_as_public_ones_do(app):
    """The page's own events (those the API page does not list) answer anyone who sends their
    number to the queue: each is probed with wrong values in every input, and must answer with a
    result or a message for people, as the public endpoints do."""
    config = app.get("/config").json()
    private = [d for d in config["dependencies"] if d["backend_fn"] and d["api_visibility"] == "private"]
    assert len(private) > 20
    faults = []
    for dependency in private:
        for value in EVERY_INPUT_WRONG:
            # a selection event is sent a hostile selection too (with none it is refused first)
            selection = {"index": value, "value": value} if dependency["collects_event_data"] else None
            success, message = join_queue(
                app, dependency["id"], [value] * len(dependency["inputs"]), selection
            )
            where = f"event {dependency['id']} ({dependency['api_name']}), {str(value)[:20]!r}"
            if not success and not (isinstance(message, str) and message.strip()):
                faults.append(f"{where}: no message")
            elif not success and INTERNALS.search(message):
                faults.append(f"{where}: {message}")
    assert not faults, "\n".join(faults)
    finish_training(app)
    assert call(app, "list_models", [])[0] == "complete"


def join_queue(
    client: httpx.Client, fn_index: int, data: list, selection: dict | None = None
) -> tuple[bool, str | None]:
    """Send an event to the queue by its number, as the page does, and read its end: (success,
    the error's message)."""
    session = f"private-{fn_index}-{time.monotonic_ns()}"
    event = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": selection}
    body = json.dumps(event, allow_nan=True)
    joined = client.post("/gradio_api/queue/join", content=body, headers={"content-type": "application/json"})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            if event.get("msg") == "process_completed":
                output = event.get("output") or {}
                return bool(event.get("success")), output.get("error")
    raise AssertionError(f"event {fn_index}: the stream ended without completing")
