"""Training jobs the app runs for its visitors: one at a time per server, in a background thread.

A job trains a model from a person's data by its recipe (``aigc_demo.recipes``), reports its
progress through ``snapshot()`` (loss curves, samples from a fixed input taken as it learns, step
and time), stops within one step when asked or when its time budget runs out, and saves the best
model under the name given, into the hub's user folder, where every tab finds it at once. Nothing
is written until the end, and then atomically: a stopped, failed or crashed job never leaves a
half-written file. This module keeps only the slot, the line, the snapshots and the monitoring;
what a kind needs (settings, data, previews, cards) is its recipe's.
"""

from __future__ import annotations

import atexit
import copy
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from aigc_demo.backend import priority
from aigc_demo.backend.hub import CheckpointEntry, ModelHub
from aigc_demo.backend.ownership import mark_as_visitors, private_name, shown_name
from aigc_demo.backend.quota import Quota, make_room, sweep
from aigc_demo.data.archive import Limits
from aigc_demo.recipes import JobRequest, Plan, Recipe, Run, recipe
from aigc_demo.training.common import Monitor
from aigc_demo.training.placement import Placement

log = logging.getLogger(__name__)

DEFAULT_LIMITS = Limits(max_files=70_000, max_bytes=200_000_000, max_chars=2_000_000)  # on a person's data
SNAPSHOTS = 12  # sample previews per run
VISITORS_FIRST = 0.02  # seconds a training step waits, at most, while visitors are served
MAX_PER_VISITOR = 2  # jobs one visitor may have running and waiting at once
MAX_WAITING = 2 * MAX_PER_VISITOR  # jobs in line behind the running one: two visitors cannot fill it


class JobBusyError(ValueError):
    """Another training job is running on this server."""


@dataclass
class JobSnapshot:
    """What a job has done so far; a copy, safe to read while the job goes on."""

    state: str = "idle"  # idle | waiting | running | stopping | finished | stopped | failed
    name: str = ""
    kind: str = ""
    step: int = 0
    total: int = 0
    elapsed: float = 0.0
    train_curve: list[tuple[int, float]] = field(default_factory=list)
    valid_curve: list[tuple[int, float]] = field(default_factory=list)
    # Per-step terms of the training loss besides the total (e.g. a VAE's reconstruction and KL).
    terms: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    # (step, preview): text from the fixed prompt, or a picture (uint8 array) of fixed codes.
    samples: list[tuple[int, Any]] = field(default_factory=list)
    message: str = ""
    waiting: list[str] = field(default_factory=list)  # names of the jobs in line, first first
    owner: str = ""  # the visitor whose job this is ("": the server's)
    waiting_owners: list[str] = field(default_factory=list)  # whose each job in line is
    budget: float = 0.0  # seconds the job may train (0: no budget)

    @property
    def running(self) -> bool:
        return self.state in ("running", "stopping")

    @property
    def eta(self) -> float | None:
        """Seconds left at the current pace or of the time budget, whichever ends first; None before
        the first step."""
        if not self.running or not self.step:
            return None
        pace = self.elapsed / self.step * (self.total - self.step)
        return min(pace, max(0.0, self.budget - self.elapsed)) if self.budget else pace

    @property
    def expected_total(self) -> int:
        """The steps the job will take: all it may, or as many as its time budget holds at the
        current pace, whichever is fewer."""
        if not self.running or not self.step or not self.budget or not self.elapsed:
            return self.total
        return max(self.step, min(self.total, round(self.step / self.elapsed * self.budget)))


class _JobMonitor(Monitor):
    """Feeds a running job's snapshot, takes the sample previews, and carries the job's stop
    request and time budget into the training loop."""

    def __init__(self, job: TrainingJobs, deadline: float, preview: Callable[[torch.nn.Module], Any]):
        self.job, self.deadline, self.preview = job, deadline, preview
        self.model: torch.nn.Module | None = None
        self.every = 1

    def started(self, model: torch.nn.Module, total: int) -> None:
        self.model, self.every = model, max(1, total // SNAPSHOTS)
        self.take_sample(0)

    def take_sample(self, step: int) -> None:
        if self.model is not None:
            shown = self.preview(self.model)
            with self.job._lock:
                self.job._snapshot.samples.append((step, shown))

    def step(self, step: int, total: int, losses: dict[str, float]) -> None:
        priority.yield_to_visitors(VISITORS_FIRST)
        with self.job._lock:
            snap = self.job._snapshot
            snap.step, snap.total = step, total
            snap.elapsed = time.monotonic() - self.job._started
            for name, value in losses.items():  # a GAN has two losses and no single "train" one
                curve = snap.train_curve if name == "train" else snap.terms.setdefault(name, [])
                curve.append((step, round(value, 4)))
        if step % self.every == 0:
            self.take_sample(step)

    def evaluated(self, step: int, metrics: dict[str, float], model: torch.nn.Module) -> None:
        with self.job._lock:
            self.job._snapshot.valid_curve.append((step, metrics["valid_loss"]))

    def progress(self, step: int, total: int) -> float:
        """The further of the steps taken and the time budget spent: the budget, not the epoch
        count, ends most runs, and the learning rate anneals before it does."""
        budget = max(1e-9, self.deadline - self.job._started)
        return max(step / max(total, 1), (time.monotonic() - self.job._started) / budget)

    def stop_requested(self) -> bool:
        if time.monotonic() >= self.deadline and not self.job._stop.is_set():
            with self.job._lock:
                self.job._snapshot.message = "time budget reached"
            self.job._stop.set()
        return self.job._stop.is_set()


@dataclass
class _Job:
    """A checked request, waiting its turn or running."""

    request: JobRequest
    recipe: Recipe
    plan: Plan


class TrainingJobs:
    """The server's training slot: at most one job runs; anyone can read how it is going."""

    def __init__(self, hub: ModelHub, limits: Limits = DEFAULT_LIMITS, quota: Quota | None = None):
        self.hub, self.limits = hub, limits
        self.quota = quota if quota is not None else Quota.from_settings()
        sweep(hub, self.quota)  # visitors' models past their age, left from an earlier run
        self.placement = Placement.choose(hub.device.type)  # train where the app's models run
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._snapshot = JobSnapshot()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._waiting: deque[_Job] = deque()
        self._checking: dict[str, JobRequest] = {}  # requests being checked, by name
        self._adopting: set[str] = set()  # names of visitors' own model files being added
        self._running: JobRequest | None = None
        self._closing = False
        # On interpreter exit (Ctrl-C on the server), stop a running job so it saves what it has
        # learned, instead of dying inside torch in a daemon thread.
        atexit.register(self._stop_and_wait)

    def _stop_and_wait(self) -> None:
        with self._lock:
            self._closing = True  # no job in line starts after this
            self._waiting.clear()
        self.stop()
        self.wait(30)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return self._copy()

    def start(self, request: JobRequest) -> JobSnapshot:
        """Check the request by its recipe (data read, before any training), then train in a
        background thread: at once, or after the jobs already waiting when one is running. The
        name and a place in line are reserved first; the check itself (which may read a large
        upload) runs outside the lock, so status polls and the running job never wait on it."""
        sweep(self.hub, self.quota)
        chosen = recipe(request.kind)
        if not chosen.in_app:
            raise ValueError(f"{chosen.name!r} models are trained on the command line, not in the app")
        if request.owner:  # a visitor's model is theirs: saved under a name no one else can guess
            request = replace(request, name=private_name(request.name))
        with self._lock:
            self._make_room(request.name)
            self._check_share(request)
            self._checking[request.name] = request
        try:
            job = _Job(request, chosen, chosen.plan_job(request, self.hub, self.limits))
        finally:
            with self._lock:
                del self._checking[request.name]
        with self._lock:
            if self._snapshot.running or self._waiting:
                self._waiting.append(job)
                queued = JobSnapshot(
                    state="waiting", name=request.name, kind=request.kind, owner=request.owner
                )
                return self._with_line(queued)
            self._launch(job)
            return self._copy()

    def adopt(
        self, path: Path, name: str, max_elements: int, address: str = "", owner: str = ""
    ) -> CheckpointEntry:
        """Add a visitor's own checkpoint file (an upload) as ``owner``'s model, under their name with
        a random tail, within the quota of the visitor at ``address``; ``ModelHub.adopt`` checks the
        file before any weight is read."""
        sweep(self.hub, self.quota)
        name = private_name(name)
        with self._lock:
            if name in self._names_in_use() or name in self.hub.names():
                raise ValueError(f"a model or job named {name!r} exists already; choose another name")
            self._adopting.add(name)
        try:
            return self.hub.adopt(
                path,
                name,
                max_elements,
                before_write=lambda size: make_room(self.hub, self.quota, size, address),
                edit_card=lambda card: mark_as_visitors(card, address, owner),
            )
        finally:
            with self._lock:
                self._adopting.discard(name)

    def _names_in_use(self) -> set[str]:
        """Names of the jobs running, waiting or being checked, and of files being added; the
        caller holds the lock."""
        running = {self._snapshot.name} if self._snapshot.running else set()
        return {*self._checking, *self._waiting_names(), *self._adopting, *running}

    def _make_room(self, name: str) -> None:
        """Refuse a name already running, waiting or being checked, and a request that would not
        fit in the line (counting those being checked); the caller holds the lock."""
        busy = self._snapshot.running or bool(self._waiting) or bool(self._checking)
        if name in self._names_in_use():
            raise ValueError(f"a job for {name!r} is already running or waiting; choose another name")
        if busy and len(self._waiting) + len(self._checking) >= MAX_WAITING:
            current = self._snapshot  # named to no one: it may be another visitor's
            raise JobBusyError(
                f"a training job (step {current.step} of {current.total}) is running and "
                f"{len(self._waiting)} are waiting; one job runs at a time on this server, so try "
                "again when one ends"
            )

    def _launch(self, job: _Job) -> None:
        """Start a checked job in its thread; the caller holds the lock."""
        self._stop.clear()
        self._started = time.monotonic()
        request = self._running = job.request
        self._snapshot = JobSnapshot(
            state="running",
            name=request.name,
            kind=request.kind,
            owner=request.owner,
            budget=float(request.minutes) * 60,
        )
        self._thread = threading.Thread(
            target=self._work, args=(job,), name=f"train-{job.request.name}", daemon=True
        )
        self._thread.start()

    def _work(self, job: _Job) -> None:
        """A job's thread: train, then start the next job in line, if any."""
        try:
            self._run(job)
        finally:
            with self._lock:
                if self._waiting and not self._closing:
                    self._launch(self._waiting.popleft())

    def _copy(self) -> JobSnapshot:
        """A copy of the snapshot with the line; the caller holds the lock."""
        return self._with_line(copy.deepcopy(self._snapshot))

    def _with_line(self, snap: JobSnapshot) -> JobSnapshot:
        """``snap`` with the jobs in line (names and whose they are); the caller holds the lock."""
        snap.waiting = self._waiting_names()
        snap.waiting_owners = [job.request.owner for job in self._waiting]
        return snap

    def _check_share(self, request: JobRequest) -> None:
        """One visitor may have at most ``MAX_PER_VISITOR`` jobs running, waiting or being checked,
        so no one holds the slot for everyone: counted by session, and by address, so that fresh
        sessions from one client do not make it another visitor. The caller holds the lock."""
        in_play = [*self._checking.values(), *(job.request for job in self._waiting)]
        if self._snapshot.running and self._running is not None:
            in_play.append(self._running)
        for key in ("owner", "address"):
            mine = getattr(request, key)
            theirs = sum(mine == getattr(other, key) for other in in_play) if mine else 0
            if theirs >= MAX_PER_VISITOR:
                raise JobBusyError(
                    f"you have {theirs} training jobs running or waiting; one visitor may have "
                    f"{MAX_PER_VISITOR} at a time, so start this one when one of yours ends"
                )

    def _waiting_names(self) -> list[str]:
        """Names of the jobs in line, first first; the caller holds the lock."""
        return [job.request.name for job in self._waiting]

    def stop(self, owner: str | None = None) -> JobSnapshot:
        """Ask the running job to stop after its current step; it then saves what it learned (and
        the next job in line starts). Only its ``owner`` may (None: the server itself, which may
        stop any)."""
        with self._lock:
            if self._snapshot.running:
                if owner is not None and owner != self._snapshot.owner:
                    raise ValueError("only the visitor who started this training job can stop it")
                self._stop.set()
                self._snapshot.state = "stopping"
            return self._copy()

    def wait(self, timeout: float | None = None) -> JobSnapshot:
        """Wait until no job runs or waits (or ``timeout`` seconds pass)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            thread = self._thread
            if thread is not None:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            with self._lock:
                done = self._thread is thread and not self._waiting
            if done or (deadline is not None and time.monotonic() >= deadline):
                return self.snapshot()

    def _run(self, job: _Job) -> None:
        """Train by the recipe, show the final model's preview, save it, and say how it ended."""
        name = job.request.name
        deadline = self._started + float(job.request.minutes) * 60  # the budget counts from the start
        monitor = _JobMonitor(self, deadline, job.recipe.preview(job.plan))
        run = Run(log=log.info, monitor=monitor, placement=self.placement)
        try:
            trained = job.recipe.train(job.plan, run)
            card = job.recipe.card(job.plan, trained, run=run)
            card = mark_as_visitors(card, job.request.address, job.request.owner)
            monitor.take_sample(self._snapshot.step)  # the model that is saved
            self.hub.save(
                name,
                trained.model,
                card,
                storage_dtype=job.recipe.storage_dtype,
                before_write=lambda size: make_room(self.hub, self.quota, size, job.request.address),
            )
            with self._lock:
                stopped = self._stop.is_set()
                self._snapshot.state = "stopped" if stopped else "finished"
                reason = self._snapshot.message or ("stopped" if stopped else "finished")
                self._snapshot.message = f"{reason}; saved {shown_name(name)!r} ({trained.summary})"
        except Exception as err:  # the job ends, the server serves on, and the page says why
            log.exception("training job %s failed", name)
            with self._lock:
                self._snapshot.state = "failed"
                self._snapshot.message = f"training failed: {err}"
