"""Every live writing or reply of one model advanced together (continuous batching, as language-model
servers do it: Orca, 2022; vLLM; TGI).

A scheduler per loaded model runs on a thread of its own while there is work. Each pass it draws one
character for every live stream (a request's rows: its samples) with that stream's own generator,
settings and form guide (``writing.Draws``; a reply's ``replies.ReplyDraws``), then steps all the rows
that go on in one batched call of the model (``TextRows``: a ``Stepper``; ``ChatRows``: a
``ChatStepper``, whose rows each keep their own pointer memory). Streams join between passes, their
prompt read in one pass, and leave when they are done or when their reader goes away (a visitor who
leaves mid-writing frees their rows at the next pass). Every stream moves one character per pass, so a
long writing never holds up a short one, and one visitor's many streams get a row each like everyone
else's.

A stream's text for a seed is what it is alone, up to the last bits of the batched arithmetic: a
stream alone is stepped exactly as before, and how often company changes a character is measured in
``benchmarks/streams.py``.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from aigc_demo.backend import priority
from aigc_demo.models.char_rnn import CharRNN, Stepper
from aigc_demo.models.chat_rnn import ChatRNN, ChatStepper
from aigc_demo.pipelines.replies import encode
from aigc_demo.pipelines.writing import read_prompt

MAX_ROWS = 64  # rows stepped in one pass; a request that would go over waits for rows to free
WAKE_EVERY = 0.02  # seconds between wake-ups of a stream's reader (also woken at its first and last)
IDLE_EXIT = 30.0  # seconds a scheduler's thread waits for work before it ends


class Stream:
    """One request in the batch: its rows, how it draws, and what it chose that was not yet read."""

    def __init__(self, prompt: str, rows: int, draws: Any):
        self.prompt, self.rows, self.draws = prompt, rows, draws
        self.logits: Any = None  # what its rows' next draw is made from
        self.chosen: deque[np.ndarray] = deque()
        self.ready = threading.Event()
        self.finished = False
        self.gone = False  # its reader went away
        self.error: BaseException | None = None
        self.woken = 0.0  # when its reader was last woken (monotonic seconds)

    def put(self, chosen: np.ndarray, done: bool) -> None:
        self.chosen.append(chosen)
        self.finished = done
        now = time.monotonic()
        if done or now - self.woken >= WAKE_EVERY:  # the first too: woken starts at 0
            self.woken = now
            self.ready.set()

    def leave(self) -> None:
        """Its reader went away: its rows leave the batch at the next pass."""
        self.gone = True

    def fail(self, error: BaseException) -> None:
        self.error, self.finished = error, True
        self.ready.set()

    def read(self) -> Iterator[np.ndarray]:
        """The ids chosen at each pass, as they come."""
        while True:
            self.ready.wait()
            self.ready.clear()
            finished, error = self.finished, self.error  # everything it chose was put before these
            while self.chosen:
                yield self.chosen.popleft()
            if error is not None:
                raise error
            if finished:
                return


class StepScheduler:
    """Steps every live stream of one character model together, on a thread of its own while there
    is work (the thread ends after ``IDLE_EXIT`` seconds without any)."""

    def __init__(self, model: CharRNN | ChatRNN):
        self._model = weakref.ref(model)
        self._lock = threading.Condition()
        self._waiting: deque[Stream] = deque()
        self._serving = False
        self._thread: threading.Thread | None = None
        self._closing = False
        self.live_rows = self.live_streams = 0  # rows and streams stepped at the last pass

    def submit(self, prompt: str, rows: int, draws: Any) -> Stream:
        """Put a request in line: ``rows`` rows continuing ``prompt``, drawn by ``draws``. Read it with
        ``Stream.read``; ``Stream.leave`` takes it out of the batch."""
        if not 1 <= rows <= MAX_ROWS:
            raise ValueError(f"a writing may have 1 to {MAX_ROWS} samples")
        stream = Stream(prompt, rows, draws)
        with self._lock:
            if self._closing:
                raise RuntimeError("the app is shutting down")
            self._waiting.append(stream)
            if not self._serving:
                self._start()
            self._lock.notify()
        return stream

    def stream(self, prompt: str, rows: int, draws: Any) -> Iterator[np.ndarray]:
        """What is chosen for each of ``rows`` rows continuing ``prompt``, one array per pass; closing
        the iterator takes the stream out of the batch."""
        stream = self.submit(prompt, rows, draws)
        try:
            yield from stream.read()
        finally:
            stream.leave()

    def _serve(self) -> None:
        model = self._model()
        live: list[Stream] = []
        self.live_rows = self.live_streams = 0
        try:
            batch = ChatRows(model) if isinstance(model, ChatRNN) else TextRows(model)
            while True:
                joining = self._take(self.live_rows)
                if joining is None:  # idle, or closing: then every live stream is told
                    for stream in live:
                        stream.fail(RuntimeError("the app is shutting down"))
                    return
                for stream in joining:
                    try:
                        stream.logits = batch.add(stream.prompt, stream.rows)
                    except Exception as err:  # one request's failure is its own
                        stream.fail(err)
                        continue
                    live.append(stream)
                priority.yield_to_interactive()  # a drag's picture goes first
                live = _advance(live, batch)
                self.live_rows, self.live_streams = sum(stream.rows for stream in live), len(live)
                priority.mark_streaming(self, bool(live))
        except Exception as err:  # the model failed: every stream is told, none hangs
            with self._lock:
                for stream in live + list(self._waiting):
                    stream.fail(err)
                self._waiting.clear()
        finally:
            priority.mark_streaming(self, False)
            with self._lock:
                self._serving = False
                if self._waiting and not self._closing:  # one came in as the thread was ending
                    self._start()

    def _start(self) -> None:
        self._serving = True
        self._thread = threading.Thread(target=self._serve, name="aigc-streams", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """End the thread: at exit, so that it ends before the interpreter does (a thread that has run
        PyTorch and is cut off by the interpreter's end aborts the process)."""
        with self._lock:
            self._closing = True
            self._lock.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _take(self, busy_rows: int) -> list[Stream] | None:
        """The waiting streams that fit beside ``busy_rows`` live rows, in their order of arrival;
        when nothing is live, waits for one; None when none came for ``IDLE_EXIT`` seconds."""
        with self._lock:
            if not busy_rows and not self._waiting:
                self._lock.wait_for(lambda: self._waiting or self._closing, timeout=IDLE_EXIT)
                if not self._waiting:
                    self._serving = False
                    return None
            if self._closing:
                for stream in self._waiting:
                    stream.fail(RuntimeError("the app is shutting down"))
                self._waiting.clear()
                return None
            joining = []
            while self._waiting and busy_rows + self._waiting[0].rows <= MAX_ROWS:
                stream = self._waiting.popleft()
                if not stream.gone:
                    joining.append(stream)
                    busy_rows += stream.rows
            return joining


class TextRows:
    """A character model's rows: a prompt read in one pass, then every row stepped together."""

    def __init__(self, model: CharRNN):
        self.model, self.stepper = model, Stepper(model)  # its weights laid out once

    def add(self, prompt: str, rows: int) -> np.ndarray:
        """Read ``prompt`` into ``rows`` new rows: their logits (rows, vocabulary)."""
        logits, state = read_prompt(self.model, prompt, rows)
        self.stepper.join(state)
        return logits

    def keep(self, rows: np.ndarray) -> None:
        self.stepper.keep(rows)

    def step(self, fed: np.ndarray) -> np.ndarray:
        return self.stepper(fed)


class ChatRows:
    """A dialogue model's rows: a conversation read in one pass, then every row stepped together, each
    with its own pointer memory."""

    def __init__(self, model: ChatRNN):
        self.model, self.stepper = model, ChatStepper(model)

    def add(self, prompt: str, rows: int) -> list[tuple[np.ndarray, np.ndarray]]:
        first = self.stepper.rows
        self.stepper.read(encode(self.model, prompt)[0], rows)
        return self.stepper.distribution(first)

    def keep(self, rows: np.ndarray) -> None:
        self.stepper.keep(rows)

    def step(self, fed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        self.stepper.step(fed)
        return self.stepper.distribution()


@torch.inference_mode()
def _advance(live: list[Stream], batch: TextRows | ChatRows) -> list[Stream]:
    """One pass: every stream draws from its rows' logits; the rows of those that go on are stepped
    in one call. Returns the streams that go on."""
    going_on, kept_rows, fed = [], [], []
    first_row = 0
    for stream in live:
        rows = range(first_row, first_row + stream.rows)
        first_row += stream.rows
        if stream.gone:
            continue
        try:
            chosen, fed_back, done = stream.draws(stream.logits)
        except Exception as err:  # one request's failure is its own
            stream.fail(err)
            continue
        stream.put(chosen, done)
        if not done:
            going_on.append(stream)
            kept_rows.extend(rows)
            fed.append(fed_back)
    if len(kept_rows) < first_row:
        batch.keep(np.asarray(kept_rows, dtype=np.int64))
    if not going_on:
        return []
    outputs = batch.step(np.concatenate(fed))
    first_row = 0
    for stream in going_on:
        stream.logits = outputs[first_row : first_row + stream.rows]
        first_row += stream.rows
    return going_on


_schedulers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_schedulers_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    with _schedulers_lock:
        schedulers = list(_schedulers.values())
    for scheduler in schedulers:
        scheduler.close()


def scheduler_for(model: CharRNN | ChatRNN) -> StepScheduler:
    """The one scheduler of a loaded model (it goes when the model does)."""
    with _schedulers_lock:
        scheduler = _schedulers.get(model)
        if scheduler is None:
            scheduler = _schedulers[model] = StepScheduler(model)
        return scheduler
