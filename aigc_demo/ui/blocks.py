"""The app's ``gr.Blocks``: Gradio, with what a public server needs of it and Gradio leaves open.

Adaptations, each in one place: values Gradio cannot read are refused in words a person can act on
(never Python's types, exceptions or paths), trailing values left out take their defaults, as
gradio_client sends them, and plain controls' values (sliders, choices) are checked on the event
loop instead of a worker thread each; a selection event sent without a selection is refused by
name; the queue gives each visitor (each address) a share, so that one client cannot fill it for
everyone, and skips the monitoring summary of all past events after each one; a new session builds
its components' configs only as they are needed (``sessions.py``); and pages are added inside the
one ``with`` block, so that the app's config and server are built once. Beside them,
``UploadBudget`` holds each address to a number of upload megabytes an hour, judged by the
request's declared length before its body is read, and ``NoStoredDeepLinks`` refuses Gradio's
route that writes a session's page state to disk for anyone who asks.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from typing import Any

import fastapi
import gradio as gr
from gradio import queueing
from gradio.exceptions import ComponentProcessingError
from gradio.state_holder import StateHolder
from starlette.requests import Request
from starlette.responses import JSONResponse

from aigc_demo import settings
from aigc_demo.ui.sessions import LazyStateHolder

log = logging.getLogger(__name__)


# Controls whose values are preprocessed on the event loop (``StudioBlocks._preprocessed``).
INLINE = (gr.Slider, gr.Number, gr.Dropdown, gr.Radio, gr.Checkbox, gr.Textbox, gr.State)
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


class StudioBlocks(gr.Blocks):
    """``gr.Blocks`` whose refusals of values it cannot read (before any handler runs: text for a
    slider, a choice not offered, a file path that was never uploaded) say what was wrong in words,
    naming the value by its place, instead of Python's types, the original exception and paths,
    and whose plain controls' values are checked without a thread hop each; whose selection
    events (a click on the map, a word, a reply) are refused by name when a
    caller sends no selection, where Gradio itself would fail building it; whose queue gives
    each visitor a share (``FairQueue``); whose sessions build each component's config only
    when it is needed (``sessions.LazySessionState``); and whose pages are opened with ``page``."""

    @contextmanager
    def page(self, name: str, path: str) -> Iterator[None]:
        """What ``demo.route(name, path)`` does, inside the open ``with`` block: the blocks and events
        made within belong to the page at ``path``. Gradio's ``route`` must be entered after the
        block is closed, and each of its blocks rebuilds, as it closes, the config and the server
        app of everything made so far (a second or more of start-up for six pages); here they are
        built once, when the ``with`` block closes."""
        if any(known == path for known, _, _ in self.pages):
            raise ValueError(f"a page at {path!r} already exists")
        self.pages.append((path, name, True))
        self.current_page = path
        try:
            yield
        finally:
            self.current_page = ""

    @property
    def state_holder(self) -> StateHolder:
        return self._state_holder

    @state_holder.setter
    def state_holder(self, holder: StateHolder) -> None:
        # Gradio's server hands the blocks its holder of sessions here (``StateHolder.set_blocks``);
        # the subclass changes only how a new session is made.
        holder.__class__ = LazyStateHolder
        self._state_holder = holder

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

    def _preprocessed(self, block_fn: Any, index: int, value: Any, state: Any) -> Any:
        """One plain value preprocessed on the event loop, as Gradio would in a worker thread of its
        own (made for pictures and files): for a slider the hop costs more than the check itself, and
        the Image tab's slider event has 18 inputs (~6 ms a call)."""
        block = block_fn.inputs[index]
        if block.stateful:
            return value  # a session's state, as Gradio keeps it
        if state is not None and block._id in state:
            block = state[block._id]  # this session's version (a model list updated for it)
        try:
            return block.preprocess(value)
        except gr.Error:
            raise
        except Exception as err:
            where = self._format_processing_error(block_fn, index, block, value, True, err)
            raise ComponentProcessingError(where) from err

    def queue(self, *args: Any, **kwargs: Any) -> StudioBlocks:
        """Gradio's queue, sized by the settings (``AIGC_QUEUE_SIZE``, ``AIGC_CONCURRENCY``) unless
        told otherwise. Gradio makes it as the blocks are created, before any component: asking for
        it again once the app is built would rebuild the whole server app for nothing."""
        kwargs.setdefault("max_size", settings.queue_size())
        kwargs.setdefault("default_concurrency_limit", settings.concurrency_limit())
        super().queue(*args, **kwargs)
        # Gradio builds its queue here; the subclass adds one check to ``push`` and keeps no state.
        self._queue.__class__ = FairQueue
        return self

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        inputs = with_defaults(block_fn.inputs, inputs)
        try:
            if not (block_fn.preprocess and preprocessed_inline(block_fn)):
                return await super().preprocess_data(block_fn, inputs, state, explicit_call)
            # Gradio reads, checks and stores each value as usual, less the preprocessing.
            unprocessed = copy(block_fn)
            unprocessed.preprocess = False
            values = await super().preprocess_data(unprocessed, inputs, state, explicit_call)
            return [self._preprocessed(block_fn, index, value, state) for index, value in enumerate(values)]
        except Exception as err:
            message = unreadable_value(str(getattr(err, "message", err)))
            log.info("refused %s before its handler: %s", block_fn.name, message)
            raise gr.Error(message, print_exception=False) from None


def preprocessed_inline(block_fn: Any) -> bool:
    """Whether every input of an event is a control whose ``preprocess`` only checks and converts a
    plain value (a number against its range, a choice against those offered)."""
    return not block_fn.component_prop_inputs and all(isinstance(b, INLINE) for b in block_fn.inputs)


def with_defaults(blocks: list, inputs: Any) -> Any:
    """``inputs`` with trailing values left out taken as their defaults (a parameter's default, a
    control's starting value), as gradio_client sends them: an endpoint that gains a last argument
    keeps answering callers who send the earlier ones. Only plain values are filled in; a missing
    file or picture is still refused by Gradio."""
    if not isinstance(inputs, list) or len(inputs) >= len(blocks):
        return inputs
    missing = [getattr(block, "value", None) for block in blocks[len(inputs) :]]
    if not all(isinstance(value, str | int | float | bool) for value in missing):
        return inputs
    return [*inputs, *missing]


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


class FairQueue(queueing.Queue):
    """Gradio's queue, but one address may have at most ``settings.queue_share()`` requests waiting:
    a client sending a flood is told to wait for its own, and everyone else still gets in. And the
    summary of every event for Gradio's monitoring dashboard (a pandas group-by over up to 10,000
    past events, 4-14 ms of CPU after *each* event) is made only when that dashboard is on."""

    def compute_analytics_summary(self, records: list) -> dict:
        if not self.blocks.enable_monitoring:
            return self.cached_event_analytics_summary
        return super().compute_analytics_summary(records)

    async def push(self, body: Any, request: fastapi.Request, username: str | None) -> tuple:
        address = visitor_address(request)
        share = settings.queue_share()
        waiting = sum(
            visitor_address(event.request) == address
            for line in self.event_queue_per_concurrency_id.values()
            for event in line.queue
        )
        if waiting >= share:
            log.info("refused a request from %s: %d of theirs are waiting", address, waiting)
            message = (
                f"you have {waiting} requests waiting on this server, the most one visitor may have; "
                "send more when they are answered"
            )
            return False, message, "queue_full"
        return await super().push(body, request, username)


def visitor_address(request: fastapi.Request | None) -> str:
    """The address a request comes from. Behind the proxy of a public host (Spaces) that is the
    last address the proxy added to ``X-Forwarded-For`` (earlier ones are the client's to write);
    elsewhere the connection's own."""
    if request is None:
        return ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded and settings.public():
        return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else ""


class UploadBudget:
    """ASGI middleware: an address may upload at most ``settings.upload_budget_bytes()`` in an hour
    (the size each request declares counts, read before its body), and an upload that does not
    declare its size is refused; Gradio's own limit then holds each file to ``AIGC_MAX_UPLOAD_MB``.
    So a client cannot fill the disk with uploads faster than they are deleted."""

    WINDOW_S = 3600.0
    ADDRESSES = 10_000  # addresses remembered before the idle ones are forgotten

    def __init__(self, app: Any):
        self.app = app
        self.lock = threading.Lock()
        self.sent: dict[str, deque[tuple[float, int]]] = defaultdict(deque)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/upload"):
            refusal = self.check(Request(scope))
            if refusal is not None:
                status, message = refusal
                log.info("refused an upload: %s", message)
                await JSONResponse({"detail": message}, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def check(self, request: Request) -> tuple[int, str] | None:
        """Why this upload is refused (an HTTP status and a message), or None: then its size is
        counted against its address."""
        try:
            size = int(request.headers.get("content-length", ""))
        except ValueError:
            return 411, "an upload must say its size (Content-Length)"
        address, now, budget = visitor_address(request), time.monotonic(), settings.upload_budget_bytes()
        with self.lock:
            if len(self.sent) > self.ADDRESSES:
                self._forget_idle(now)
            sent = self.sent[address]
            while sent and now - sent[0][0] > self.WINDOW_S:
                sent.popleft()
            if sum(n for _, n in sent) + size > budget:
                message = (
                    f"this address has uploaded {budget / 1e6:.0f} MB in the last hour, the most one "
                    "visitor may; try again later"
                )
                return 429, message
            sent.append((now, size))
        return None

    def _forget_idle(self, now: float) -> None:
        """Drop the addresses with nothing in the window; the caller holds the lock."""
        for address in [a for a, sent in self.sent.items() if not sent or now - sent[-1][0] > self.WINDOW_S]:
            del self.sent[address]


class NoStoredDeepLinks:
    """ASGI middleware: Gradio's ``/gradio_api/deep_link`` writes the whole page state of a session
    (~270 kB here) to disk for any caller, a new file for every state it is asked about: one client
    making sessions and asking for their links wrote 27 MB in 4 s. The app shares a state through
    its own links instead (Copy link: the settings in the address, nothing stored), and has no
    deep-link button, so the route is refused before Gradio sees it."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith("/gradio_api/deep_link"):
            message = (
                "this app keeps no stored page states; its Copy link buttons give a link to the settings"
            )
            await JSONResponse({"detail": message}, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
