"""Sessions that build each component's config when it is first needed (``LazySessionState`` in
``ui/gradio_sessions.py``): the same map as Gradio's eager one, at a fraction of the work for a caller that
touches a few blocks."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import httpx
from gradio.state_holder import SessionState

from aigc_demo.ui import build_demo, launch_options
from aigc_demo.ui.gradio_sessions import LazySessionState, LazyStateHolder
from tests.helpers import free_port, make_card, make_image_model


def _touch(state: SessionState, demo: gr.Blocks) -> None:
    """What an event does to a session: inputs and outputs' values written into the config, one
    component replaced by an update."""
    sliders = [block for block in demo.blocks.values() if isinstance(block, gr.Slider)]
    state._update_value_in_config(sliders[0]._id, 1.5)
    state._update_value_in_config(sliders[1]._id, -0.5)
    state[sliders[2]._id] = gr.Slider(label="moved", visible=False)


def test_a_lazy_session_holds_the_same_configs_as_gradio_s_after_the_same_events(hub):
    model = make_image_model()
    hub.save("digits", model, make_card(kind="image-vae", config=model.config))
    demo = build_demo(hub)
    eager, lazy = SessionState(demo), LazySessionState(demo)
    _touch(eager, demo)
    _touch(lazy, demo)
    assert len(lazy.config_values) == 3  # only what the event touched, until the map is read
    assert list(lazy.components) == list(eager.components)
    assert len(lazy.config_values) == len(eager.config_values) > 200


def test_sessions_share_the_app_s_configs_but_never_each_other_s_values(hub):
    model = make_image_model()
    hub.save("digits", model, make_card(kind="image-vae", config=model.config))
    demo = build_demo(hub)
    shared: dict[int, dict] = {}
    first, second = LazySessionState(demo, shared), LazySessionState(demo, shared)
    _touch(first, demo)
    assert len(shared) == 2  # the two sliders written to; the replaced one is the session's own
    assert list(second.components) == list(SessionState(demo).components)
    eager = SessionState(demo)
    _touch(eager, demo)
    assert list(first.components) == list(eager.components)


def test_the_running_app_makes_lazy_sessions_and_stores_no_deep_links(hub):
    model = make_image_model()
    hub.save("digits", model, make_card(kind="image-vae", config=model.config))
    demo = build_demo(hub)
    options = {
        "server_name": "127.0.0.1",
        "server_port": free_port(),
        "prevent_thread_lock": True,
        "quiet": True,
    }
    demo.launch(**options, **launch_options())
    try:
        base = demo.local_url.rstrip("/")
        data = ["digits", "0", 1, 1.0, *[0.0] * 7, 0.0, 0.0, 0.0, None, 0.0, 1.0, "principal"]
        body = {"data": data, "session_hash": "one-caller"}
        event = httpx.post(f"{base}/gradio_api/call/decode", json=body, timeout=30).json()["event_id"]
        assert "event: complete" in httpx.get(f"{base}/gradio_api/call/decode/{event}", timeout=30).text
        assert isinstance(demo.state_holder, LazyStateHolder)
        session = demo.state_holder.session_data["one-caller"]
        assert isinstance(session, LazySessionState)
        assert len(session.config_values) < 40  # the decode's inputs and output, not the whole page
        # Gradio's stored deep links would write the whole page state to disk for anyone: refused
        stored = Path(demo.server_app.uploaded_file_dir) / "deep_links"
        before = sorted(stored.rglob("*")) if stored.exists() else []
        link = httpx.get(f"{base}/gradio_api/deep_link", params={"session_hash": "one-caller"}, timeout=30)
        assert link.status_code == 404
        assert "Copy link" in link.json()["detail"]
        assert (sorted(stored.rglob("*")) if stored.exists() else []) == before
        assert len(session.config_values) < 40
        # and no event paid for a summary of all events for Gradio's (disabled) monitoring dashboard
        assert demo.enable_monitoring is False
        assert demo._queue.cached_event_analytics_summary == {"functions": {}}
        assert demo._queue.events_recorded >= 1
    finally:
        demo.close()
