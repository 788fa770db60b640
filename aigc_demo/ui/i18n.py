"""English and Simplified Chinese: every text of the UI, gathered once from where it is written.

Each page's texts live beside it (``ui/PAGE_texts.py``) as (English, 中文) pairs, the words every page
shares in ``common_texts.py``, and each recipe brings the words of its own Train-page choice.
``table()`` gathers them, with each page's top (title, links, introduction) made from them, into one
table per language the first time a text is needed, and never changes it after. Static texts go
through ``I18N(key)`` and Gradio shows them in the browser's language (``launch_i18n``); texts a
handler makes at request time use ``translate()`` with the language of the request's ``Accept-Language``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping

import gradio as gr

LANGUAGES = ("en", "zh-CN")
Pairs = Mapping[str, tuple[str, str]]  # key -> (English, 中文)

# Only the key travels in a page's config; the words come with the app's translations.
I18N = gr.I18n()
# Texts made while an app is built (``translated``), keyed by their words' hash: append-only.
_MADE: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}


def gathered(*sources: Pairs) -> dict[str, dict[str, str]]:
    """Pairs from several places as one table per language; a key written twice is a mistake."""
    tables: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for pairs in sources:
        for key, words in pairs.items():
            if key in tables["en"]:
                raise ValueError(f"the text {key!r} is written twice")
            for language, said in zip(LANGUAGES, words, strict=True):
                tables[language][key] = said
    return tables


@functools.cache
def table() -> Mapping[str, Mapping[str, str]]:
    """Every text of the app, per language: the pages' own, the shared ones, the recipes', and each
    page's top (``pages.page_tops``)."""
    from aigc_demo.ui.pages import all_texts  # the pages import this module

    return gathered(*all_texts())


def launch_i18n() -> gr.I18n:
    """The translations Gradio sends the browser: the table and the texts made while building."""
    return gr.I18n(**{language: {**table()[language], **_MADE[language]} for language in LANGUAGES})


def translated(texts: dict[str, str]) -> gr.i18n.I18nData:
    """A text made while the app is built, one version per language (e.g. a slider's label that
    names what the first model's direction tracks), as a translated text of the page. Its key
    follows from its words, so apps built in one process never give each other their texts."""
    key = "made_" + hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:16]
    for language, words in texts.items():
        _MADE[language][key] = words
    return I18N(key)


def language_of(request: gr.Request | None) -> str:
    """The first supported language in the request's ``Accept-Language`` header, else English."""
    header = request.headers.get("accept-language", "") if request is not None else ""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


def translate(key: str, language: str, **values: object) -> str:
    """The text for ``key`` in ``language`` with ``values`` filled in."""
    words = table().get(language, table()["en"])[key]
    return words.format(**values) if values else words
