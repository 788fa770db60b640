"""The About tab's "check a file" panel: a visitor's PNG, GIF or WAV, its label and receipt, the
verdict, and the content made again beside it (``pipelines.check`` does the work)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines.check import APP_MAX_PICTURES, check_file
from aigc_demo.pipelines.receipts import Animation, Picture, save
from aigc_demo.ui.files import output_path
from aigc_demo.ui.handlers import labelled, shows_errors
from aigc_demo.ui.i18n import I18N, language_of, translate
from aigc_demo.ui.prose import as_text


class CheckHandlers:
    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def check(self, path: Any, request: gr.Request | None = None):
        """The verdict in words, the label and receipt, and the content made again (picture or sound)."""
        if not isinstance(path, str) or not path:
            raise ValueError("give a PNG, GIF or WAV file to check")
        verdict = check_file(self.hub, path, APP_MAX_PICTURES)
        headline = translate(f"check_verdict_{verdict.code}", language_of(request))
        fields = None
        if verdict.label is not None:
            fields = {"AIGC": verdict.label.aigc, "receipt": verdict.label.receipt}
        picture, sound, remade = None, None, verdict.remade
        if remade is None:
            pass
        elif isinstance(remade.content, Picture):
            picture = labelled(remade)
        elif isinstance(remade.content, Animation):
            picture = str(save(remade, output_path("remade.gif")))
        else:
            sound = str(save(remade, output_path("remade.wav")))
        return (
            f"**{headline}** {as_text(verdict.message)}",  # its receipt's words shown as written
            fields,
            gr.Image(value=picture, visible=picture is not None),
            gr.Audio(value=sound, visible=sound is not None),
        )


def build_check_panel(hub: ModelHub) -> None:
    handlers = CheckHandlers(hub)
    with gr.Accordion(I18N("check_heading"), open=True, elem_id="check-panel"):
        gr.Markdown(I18N("check_intro"))
        with gr.Row():
            with gr.Column():
                upload = gr.File(
                    label=I18N("check_file"),
                    file_types=[".png", ".gif", ".wav"],
                    type="filepath",
                    elem_id="check-file",
                )
                go = gr.Button(I18N("check_go"), variant="primary", elem_id="check-go")
                verdict = gr.Markdown(elem_id="check-verdict")
                fields = gr.JSON(label=I18N("check_label"), elem_id="check-fields")
            with gr.Column():
                remade = {"label": I18N("check_remade"), "interactive": False, "visible": False}
                picture = gr.Image(format="png", elem_id="check-picture", **remade)
                sound = gr.Audio(elem_id="check-sound", **remade)
    gr.on(
        [go.click, upload.upload],
        handlers.check,
        [upload],
        [verdict, fields, picture, sound],
        api_name="check_file",
    )
