"""What every event handler shares: finding the model it was asked for, and saying what went wrong."""

from __future__ import annotations

import functools
import inspect
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from aigc_demo.backend.hub import LoadedModel, ModelHub, UnknownModelError

Handler = TypeVar("Handler", bound=Callable[..., Any])
MAX_MESSAGE = 500  # characters of a refusal shown or logged
log = logging.getLogger(__name__)


def refusal(handler: Callable[..., Any], err: Exception) -> gr.Error:
    """The error a refused request gets: its message (cut to ``MAX_MESSAGE``) as a toast in the page
    and for API clients, instead of Gradio's generic "error"; the server logs one line, no traceback."""
    message = err.message if isinstance(err, gr.Error) else str(err)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    log.info("refused %s: %s", handler.__name__, message)
    return gr.Error(message, print_exception=False)


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


# What Gradio says it expected, in words: its messages name Python types.
EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "str": "text",
    "list": "a list",
    "dict": "an object",
}
OUT_OF_RANGE = re.compile(
    r"Value -?[\d.e+]{1,40} is (greater|less) than (maximum|minimum) value -?[\d.e+]{1,40}\."
)
WHERE = re.compile(r"component at index (\d+) \(a `(\w+)` component\)")


class PlainErrorsBlocks(gr.Blocks):
    """``gr.Blocks`` whose refusals of values it cannot read (before any handler runs: text for a
    slider, a choice not offered, a file path that was never uploaded) say what was wrong in words,
    naming the value by its place, instead of Python's types, the original exception and paths;
    and whose selection events (a click on the map, a word, a reply) are refused by name when a
    caller sends no selection, where Gradio itself would fail building it."""

    async def call_function(
        self,
        block_fn,
        processed_input,
        iterator=None,
        requests=None,
        event_id=None,
        event_data=None,
        *args,
        **kwargs,
    ):
        fn = self.fns[block_fn] if isinstance(block_fn, int) else block_fn
        selection = getattr(event_data, "_data", None)
        if fn.collects_event_data and not (
            isinstance(selection, dict) and {"index", "value"} <= selection.keys()
        ):
            log.info("refused %s: no selection was sent", fn.name)
            raise gr.Error(
                "this event answers a selection in the page (a click on an item); send what was selected",
                print_exception=False,
            )
        return await super().call_function(
            block_fn, processed_input, iterator, requests, event_id, event_data, *args, **kwargs
        )

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except Exception as err:
            message = unreadable_value(str(getattr(err, "message", err)))
            log.info("refused %s before its handler: %s", block_fn.name, message)
            raise gr.Error(message, print_exception=False) from None


def unreadable_value(gradio_message: str) -> str:
    """A person's account of Gradio's refusal of a value (its message is read, never shown)."""
    place = WHERE.search(gradio_message)
    value = f"value {int(place[1]) + 1} (a {place[2]})" if place else "a value sent"
    if OUT_OF_RANGE.fullmatch(gradio_message):
        return gradio_message  # a slider's own range, said plainly
    if "list of choices" in gradio_message:
        return f"{value} is not one of the choices offered; the API page lists them"
    if "not uploaded by a user" in gradio_message or "blocked_paths" in gradio_message:
        return f"{value} names a file that was not uploaded here: upload it first and send the path you get"
    expected = re.search(r"Expected a `(\w+)`", gradio_message)
    if expected and expected[1] in EXPECTED:
        return f"{value} must be {EXPECTED[expected[1]]}"
    return f"{value} could not be read as its control expects; the API page describes each value"
