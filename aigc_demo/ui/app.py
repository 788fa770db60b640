"""Assemble the Gradio app: header, one tab per use of generative models, footer."""

from __future__ import annotations

from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from aigc_demo import settings
from aigc_demo.backend.hub import ModelHub, default_hub
from aigc_demo.ui.about import build_about_tab
from aigc_demo.ui.blocks import StudioBlocks, UploadBudget
from aigc_demo.ui.chat_tab import build_chat_tab
from aigc_demo.ui.i18n import I18N
from aigc_demo.ui.image_tab import build_image_tab
from aigc_demo.ui.links import page_open, tab_of_link
from aigc_demo.ui.speech_tab import build_speech_tab
from aigc_demo.ui.text_tab import build_text_tab
from aigc_demo.ui.train_tab import build_train_tab

# Generated pictures are tiny; show them large without blurring the pixels.
CSS = """
.pixelated img { image-rendering: pixelated; }
#footer { text-align: center; opacity: 0.75; }
@media (max-width: 768px) {
  /* A phone: the picture above the sliders, and kept in view while they scroll under it. */
  #image-row { flex-direction: column; }
  #image-side { display: contents; }
  #image-view {
    order: -1; position: sticky; top: 0; z-index: 100;
    background: var(--body-background-fill); padding-bottom: 4px;
  }
  #image-view img { max-height: 34vh; }
  #image-panels { order: 2; }
}
"""
# Gradio scopes the CSS above to its container, whose own "overflow: hidden" would make it the sticky
# picture's scroller, so that the picture never sticks: on a phone it clips instead (no scroller).
HEAD = "<style>@media (max-width: 768px) { .gradio-container { overflow: clip !important; } }</style>"


def build_demo(hub: ModelHub | None = None) -> gr.Blocks:
    """The whole app as a ``gr.Blocks``, with its queue configured; launch with ``launch_options()``."""
    hub = hub if hub is not None else default_hub()
    kept = settings.upload_seconds()  # uploads are looked for every quarter of the time they are kept
    uploads = (max(60, kept // 4), kept)
    with StudioBlocks(title="AIGC Studio", analytics_enabled=False, delete_cache=uploads) as demo:
        gr.Markdown(I18N("app_title"), elem_id="title")
        gr.Markdown(I18N("app_tagline"))
        footer = gr.Markdown(elem_id="footer", render=False)
        page = page_open(demo)
        with gr.Tabs() as tabs:
            with gr.Tab(I18N("tab_image"), id="image"):
                gr.Markdown(I18N("image_intro"))
                build_image_tab(hub, page)
            with gr.Tab(I18N("tab_text"), id="text"):
                gr.Markdown(I18N("text_intro"))
                build_text_tab(hub, page)
            with gr.Tab(I18N("tab_speech"), id="speech"):
                gr.Markdown(I18N("speech_intro"))
                build_speech_tab(hub, page)
            with gr.Tab(I18N("tab_chat"), id="chat"):
                gr.Markdown(I18N("chat_intro"))
                build_chat_tab(demo, hub)
            with gr.Tab(I18N("tab_train"), id="train"):
                gr.Markdown(I18N("train_intro"))
                jobs = build_train_tab(demo, hub)
            with gr.Tab(I18N("tab_about"), id="about"):
                build_about_tab(demo, jobs, footer)
        footer.render()
        page.event.then(tab_of_link, page.query, tabs, api_visibility="private", show_progress="hidden")
    demo.queue(
        max_size=settings.queue_size(),
        default_concurrency_limit=settings.concurrency_limit(),
    )
    return demo


def launch_options() -> dict[str, Any]:
    """Options for ``demo.launch``; host and port stay unset so that ``GRADIO_SERVER_NAME``,
    ``GRADIO_SERVER_PORT`` and Hugging Face Spaces decide them."""
    return {
        "i18n": I18N,
        "css": CSS,
        "head": HEAD,
        "theme": gr.themes.Soft(primary_hue="indigo"),
        "footer_links": ["api", "settings"],
        "max_file_size": settings.max_upload_size(),
        # Each session Gradio keeps holds the page's state (hundreds of kB); a caller making a new
        # session per request would otherwise grow the server by gigabytes (Gradio keeps 10,000).
        "state_session_capacity": settings.session_capacity(),
        "app_kwargs": {"middleware": [Middleware(UploadBudget)]},
        # Only messages written for people reach them: the handlers' refusals and StudioBlocks'
        # account of values Gradio cannot read. Anything else (a fault) shows a bare "error".
        "show_error": False,
        # Gradio's traffic dashboard (/monitoring): unused here, and it costs every event a summary.
        "enable_monitoring": False,
    }
