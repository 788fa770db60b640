"""Who a visitor is, and which models their pages list.

A browser keeps one secret token (made at its first training or added model, kept in its storage), the
same on every page: the jobs it starts and the models it saves are its own (``backend.ownership``), and
each page lists the app's models and that browser's, by the names people chose. An API caller is its
session. A model a link names is offered too: whoever has the link may use it.
"""

from __future__ import annotations

import secrets

import gradio as gr

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.ownership import shown_name, visible
from aigc_demo.ui.middleware import visitor_address

STORAGE_KEY = "aigc-studio-visitor"
# Gradio scrambles a stored value with a key it writes into the page; every page must use the same
# key to read the one token (it hides nothing: the token's secrecy is the browser's storage).
STORAGE_SCRAMBLE = "aigc-studio-pages"


def browser_token() -> gr.BrowserState:
    """The page's view of its browser's token ("" until the browser has one)."""
    return gr.BrowserState("", storage_key=STORAGE_KEY, secret=STORAGE_SCRAMBLE)


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
    if isinstance(keep, str) and keep not in names and keep in hub.names(*kinds):
        names.append(keep)
    return names


def model_choices(names: list[str]) -> list[tuple[str, str]]:
    """A model list's choices: each model by the name people chose, its value the name it has."""
    return [(shown_name(name), name) for name in names]
