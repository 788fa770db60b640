"""The About tab's "bring your model" panel: a visitor's own ``.safetensors`` checkpoint (one this app
or its CLI saved, e.g. taken home from the Train tab) added to the app, checked before any weight is
read (``TrainingJobs.adopt``), within the visitors' quota, then listed in its tab."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from aigc_demo import settings
from aigc_demo.jobs import TrainingJobs
from aigc_demo.ui.handlers import shows_errors
from aigc_demo.ui.i18n import I18N, language_of, translate
from aigc_demo.ui.middleware import visitor_address


class UploadHandlers:
    def __init__(self, jobs: TrainingJobs, page_of_kind: Callable[[str], str | None]):
        self.jobs, self.page_of_kind = jobs, page_of_kind

    @shows_errors
    def add_model(self, request: gr.Request | None, path: Any, name: Any) -> str:
        """Add a checkpoint file under ``name`` (its file name when left empty); says where it shows."""
        if not isinstance(path, str) or not path:
            raise ValueError("give a .safetensors file")
        chosen = name.strip() if isinstance(name, str) and name.strip() else Path(path).stem
        # One number per uploaded byte: float16 weights take two bytes each, so this leaves room
        # for the buffers a model keeps beside its weights, and no more.
        entry = self.jobs.adopt(
            Path(path), chosen, settings.max_upload_mb() * 1024 * 1024, visitor_address(request)
        )
        lang = language_of(request)
        tab = self.page_of_kind(entry.card.kind)
        where = translate(f"tab_{tab}", lang) if tab else translate("upload_no_tab", lang)
        return translate("upload_done", lang, name=entry.name, kind=entry.card.kind, where=where)


def build_upload_panel(jobs: TrainingJobs, page_of_kind: Callable[[str], str | None]) -> None:
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
    go.click(handlers.add_model, [upload, name], said, api_name="add_model")
