"""Every part of Gradio the app relies on that is not Gradio's public API, in one place.

Gradio 6.31 leaves open what a public server needs; each adaptation here has its measured reason:
unreadable values refused in words a person acts on (in their language, ``worded``), trailing values
left out taking their defaults, plain controls' values checked on the event loop, a selection event
sent without a selection refused by name, a share of the queue per address, no monitoring summary
after each event, session configs built only as needed, pages added inside the one ``with`` block, the
event's request known to every refusal (``EVENT_REQUEST``), and CSS and script reaching into Gradio's
page (``GRADIO_PAGE_CSS``, ``GRADIO_PAGE_HEAD``, whose class names are ``DOM_NAMES``).

``_internals()`` names each attribute, signature and class this relies on; a Gradio other than
``TESTED_GRADIO`` is checked on import and the app refuses to start with a list of what broke.
``tests/test_gradio_seam.py`` pins all of it; docs/ARCHITECTURE.md ("Gradio: the seam, and what could
be upstream") says which could be Gradio's own.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy
from dataclasses import dataclass
from typing import Any

import fastapi
import gradio as gr
from gradio import queueing
from gradio.exceptions import ComponentProcessingError
from gradio.state_holder import SessionState, StateHolder

from aigc_demo import settings
from aigc_demo.ui.gradio_sessions import LazyStateHolder
from aigc_demo.ui.middleware import visitor_address

log = logging.getLogger(__name__)

TESTED_GRADIO = "6.31.0"
MAX_SERVED = 4096  # addresses the queue remembers when it last served, for fairness


@dataclass(frozen=True)
class Internal:
    """One thing of Gradio's the app uses: ``owner.name``, with these parameters when it is called."""

    owner: Any
    name: str
    parameters: tuple[str, ...] | None = None

    def broken(self) -> str | None:
        """What is wrong with it in the Gradio installed, or None."""
        where = f"{getattr(self.owner, '__qualname__', self.owner)}.{self.name}"
        if not hasattr(self.owner, self.name):
            return f"{where} is gone"
        if self.parameters is None:
            return None
        found = tuple(inspect.signature(getattr(self.owner, self.name)).parameters)
        return None if found == self.parameters else f"{where} now takes {found}, not {self.parameters}"


def _internals() -> tuple[Internal, ...]:
    blocks, queue = gr.Blocks, queueing.Queue
    called = ("block_fn", "processed_input", "iterator", "requests", "event_id", "event_data")
    processed = ("iterator", "session_hash", "event_id", "event_data", "in_event_listener", "simple_format")
    return (
        # StudioBlocks: how events run and values are read.
        Internal(blocks, "call_function", ("self", *called, "in_event_listener", "state", "oauth_token")),
        Internal(blocks, "preprocess_data", ("self", "block_fn", "inputs", "state", "explicit_call")),
        Internal(
            blocks,
            "process_api",
            (
                "self",
                "block_fn",
                "inputs",
                "state",
                "request",
                *processed,
                "explicit_call",
                "root_path",
                "oauth_token",
            ),
        ),
        Internal(
            blocks,
            "_format_processing_error",
            ("block_fn", "index", "block", "value", "is_input", "original_error"),
        ),
        Internal(blocks, "queue"),
        Internal(StateHolder, "set_blocks", ("self", "blocks")),
        Internal(StateHolder, "__getitem__", ("self", "session_id")),
        # FairQueue: Gradio's queue with a share per address.
        Internal(queue, "push", ("self", "body", "request", "username")),
        Internal(queue, "compute_analytics_summary", ("self", "records")),
        Internal(queue, "get_events", ("self",)),  # starts the first in line of each concurrency id
        # LazySessionState: Gradio's session, its configs made on demand.
        Internal(SessionState, "__init__", ("self", "blocks")),
        Internal(SessionState, "_update_value_in_config", ("self", "key", "value")),
        Internal(SessionState, "components"),
        Internal(gr.exceptions, "ComponentProcessingError"),
    )


# Class names of Gradio's page that the app's CSS and script name.
DOM_NAMES = (
    "gradio-container",
    "nav-holder",
    "score-token",
    "examples",
    "timestamps",
    "playback",
    "icon-button-wrapper",
    "download-link",
    "block-label",
    "message-buttons",
)
# Gradio's page, adapted: its container clips instead of scrolling (a sticky picture never stuck in
# it); a picture's label stands above it instead of over its corner (where it hid the label drawn in
# the picture); a chat message's buttons are 44 px targets on a phone (24 px had been hard to tap); its
# own page links (English only) and its footer icons' alt text are hidden; chat examples are
# announced as the buttons they are; each lens character is named by the character it shows.
GRADIO_PAGE_HEAD = (
    "<style>.gradio-container { overflow: clip !important; }"
    " .picture-output > [data-testid=block-label] { position: relative !important; }"
    " .gradio-container .nav-holder { display: none !important; }"
    " .gradio-container footer img { display: none !important; }"
    " @media (max-width: 768px) {"
    " .message-buttons .icon-button { min-width: 44px !important; min-height: 44px !important; } }</style>"
    "<script>new MutationObserver(() => {"
    " document.querySelectorAll('.examples[role=list]').forEach((group) => group.removeAttribute('role'));"
    " document.querySelectorAll('.score-token[role=button]:not([aria-label])')"
    ".forEach((token) => token.setAttribute('aria-label', token.textContent.trim() || '\u2423'));"
    "}).observe(document.documentElement, { childList: true, subtree: true });</script>"
)
# WCAG AA where Gradio's own parts fall short: the audio player's times are grey at 2.5:1, its icon
# buttons (and the chat box's) 18-20 px, 44 px under a finger; an empty box's placeholder carries a
# label that its element may not have.
GRADIO_PAGE_CSS = """
.timestamps time, .playback span { color: var(--body-text-color) !important; }
.icon-button-wrapper .download-link, .icon-button-wrapper .icon-button { min-width: 24px; min-height: 24px; }
@media (pointer: coarse) {
  .icon-button-wrapper .download-link, .icon-button-wrapper .icon-button {
    min-width: 44px; min-height: 44px;
  }
}
.block .empty[aria-label] { display: none; }
"""


def broken_internals() -> list[str]:
    """What of ``INTERNALS`` the installed Gradio no longer has as the app uses it (empty: all well)."""
    return [problem for internal in _internals() if (problem := internal.broken()) is not None]


def check_gradio() -> None:
    """Refuse to run on a Gradio whose internals the app uses have changed, naming each change."""
    if gr.__version__ == TESTED_GRADIO:
        return
    problems = broken_internals()
    if problems:
        raise ImportError(
            f"AIGC Studio was tested with Gradio {TESTED_GRADIO}, not {gr.__version__}; what changed: "
            + "; ".join(problems)
            + ". Install the pinned version (requirements.txt) or adapt aigc_demo/ui/gradio_seam.py."
        )
    log.warning("Gradio %s, not the tested %s: run tests/test_gradio_seam.py", gr.__version__, TESTED_GRADIO)


check_gradio()


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


# The request of the event being answered (None outside one): Gradio hands it only to handlers that
# ask for it, yet every refusal is said in the visitor's language. Gradio runs a handler, and each
# step of a streaming one, in a worker thread that copies this context.
EVENT_REQUEST: ContextVar[Any] = ContextVar("event_request", default=None)


class StudioBlocks(gr.Blocks):
    """``gr.Blocks`` whose refusals of values it cannot read name the value and what was wrong in
    words; whose plain controls' values skip a thread hop; whose selection events refuse a call without
    a selection; whose queue gives each visitor a share (``FairQueue``); whose sessions build configs
    when needed (``LazySessionState``); and whose pages are opened with ``page``."""

    # How a refusal of a value reaches the visitor (the app words it in their language).
    worded: Callable[[str], str] = staticmethod(lambda message: message)

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

    async def process_api(self, block_fn, inputs, state=None, request=None, *args, **kwargs):
        """Gradio's, with the event's request known (``EVENT_REQUEST``) while its values are read and
        its handler runs."""
        asked = EVENT_REQUEST.set(request[0] if isinstance(request, list) and request else request)
        try:
            return await super().process_api(block_fn, inputs, state, request, *args, **kwargs)
        finally:
            EVENT_REQUEST.reset(asked)

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
            raise gr.Error(self.worded(message), print_exception=False) from None


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
    """Gradio's queue, but one address may have at most ``settings.queue_share()`` requests waiting,
    and one page (session) within it half of that: a flood waits for its own, everyone else still gets
    in, and a page behind a shared address (a school's) keeps a place. A free place goes to the waiting
    address with the fewest requests running, then to the one served longest ago (``get_events``): one
    visitor's many writings do not hold the others up. And Gradio's monitoring summary (a pandas group-by
    over up to 10,000 past events, 4-14 ms of CPU after *each* event) is made only when it is shown."""

    def get_events(self) -> tuple[list, bool, str] | None:
        served: dict[str, float] = self.__dict__.setdefault("_served_at", {})
        running = Counter(visitor_address(e.request) for job in self.active_jobs if job for e in job)
        for line in self.event_queue_per_concurrency_id.values():  # Gradio starts the first in line
            who = [visitor_address(event.request) for event in line.queue]
            turn = min(range(len(who)), key=lambda i: (running[who[i]], served.get(who[i], 0), i), default=0)
            if turn:
                line.queue.insert(0, line.queue.pop(turn))
        picked = super().get_events()
        if len(served) > MAX_SERVED:  # remembered for fairness only
            served.clear()
        for event in picked[0] if picked else []:
            served[visitor_address(event.request)] = time.monotonic()
        return picked

    def compute_analytics_summary(self, records: list) -> dict:
        if not self.blocks.enable_monitoring:
            return self.cached_event_analytics_summary
        return super().compute_analytics_summary(records)

    async def push(self, body: Any, request: fastapi.Request, username: str | None) -> tuple:
        address, session = visitor_address(request), getattr(body, "session_hash", None)
        share = settings.queue_share()
        theirs = [
            event
            for line in self.event_queue_per_concurrency_id.values()
            for event in line.queue
            if visitor_address(event.request) == address
        ]
        own = sum(event.session_hash == session for event in theirs) if session else 0
        if len(theirs) >= share or own >= max(1, share // 2):  # by address, and by page within it
            log.info(
                "refused a request from %s: %d of theirs (%d of this page's) wait", address, len(theirs), own
            )
            message = (
                f"you have {max(len(theirs), own)} requests waiting on this server, the most one visitor may "
                "have; send more when they are answered"
            )
            asked = EVENT_REQUEST.set(request)  # said in the language the request asks for
            try:
                return False, self.blocks.worded(message), "queue_full"
            finally:
                EVENT_REQUEST.reset(asked)
        return await super().push(body, request, username)
