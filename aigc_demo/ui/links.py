"""Links that reproduce a tab's state: its values in the page URL's query, e.g.
``?tab=image&model=mnist-vae&seed=5&s=0.5,0,-1``.

A page reads its own query once, on load (``READ_QUERY``, in the browser), into a hidden box
that its tab chains its opening on (``PageOpen``); the home page first sends a link to another
page's tab on to that page (``?tab=text&...`` opens ``text?tab=text&...``, ``FOLLOW_LINK``).
A tab's handler turns the query back into its controls' values with ``LinkReader``, which keeps
the current value of anything missing or out of range — a link is typed by anyone. "Copy link"
asks the tab for its query and the browser adds its own address (``COPY_LINK``), so the link is
right behind any proxy.

The address is the link: as a page's state settles (a picture made, a text written, a number said)
its query replaces the address's and is kept in the browser's storage (``KEEP_IN_ADDRESS``), so a
reload, Back, or coming back to the page later opens it as it was, through the same reading of a
link; a page opened with no query of its own reads the one kept for it (``STORED``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import gradio as gr

from aigc_demo.ui.i18n import I18N

STORAGE_PREFIX = "aigc-studio-page:"  # + the page's path: the query a page was last left at
# The query kept for this page, put back into the address ("" when none): a page opened bare.
STORED = """(() => {
    if (window.location.search) return window.location.search;
    let kept = "";
    try { kept = localStorage.getItem("$PREFIX" + window.location.pathname) || ""; } catch (e) {}
    if (kept.startsWith("?")) history.replaceState(history.state, "", window.location.pathname + kept);
    return kept.startsWith("?") ? kept : "";
})()""".replace("$PREFIX", STORAGE_PREFIX)
READ_QUERY = "() => " + STORED
# On the home page: a link to another page's tab goes on to that page (the home page's own tab stays).
FOLLOW_LINK = (
    """() => {
    const tab = new URLSearchParams(window.location.search).get("tab");
    if (%s.includes(tab)) {
        const home = window.location.href.replace(/[?#].*$/, "").replace(/\\/?$/, "/");
        window.location.replace(new URL(tab + window.location.search, home).href);
    }
    return """
    + STORED.replace("%", "%%")
    + """;
}"""
)
KEEP_IN_ADDRESS = """(query) => {
    if (typeof query === "string" && query.startsWith("?")) {
        history.replaceState(history.state, "", window.location.pathname + query);
        try { localStorage.setItem("$PREFIX" + window.location.pathname, query); } catch (e) {}
    }
    return query;
}""".replace("$PREFIX", STORAGE_PREFIX)
COPY_LINK = """(query) => {
    const link = window.location.origin + window.location.pathname + query;
    if (navigator.clipboard) navigator.clipboard.writeText(link).catch(() => {});
    return link;
}"""
MAX_QUERY = 4000  # characters read from a link; the longest this app writes is under 1,000
MAX_LIST = 512


@dataclass(frozen=True)
class PageOpen:
    """The page's query (a hidden box filled in the browser on load) and that load event."""

    query: gr.Textbox
    event: Any


@dataclass(frozen=True)
class CopyLink:
    """A tab's "Copy link" button and the box that shows the link."""

    button: gr.Button
    box: gr.Textbox

    def wire(self, query_of: Any, inputs: list) -> None:
        """On a click, ``query_of(*inputs)`` makes the query and the box shows; the browser adds its
        address and copies."""
        quiet = {"api_visibility": "private", "show_progress": "hidden"}

        def shown_query(*values: Any) -> gr.Textbox:
            return gr.Textbox(value=query_of(*values), visible=True)

        self.button.click(shown_query, inputs, self.box, **quiet).then(
            None, self.box, self.box, js=COPY_LINK, **quiet
        )

    def keep(self, settled: list, query_of: Any, inputs: Any) -> None:
        """After each of the ``settled`` events, the page's query (``query_of(inputs)``) becomes the
        address's and is kept in the browser's storage."""
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        kept = gr.Textbox(visible=False)
        for event in settled:
            event.then(query_of, inputs, kept, **quiet).then(None, kept, None, js=KEEP_IN_ADDRESS, **quiet)


def copy_link_row(tab: str) -> CopyLink:
    with gr.Row():
        button = gr.Button(
            I18N("link_copy"), size="sm", variant="secondary", scale=0, elem_id=f"{tab}-copy-link"
        )
        box = gr.Textbox(  # shown once there is a link in it
            label=I18N("link_label"),
            interactive=False,
            buttons=["copy"],
            elem_id=f"{tab}-link",
            visible=False,
        )
    return CopyLink(button, box)


def page_open(demo: gr.Blocks, home: bool, others: list[str]) -> PageOpen:
    """The page's query, read as it loads; the home page sends links to the ``others`` pages on."""
    query = gr.Textbox(visible=False, elem_id="page-query")
    if home:
        return PageOpen(query, demo.load(None, None, query, js=FOLLOW_LINK % json.dumps(others)))
    return PageOpen(query, demo.load(None, None, query, js=READ_QUERY))


def number(value: Any) -> str:
    """A number as it round-trips exactly: 0.35 → "0.35", 2.0 → "2"."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def numbers(values: Iterable[Any]) -> str:
    """Comma-separated, trailing zeros left out (a link with untouched sliders stays short)."""
    listed = [number(v) for v in values]
    while listed and listed[-1] == "0":
        listed.pop()
    return ",".join(listed)


def query(tab: str, values: dict[str, Any]) -> str:
    """``?tab=...&key=value...``, leaving out values that are None or empty."""
    kept = {key: value for key, value in values.items() if value not in (None, "")}
    return "?" + urlencode({"tab": tab, **kept})


class LinkReader:
    """A link's values for one tab; every getter returns ``current`` for what is missing or unfit."""

    def __init__(self, search: Any, tab: str):
        fields = parse_qs(search.lstrip("?")[:MAX_QUERY]) if isinstance(search, str) else {}
        self.values = {key: found[-1] for key, found in fields.items()}
        self.opened = self.values.get("tab") == tab

    def text(self, key: str, current: Any, allowed: Sequence[str] | None = None) -> Any:
        value = self.values.get(key)
        if value is None or (allowed is not None and value not in allowed):
            return current
        return value

    def number(self, key: str, current: Any, low: float, high: float) -> Any:
        value = _finite(self.values.get(key))
        return current if value is None or not low <= value <= high else value

    def whole(self, key: str, current: Any, low: int, high: int) -> Any:
        """A whole number (a seed, a count): the link's when it is one and in range, else ``current``."""
        value = self.number(key, None, low, high)
        return current if value is None or not float(value).is_integer() else int(value)

    def numbers(self, key: str, current: Sequence[Any], low: float, high: float) -> list[Any]:
        """A list as long as ``current``: given values in range, zeros after them (the writer left
        trailing zeros out); all of ``current`` when the key is missing or any value is unfit."""
        raw = self.values.get(key)
        if raw is None:
            return list(current)
        parsed = [_finite(v) for v in raw.split(",")] if raw else []
        if len(parsed) > len(current) or any(v is None or not low <= v <= high for v in parsed):
            return list(current)
        return parsed + [0.0] * (len(current) - len(parsed))

    def code(self, key: str) -> list[float] | None:
        """A latent code (finite numbers), or None."""
        raw = self.values.get(key, "")
        parsed = [_finite(v) for v in raw.split(",")[: MAX_LIST + 1]] if raw else []
        if not parsed or len(parsed) > MAX_LIST or any(v is None for v in parsed):
            return None
        return parsed


def _finite(text: str | None) -> float | None:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
