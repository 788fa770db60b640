"""The app's pages, as data: one line each. Each page is at its own address (``/`` the first, then
``/text``, ...), and a browser is sent and builds only the page it opens, so a phone pays for one
page's components at a time; the navigation between them is plain links.

A page is its name (its address, and the prefix of its texts: ``tab_NAME`` is its title,
``NAME_intro`` its introduction), the function that lays it out, its texts, the model kinds it shows
and whether a link carries its state. The app, the links between pages, where an added model shows
and the Train page's "ready in the ... tab" all read this list; a new page is one module, its texts
and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.jobs import TrainingJobs
from aigc_demo.recipes import RECIPES
from aigc_demo.ui import (
    about,
    about_texts,
    chat_tab,
    chat_texts,
    common_texts,
    image_state,
    image_tab,
    image_texts,
    speech_tab,
    speech_texts,
    text_tab,
    text_texts,
    train_tab,
    train_texts,
    type_tab,
    type_texts,
    video_tab,
    video_texts,
)
from aigc_demo.ui.i18n import LANGUAGES, Pairs
from aigc_demo.ui.links import PageOpen
from aigc_demo.ui.prose import markdown_html, prose


@dataclass(frozen=True)
class Site:
    """What a page's builder is given: the app being built, the models, the training slot, the
    page's query as it opens (for a page whose links carry its state) and the page of each kind."""

    demo: gr.Blocks
    hub: ModelHub
    jobs: TrainingJobs
    opened: PageOpen | None
    page_of_kind: Callable[[str], str | None]


@dataclass(frozen=True)
class Page:
    name: str
    build: Callable[[Site], Any]
    texts: Pairs
    kinds: tuple[str, ...] = ()  # the model kinds it shows: an added model of one is found there
    linked: bool = False  # a link (``?tab=NAME&...``) carries its state

    @property
    def path(self) -> str:
        """Its address relative to the app's root: "" for the first page, else its name."""
        return "" if self is PAGES[0] else self.name


PAGES = (
    Page("image", image_tab.build_page, image_texts.TEXTS, image_state.KINDS, linked=True),
    Page("text", text_tab.build_page, text_texts.TEXTS, (text_tab.KIND,), linked=True),
    Page("speech", speech_tab.build_page, speech_texts.TEXTS, (speech_tab.KIND,), linked=True),
    Page("type", type_tab.build_page, type_texts.TEXTS, (type_tab.KIND,), linked=True),
    Page("video", video_tab.build_page, video_texts.TEXTS, (video_tab.KIND,), linked=True),
    Page("chat", chat_tab.build_page, chat_texts.TEXTS, (chat_tab.KIND,)),
    Page("train", train_tab.build_page, train_texts.TEXTS),
    Page("about", about.build_page, about_texts.TEXTS),
)
HOME = PAGES[0]


def page_of_kind(kind: str) -> str | None:
    """The name of the page that shows models of ``kind`` (None for a kind no page shows)."""
    return next((page.name for page in PAGES if kind in page.kinds), None)


def path_of(name: str) -> str:
    return next(page.path for page in PAGES if page.name == name)


def nav_html(current: str, names: dict[str, str], label: str) -> str:
    """The links to every page, ``current`` marked as the page shown. Addresses are relative, so the
    links stay right behind a proxy that serves the app under a path of its own."""
    links = []
    for page in PAGES:
        marked = ' aria-current="page"' if page.name == current else ""
        links.append(f'<a href="{page.path or "./"}"{marked}>{escape(names[page.name])}</a>')
    return f'<nav class="pages" aria-label="{escape(label)}">{"".join(links)}</nav>'


def page_tops() -> dict[str, tuple[str, ...]]:
    """What each page starts with (``top_NAME``), in each language, as one block of HTML: the title,
    the links to the pages, the first page's tagline and the page's introduction."""
    texts = dict(common_texts.TEXTS)
    for page in PAGES:
        texts |= page.texts
    tops = {}
    for page in PAGES:
        made = []
        for index in range(len(LANGUAGES)):
            names = {each.name: texts[f"tab_{each.name}"][index] for each in PAGES}
            parts = [markdown_html(texts["app_title"][index])]
            parts.append(nav_html(page.name, names, texts["nav_label"][index]))
            if page is HOME:
                parts.append(markdown_html(texts["app_tagline"][index]))
            parts.append(markdown_html(texts[f"{page.name}_intro"][index]))
            made.append(prose("".join(parts)))
        tops[f"top_{page.name}"] = tuple(made)
    return tops


def all_texts() -> Iterator[Pairs]:
    """Every text of the app as pairs: the shared ones, each page's, each recipe's Train-page choice
    (``train_KEY_RECIPE``) and each page's top."""
    yield common_texts.TEXTS
    for page in PAGES:
        yield page.texts
    for recipe in RECIPES:
        yield {f"train_{key}_{recipe.name}": words for key, words in recipe.texts.items()}
    yield page_tops()
