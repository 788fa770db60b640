"""The About tab's "bring your model" panel: a visitor's own ``.safetensors`` checkpoint (one this app
or its CLI saved, e.g. taken home from the Train tab) added to the app, checked before any weight is
read (``TrainingJobs.adopt``), within the visitors' quota, then listed in its tab."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from aigc_demo import settings
from aigc_demo.backend.ownership import shown_name
from aigc_demo.jobs import TrainingJobs
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N, language_of, translate
from aigc_demo.ui.middleware import visitor_address
from aigc_demo.ui.visitor import BrowserToken, in_browser, new_token, visitor


class UploadHandlers:
    def __init__(self, jobs: TrainingJobs, page_of_kind: Callable[[str], str | None]):
        self.jobs, self.page_of_kind = jobs, page_of_kind

    @shows_errors
    def add_model(self, request: gr.Request | None, path: Any, name: Any, owner: str | None = None) -> str:
        """Add a checkpoint file under ``name`` (its file name when left empty) as the caller's own
        model; says where it shows and the name it has. (``owner`` is the page's: whose the model
        is when not the request's session.)"""
        if not isinstance(path, str) or not path:
            raise ValueError("give a .safetensors file")
        chosen = name.strip() if isinstance(name, str) and name.strip() else Path(path).stem
        # One number per uploaded byte: float16 weights take two bytes each, so this leaves room
        # for the buffers a model keeps beside its weights, and no more.
        entry = self.jobs.adopt(
            Path(path),
            chosen,
            settings.max_upload_mb() * 1024 * 1024,
            visitor_address(request),
            visitor(request) if owner is None else owner,
        )
        lang = language_of(request)
        tab = self.page_of_kind(entry.card.kind)
        where = translate(f"tab_{tab}", lang) if tab else translate("upload_no_tab", lang)
        name = entry.name if owner is None else shown_name(entry.name)  # an API caller needs it whole
        return translate("upload_done", lang, name=name, kind=entry.card.kind, where=where)

    def add_from_page(self, request: gr.Request, path: Any, name: Any, token: str | None) -> tuple[str, str]:
        """The panel's Add: the model becomes this browser's (which gets its token the first time)."""
        token = new_token(token)
        return self.add_model(request, path, name, in_browser(token)), token


def build_upload_panel(
    jobs: TrainingJobs, page_of_kind: Callable[[str], str | None], browser: BrowserToken
) -> None:
    handlers = UploadHandlers(jobs, page_of_kind)
    with gr.Accordion(I18N("upload_heading"), open=False, elem_id="upload-panel"):
        gr.Markdown(I18N("upload_intro"))
        with gr.Row():
            upload = gr.File(
                label=I18N("upload_file"), file_types=[".safetensors"], type="filepath", elem_id="upload-file"
            )
            with gr.Column():
                name = gr.Textbox(
                    label=I18N("upload_name"), max_lines=1, max_length=64, elem_id="upload-name"
                )
                go = gr.Button(I18N("upload_go"), variant="primary", elem_id="upload-go")
        said = gr.Markdown(elem_id="upload-said")
    token = browser.box
    added = go.click(handlers.add_from_page, [upload, name, token], [said, token], api_visibility="private")
    browser.keep_after(added)
    gr.on([], handlers.add_model, [upload, name], said, api_name="add_model")
