"""The contract with Gradio: everything of Gradio's the app uses that is not its public API
(``aigc_demo/ui/gradio_seam.py``) is still there, called as the app calls it, saying what the app
reads. A Gradio upgrade that changes any of it fails here, with a list, not in a visitor's request."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
from gradio.state_holder import SessionState

from aigc_demo.ui import gradio_seam
from aigc_demo.ui.gradio_seam import OUT_OF_RANGE, WHERE, Internal, StudioBlocks
from aigc_demo.ui.gradio_sessions import LazySessionState


def test_every_internal_the_app_uses_is_there_as_it_is_used():
    assert gr.__version__ == gradio_seam.TESTED_GRADIO  # requirements.txt pins it
    assert gradio_seam.broken_internals() == []


def test_a_changed_internal_is_named_and_stops_the_app_before_it_serves(monkeypatch):
    """Seeded violations: a name gone and a signature changed are each named, and on another Gradio
    version the app refuses to start with the list."""

    class Changed:
        def push(self, body): ...

    changed = Changed
    assert Internal(changed, "gone").broken().endswith("Changed.gone is gone")
    assert "now takes ('self', 'body')" in Internal(changed, "push", ("self", "body", "request")).broken()
    monkeypatch.setattr(gradio_seam, "_internals", lambda: (Internal(changed, "gone"),))
    monkeypatch.setattr(gr, "__version__", "99.0.0")
    with pytest.raises(ImportError, match=r"not 99\.0\.0; what changed: .*gone is gone"):
        gradio_seam.check_gradio()


def test_gradio_s_refusals_still_say_what_unreadable_value_reads():
    with pytest.raises(gr.Error) as too_far:
        gr.Slider(0, 1).preprocess(5)
    assert OUT_OF_RANGE.fullmatch(too_far.value.message)
    with pytest.raises(gr.Error) as not_offered:
        gr.Dropdown(["a", "b"]).preprocess("c")
    assert "list of choices" in not_offered.value.message
    with gr.Blocks() as demo:
        slider = gr.Slider(0, 1)
        slider.change(lambda x: x, slider, gr.Number())
    said = demo._format_processing_error(demo.fns[0], 0, slider, "x", True, TypeError("no"))
    assert WHERE.search(said).groups() == ("0", "slider")
    assert "Expected a `float`" in said
    assert gradio_seam.unreadable_value(said) == "value 1 (a slider) must be a number"


def test_the_blocks_queue_and_events_have_what_the_app_reads():
    with StudioBlocks() as demo:
        slider = gr.Slider(0, 1)
        slider.change(lambda x: x, slider, gr.Number())
    event = demo.fns[0]
    for name in ("collects_event_data", "component_prop_inputs", "preprocess", "inputs", "name"):
        assert hasattr(event, name), name
    for name in ("default_config", "pages", "current_page", "enable_monitoring", "blocks"):
        assert hasattr(demo, name), name
    demo.queue()
    assert isinstance(demo._queue, gradio_seam.FairQueue)
    for name in ("event_queue_per_concurrency_id", "cached_event_analytics_summary", "blocks"):
        assert hasattr(demo._queue, name), name


def test_a_lazy_session_keeps_every_attribute_gradio_s_session_has():
    with gr.Blocks() as demo:
        gr.Slider(0, 1)
    assert set(vars(SessionState(demo))) <= set(vars(LazySessionState(demo)))


def test_the_page_s_class_names_the_app_styles_are_in_gradio_s_page():
    shipped = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    code = "".join(path.read_text(errors="ignore") for path in shipped.glob("*.[cj]s*"))
    missing = [name for name in gradio_seam.DOM_NAMES if name not in code]
    assert missing == []
    assert "no-such-gradio-class-name" not in code  # the check can fail
