"""What every event handler shares: finding the model it was asked for, and saying what went wrong."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from aigc_demo.backend.hub import LoadedModel, ModelHub, UnknownModelError
from aigc_demo.labels.files import labelled_picture
from aigc_demo.pipelines.receipts import Made
from aigc_demo.text.script import is_chinese
from aigc_demo.ui.gradio_seam import EVENT_REQUEST
from aigc_demo.ui.i18n import language_of
from aigc_demo.ui.refusal_texts import in_language

Handler = TypeVar("Handler", bound=Callable[..., Any])
MAX_MESSAGE = 500  # characters of a refusal shown or logged
log = logging.getLogger(__name__)


class Refusal(gr.Error):
    """A refusal already said in the visitor's words (a handler called by another passes it on)."""


def refusal(handler: Callable[..., Any], err: Exception) -> gr.Error:
    """The error a refused request gets: its message in the visitor's language (cut to
    ``MAX_MESSAGE``) as a toast in the page and for API clients, instead of Gradio's generic "error";
    the server logs one line in English, no traceback."""
    if isinstance(err, Refusal):
        return err
    message = err.message if isinstance(err, gr.Error) else str(err)
    log.info("refused %s: %s", handler.__name__, message[:MAX_MESSAGE])
    message = in_visitors_words(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return Refusal(message, print_exception=False)


def in_visitors_words(message: str) -> str:
    """A refusal in the language of the visitor whose event it answers."""
    return in_language(message, language_of(EVENT_REQUEST.get()))


def shows_errors(handler: Handler) -> Handler:
    """Turn a ``ValueError`` or an unknown model name into a ``refusal``. Works for streaming
    (generator) handlers too, whose errors come while they are iterated."""

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from handler(*args, **kwargs)
            except (ValueError, UnknownModelError, gr.Error) as err:
                raise refusal(handler, err) from None

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except (ValueError, UnknownModelError, gr.Error) as err:
            raise refusal(handler, err) from None

    return wrapper  # type: ignore[return-value]


def labelled(made: Made) -> Any:
    """A made picture as an image component's value whose PNG carries its label and receipt."""
    return labelled_picture(made.content.pixels, made.label)


def load_model(hub: ModelHub, name: str | None, kinds: tuple[str, ...], noun: str) -> LoadedModel:
    """The named model if it is one of ``kinds``; ``noun`` ("image", "speech") names them to people."""
    if not name:
        raise ValueError(f"no {noun} model is installed yet: train one in the Train tab")
    if not isinstance(name, str):
        raise ValueError(f"choose the {noun} model by its name, one of those the model list offers")
    loaded = hub.load(name)
    if loaded.entry.card.kind not in kinds:
        article = "an" if noun[0] in "aeiou" else "a"
        raise ValueError(f"{name!r} is not {article} {noun} model")
    return loaded


def speaks_chinese(hub: ModelHub, name: str | None) -> bool:
    """Whether the named text or dialogue model writes Chinese (its vocabulary is Chinese)."""
    return bool(name) and is_chinese(hub.entry(name).card.config.get("vocabulary", ""))


def model_in_page_language(hub: ModelHub, names: list[str], request: gr.Request | None) -> str | None:
    """The first of ``names`` that speaks the page's language (a Chinese vocabulary for a Chinese
    page), else the first of them; None when there are none."""
    chinese_page = language_of(request) == "zh-CN"
    for name in names:
        if speaks_chinese(hub, name) == chinese_page:
            return name
    return names[0] if names else None
