"""Who goes first (``backend.priority``): streams wait while a drag's picture is made, a training step
while anything is served, each for a bounded time only."""

from __future__ import annotations

import threading
import time

from aigc_demo.backend import priority


def waited(wait, most: float) -> float:
    started = time.monotonic()
    wait(most)
    return time.monotonic() - started


def test_a_pass_waits_for_a_drag_s_picture_and_no_longer():
    assert waited(priority.yield_to_interactive, 1.0) < 0.05  # nothing to wait for
    done = threading.Event()

    def drag() -> None:
        with priority.interactive():
            done.wait(0.2)  # a picture that takes 200 ms

    thread = threading.Thread(target=drag)
    thread.start()
    time.sleep(0.02)
    assert 0.1 < waited(priority.yield_to_interactive, 1.0) < 0.5  # until the picture was made
    thread.join()
    with priority.interactive():  # a picture that never ends holds a pass for the bound only
        assert 0.09 < waited(priority.yield_to_interactive, 0.1) < 0.3


def test_training_yields_to_live_streams_and_drags_for_a_bounded_time():
    owner = object()
    assert waited(priority.yield_to_visitors, 1.0) < 0.05
    priority.mark_streaming(owner, True)
    try:
        assert 0.09 < waited(priority.yield_to_visitors, 0.1) < 0.3
        threading.Timer(0.05, priority.mark_streaming, (owner, False)).start()
        assert waited(priority.yield_to_visitors, 1.0) < 0.5  # ends as the streams do
    finally:
        priority.mark_streaming(owner, False)
    with priority.interactive():
        assert 0.09 < waited(priority.yield_to_visitors, 0.1) < 0.3
