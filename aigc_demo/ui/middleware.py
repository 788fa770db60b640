"""What a public server needs in front of the app, as ASGI middleware over Starlette's public API:
``UploadBudget`` holds each address to a number of upload megabytes an hour (on every Gradio route
that takes files), judged by the request's declared length before its body is read; ``BodyLimit``
holds every other request's body to ``AIGC_MAX_BODY_MB``, before Gradio reads it; and
``NoStoredDeepLinks`` refuses the route that writes a session's page state to disk for anyone who
asks. ``visitor_address`` says whose a request is."""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import defaultdict, deque
from typing import Any

import fastapi
from starlette.requests import Request
from starlette.responses import JSONResponse

from aigc_demo import settings

log = logging.getLogger(__name__)


def visitor_address(request: fastapi.Request | None) -> str:
    """The address a request comes from: behind ``settings.trusted_proxies()`` proxies, the one the
    nearest of them saw (the entries before it in ``X-Forwarded-For`` are the client's to write), else
    the connection's own. An IPv6 address stands for its /64 network, which one host commonly holds."""
    if request is None:
        return ""
    hops = settings.trusted_proxies()
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    if hops and len(forwarded) >= hops:
        address = forwarded[-hops]
    else:
        address = request.client.host if request.client else ""
    return network_of(address)


def network_of(address: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 network; anything else as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


# Gradio's routes that take files: its uploads, and a recording made in the page (processed as sent).
UPLOADS = ("/upload", "/process_recording")


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
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith(UPLOADS):
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


class BodyLimit:
    """ASGI middleware: a request body other than an upload (an event's values as JSON) may hold at
    most ``settings.max_body_bytes()``. One that declares more is refused before a byte of it is
    read; one that does not declare its size is read here, up to the limit, and refused once past
    it (else handed on as it came), so Gradio never parses (or holds) a body larger than that."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].endswith("/upload"):
            await self.app(scope, receive, send)
            return
        limit = settings.max_body_bytes()
        declared = Request(scope).headers.get("content-length")
        if declared is not None:  # the server reads no more than a request declares
            if declared.isdigit() and int(declared) <= limit:
                await self.app(scope, receive, send)
            else:
                await self.refuse(scope, receive, send, limit)
            return
        parts, size = [], 0
        while True:
            message = await receive()
            parts.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                await self.refuse(scope, receive, send, limit)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replayed() -> dict:
            return parts.pop(0) if parts else await receive()

        await self.app(scope, replayed, send)

    @staticmethod
    async def refuse(scope: dict, receive: Any, send: Any, limit: int) -> None:
        message = f"a request may send at most {limit / 1e6:.0f} MB; send less"
        log.info("refused a request body over %d bytes", limit)
        await JSONResponse({"detail": message}, status_code=413)(scope, receive, send)


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
