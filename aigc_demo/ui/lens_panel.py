"""The probability lens's panel, which the Text and Chat pages share: the written text shaded by how
sure the model was, what it said at a clicked character, its candidates there (and, for a dialogue
model, where its pointer looked), and a candidate to go on from."""

from __future__ import annotations

from typing import Any

import gradio as gr

from aigc_demo.text.dialogue import END
from aigc_demo.ui.i18n import I18N, translate


def char_label(char: str, lang: str) -> str:
    """A character as a person can read it in a list: a new line, a space, a reply's end named."""
    named = {"\n": "text_newline", " ": "text_space", END: "chat_end"}
    return translate(named[char], lang) if char in named else char


def _shaded(label: Any, elem_id: str) -> gr.HighlightedText:
    return gr.HighlightedText(
        label=label, show_legend=False, show_inline_category=False, combine_adjacent=False, elem_id=elem_id
    )


def lens_panel(page: str, choice_id: str, candidates: int, attention: bool = False) -> dict[str, Any]:
    """The panel's components by name (``lens``, ``lens_info``, ``candidates``, [``attention``],
    ``choice``, ``branch``), their texts the page's (``PAGE_lens``, ``PAGE_lens_pick``, ...) and their
    ids ``PAGE-...``; ``candidates`` bars at most."""
    ui: dict[str, Any] = {
        "lens": _shaded(I18N(f"{page}_lens"), f"{page}-lens"),
        "lens_info": gr.Markdown(I18N(f"{page}_lens_pick"), elem_id=f"{page}-lens-info"),
        "candidates": gr.Label(
            label=I18N("text_candidates"), num_top_classes=candidates, elem_id=f"{page}-candidates"
        ),
    }
    if attention:
        ui["attention"] = _shaded(I18N(f"{page}_attention"), f"{page}-attention")
    with gr.Row():
        ui["choice"] = gr.Radio([], label=I18N("text_branch_choice"), scale=3, elem_id=choice_id)
        ui["branch"] = gr.Button(I18N(f"{page}_branch"), scale=1, elem_id=f"{page}-branch")
    return ui
