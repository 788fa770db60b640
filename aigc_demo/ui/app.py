"""Assemble the Gradio app: one page per use of generative models, each with the title and the
links to the others; the About page ends with the footer."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import gradio as gr
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from aigc_demo import settings
from aigc_demo.backend.hub import ModelHub, default_hub
from aigc_demo.data.archive import Limits
from aigc_demo.jobs import TrainingJobs
from aigc_demo.ui.gradio_seam import GRADIO_PAGE_CSS, GRADIO_PAGE_HEAD, StudioBlocks
from aigc_demo.ui.handlers import in_visitors_words
from aigc_demo.ui.i18n import I18N, launch_i18n
from aigc_demo.ui.links import page_open
from aigc_demo.ui.middleware import BodyLimit, NoStoredDeepLinks, UploadBudget
from aigc_demo.ui.pages import HOME, PAGES, Site, page_of_kind

# Generated pictures are tiny; show them large without blurring the pixels.
CSS = """
.pixelated img { image-rendering: pixelated; }
#footer { text-align: center; }
/* The links to the pages, drawn as tabs: the page shown underlined, each link a comfortable target. */
#pages .pages {
  display: flex; flex-wrap: wrap; gap: 2px; border-bottom: 1px solid var(--border-color-primary);
}
#pages .pages a {
  display: inline-flex; align-items: center; min-height: 44px; padding: 0 14px;
  color: var(--body-text-color); text-decoration: none; border-bottom: 3px solid transparent;
}
#pages .pages a[aria-current="page"] { border-bottom-color: var(--color-accent); font-weight: 600; }
#pages .pages a:hover, #pages .pages a:focus-visible { background: var(--background-fill-secondary); }
/* The Train tab's loss chart (ui/loss_chart.py): the axes' numbers in the page's colours. */
.loss-chart { margin: 0; }
.loss-chart figcaption { font-weight: 600; }
.loss-chart svg { width: 100%; height: auto; color: var(--body-text-color-subdued); font-size: 12px; }
.loss-chart svg text { fill: currentColor; }
.loss-chart ul {
  display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 4px 0 0;
}
.loss-chart li span {
  display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle;
}
/* The drawing pad keeps its size: its row wraps on a phone rather than squeeze it. */
#edit-sketch { min-width: min(280px, 100%) !important; }
@media (min-width: 769px) {
  /* A laptop: the picture stays in view at the top of its column while the page scrolls to the
     named sliders, the map or the drawing pad. */
  #image-view, #type-view {
    position: sticky; top: 0; z-index: 100; background: var(--body-background-fill); padding-bottom: 4px;
  }
}
@media (max-width: 768px) {
  /* A phone: the picture above the sliders, and kept in view while they scroll under it. */
  #image-row, #type-row { flex-direction: column; }
  #image-side { display: contents; }
  #type-row > .column:last-child { display: contents; }
  #image-view, #type-view {
    order: -1; position: sticky; top: 0; z-index: 100;
    background: var(--body-background-fill); padding-bottom: 4px;
  }
  #image-view img { max-height: 34vh; }
  #image-panels { order: 2; }
}
"""
# The system's own fonts: nothing to download before the first words show (and a Chinese page uses
# the system's Chinese font in any case). Text colours darkened where the Soft theme's fall short of
# WCAG AA's 4.5:1 against their background (labels, hints, white on the primary buttons).
THEME = gr.themes.Soft(
    primary_hue="indigo",
    font=["ui-sans-serif", "system-ui", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "monospace"],
).set(
    block_label_text_color="*primary_700",
    block_title_text_color="*primary_700",
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_300",
    input_placeholder_color="*neutral_500",
    button_primary_background_fill="*primary_600",
    checkbox_label_background_fill_selected="*primary_600",
    button_primary_background_fill_hover="*primary_700",
)


def build_demo(hub: ModelHub | None = None) -> gr.Blocks:
    """The whole app as a ``gr.Blocks``, one page per entry of ``pages.PAGES``, its queue sized by the
    settings (``StudioBlocks.queue``); launch with ``launch_options()``."""
    hub = hub if hub is not None else default_hub()
    limits = Limits(settings.max_train_files(), settings.max_unpacked_bytes(), settings.max_train_chars())
    jobs = TrainingJobs(hub, limits=limits)
    kept = settings.upload_seconds()  # uploads are looked for every quarter of the time they are kept
    uploads = (max(60, kept // 4), kept)
    with StudioBlocks(title="AIGC Studio", analytics_enabled=False, delete_cache=uploads) as demo:
        demo.worded = in_visitors_words  # a value refused before any handler, in the visitor's language
        for page in PAGES:
            with demo.page(page.name.title(), page.path) if page is not HOME else nullcontext():
                # What every page starts with: the title, the links to the pages, its introduction.
                gr.HTML(I18N(f"top_{page.name}"), elem_id="pages", padding=False)
                linked = [each.name for each in PAGES if each.linked and each is not HOME]
                opened = page_open(demo, page is HOME, linked) if page.linked else None
                page.build(Site(demo, hub, jobs, opened, page_of_kind))
    return demo


def launch_options() -> dict[str, Any]:
    """Options for ``demo.launch``; host and port stay unset so that ``GRADIO_SERVER_NAME``,
    ``GRADIO_SERVER_PORT`` and Hugging Face Spaces decide them."""
    return {
        "i18n": launch_i18n(),
        "css": CSS + GRADIO_PAGE_CSS,
        "head": GRADIO_PAGE_HEAD,
        "theme": THEME,
        "footer_links": ["api", "settings"],
        "max_file_size": settings.max_upload_size(),
        # Each session Gradio keeps holds the page's state (hundreds of kB); a caller making a new
        # session per request would otherwise grow the server by gigabytes (Gradio keeps 10,000).
        "state_session_capacity": settings.session_capacity(),
        # A writing's reader waits on a worker thread for its characters (they are written together
        # elsewhere): room for all of them beside Gradio's usual 40 for everything else.
        "max_threads": 40 + settings.streams_limit(),
        # Pages carry their components' configuration (100-170 kB): compressed, a phone gets a
        # fifth of it. Streams (text/event-stream) are never compressed, so events arrive as sent.
        "app_kwargs": {
            "middleware": [
                Middleware(UploadBudget),
                Middleware(BodyLimit),
                Middleware(NoStoredDeepLinks),
                Middleware(GZipMiddleware, minimum_size=1024),
            ]
        },
        # Only messages written for people reach them: the handlers' refusals and StudioBlocks'
        # account of values Gradio cannot read. Anything else (a fault) shows a bare "error".
        "show_error": False,
        # Gradio's traffic dashboard (/monitoring): unused here, and it costs every event a summary.
        "enable_monitoring": False,
    }
