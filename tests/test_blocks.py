"""``StudioBlocks`` preprocesses plain controls' values on the event loop instead of a worker thread
each, and checks them as Gradio does: a number against its range, a choice against those offered to
the caller's own session. A small app of its own, served for real and called over HTTP."""

from __future__ import annotations

import threading

import gradio as gr
import httpx
import pytest

from aigc_demo.ui.gradio_seam import StudioBlocks
from tests.helpers import free_port

THREADS: list[str] = []  # where the slider's values were preprocessed


def watched(preprocess):
    def noting_the_thread(payload):
        THREADS.append(threading.current_thread().name)
        return preprocess(payload)

    return noting_the_thread


def describe(size: float, shape: str, colour: str) -> str:
    return f"{size:g} {shape} {colour}"


@pytest.fixture(scope="module")
def client():
    with StudioBlocks() as demo:
        size = gr.Slider(0, 10, value=1, step=1, label="size")
        size.preprocess = watched(size.preprocess)
        shape = gr.Radio(["round", "square"], value="round", label="shape")
        colour = gr.Dropdown(["red"], value="red", label="colour")
        said = gr.Textbox(label="said")
        offer = gr.Button("offer blue")
        size.input(describe, [size, shape, colour], said, api_name="describe")
        offer.click(lambda: gr.Dropdown(choices=["red", "blue"]), None, colour, api_name="offer_blue")
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        with httpx.Client(base_url=demo.local_url.rstrip("/"), timeout=60) as client:
            yield client
    finally:
        demo.close()


def call(client: httpx.Client, api: str, data: list, session: str) -> tuple[str, str]:
    """(event, data) of the call's last event: ("complete", result) or ("error", message)."""
    started = client.post(f"/gradio_api/call/{api}", json={"data": data, "session_hash": session})
    with client.stream("GET", f"/gradio_api/call/{api}/{started.json()['event_id']}") as stream:
        lines = [line for line in stream.iter_lines() if line]
    return lines[-2].removeprefix("event: "), lines[-1].removeprefix("data: ")


def test_plain_values_are_preprocessed_on_the_event_loop_not_a_thread_each(client):
    THREADS.clear()
    assert call(client, "describe", [3, "square", "red"], "one") == ("complete", '["3 square red"]')
    assert len(THREADS) == 1
    assert not THREADS[0].startswith("AnyIO worker thread")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([11, "round", "red"], "Value 11 is greater than maximum value 10."),
        (["big", "round", "red"], "value 1 (a slider) could not be read as its control expects"),
        ([2, "oval", "red"], "a value sent is not one of the choices offered"),
        ([2, "round", "green"], "a value sent is not one of the choices offered"),
    ],
)
def test_values_are_still_checked_and_refused_in_words(client, data, message):
    event, said = call(client, "describe", data, "checked")
    assert event == "error"
    assert message in said


def test_a_choice_offered_to_one_session_is_not_offered_to_another(client):
    assert call(client, "offer_blue", [], "offered")[0] == "complete"
    assert call(client, "describe", [2, "round", "blue"], "offered") == ("complete", '["2 round blue"]')
    event, said = call(client, "describe", [2, "round", "blue"], "not-offered")
    assert event == "error"
    assert "not one of the choices offered" in said
