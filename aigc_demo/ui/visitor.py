"""Who a visitor is, and which models their pages list.

A browser keeps one secret token (made at its first training or added model, kept in its storage), read
by every page: the jobs it starts and the models it saves are its own (``backend.ownership``), and
each page lists the app's models and that browser's, by the names people chose. An API caller is its
session. A model a link names is offered too: whoever has the link may use it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.ownership import shown_name, visible
from aigc_demo.ui.middleware import visitor_address

STORAGE_KEY = "aigc-studio-token"
# In the browser, no request: the token as the page opens, and kept once the server has made one.
# (Plain storage, not Gradio's BrowserState: that brought two more scripts to every page, 0.2 s more
# before the Text and Chat pages were ready.)
# What the browser keeps under each key ("" for none); one value alone, several as a list.
READ_STORED = """(keys) => {
    const read = (key) => { try { return localStorage.getItem(key) || ""; } catch (e) { return ""; } };
    const found = keys.map(read);
    return found.length > 1 ? found : found[0];
}"""
KEEP_TOKEN = (
    f"(token) => {{ try {{ if (token) localStorage.setItem({STORAGE_KEY!r}, token); }} catch (e) {{}} }}"
)
QUIET = {"api_visibility": "private", "show_progress": "hidden"}


@dataclass(frozen=True)
class BrowserToken:
    """A page's view of its browser's token: a hidden box ("" until the browser has one), filled as
    the page opens by ``read`` (events that need it at once follow that event); ``also``, a hidden box
    for each other key of the browser's storage the page asked to read with it."""

    box: gr.Textbox
    read: Any
    also: tuple[gr.Textbox, ...] = ()

    def keep_after(self, event: Any) -> None:
        """After ``event`` (which may have made the token), the browser keeps it."""
        event.then(None, self.box, None, js=KEEP_TOKEN, **QUIET)


def browser_token(demo: gr.Blocks, *also: str) -> BrowserToken:
    """The token, and what the browser keeps under the keys ``also``, read in one step as the page opens."""
    boxes = [gr.Textbox("", visible=False) for _ in (STORAGE_KEY, *also)]
    keys = json.dumps([STORAGE_KEY, *also])
    read = demo.load(None, None, boxes if also else boxes[0], js=f"() => ({READ_STORED})({keys})", **QUIET)
    return BrowserToken(boxes[0], read, tuple(boxes[1:]))


def new_token(token: str | None) -> str:
    """The browser's token, made now if it has none yet."""
    return token if isinstance(token, str) and token else secrets.token_urlsafe(16)


def in_browser(token: str | None) -> str:
    """Whose a page's jobs and models are: the secret token its browser keeps (so a reload keeps them
    its own; a name, which others can guess, never makes anything anyone's). "" before it has one."""
    return f"browser {token}" if isinstance(token, str) and token else ""


def visitor(request: gr.Request | None) -> str:
    """Who an API request comes from: its session, which owns the jobs it starts and the models they
    save (Gradio gives a call that names none a session of its own; the address, read as the fair
    queue reads it behind a public host's proxy, is a last resort). "" for the server's own calls,
    which carry no request."""
    if request is None:
        return ""
    return request.session_hash or f"address {visitor_address(request) or 'unknown'}"


def model_names(hub: ModelHub, token: str | None, *kinds: str, keep: object = None) -> list[str]:
    """The models of ``kinds`` a page lists for the browser with ``token``: everyone's and its own,
    and ``keep`` (the model the page shows, e.g. from a link) while it exists."""
    entries = [entry for kind in kinds for entry in hub.entries(kind)] if kinds else hub.entries()
    names = [entry.name for entry in visible(entries, in_browser(token))]
    if isinstance(keep, str) and keep not in names and any(entry.name == keep for entry in entries):
        names.append(keep)
    return names


def model_choices(names: list[str]) -> list[tuple[str, str]]:
    """A model list's choices: each model by the name people chose, its value the name it has."""
    return [(shown_name(name), name) for name in names]


def offered_models(hub: ModelHub, token: str | None, *kinds: str, keep: object = None) -> gr.Dropdown:
    """A model list's choices as a page refreshes them (on focus: the browser's own models, and one
    trained meanwhile, listed at once)."""
    return gr.Dropdown(choices=model_choices(model_names(hub, token, *kinds, keep=keep)))
