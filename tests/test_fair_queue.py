"""The queue gives each visitor a share: a client sending a flood is told to wait for its own requests,
and another visitor still gets in (the app behind a public host's proxy, told apart by address)."""

from __future__ import annotations

import threading
import time

import httpx

from aigc_demo.backend.hub import ModelHub
from tests.helpers import make_text_card, make_text_model, running_app

SLOW = ["bard", "Once", 0.8, 0, 1.0, 2000, 0, 4, "free"]  # four samples of 2,000 characters: a busy second


def send(client: httpx.Client, address: str, session: int = 0, language: str = "en") -> httpx.Response:
    """A call from ``address``; a session of its own each time does not make it another visitor."""
    return client.post(
        "/gradio_api/call/generate",
        json={"data": SLOW, "session_hash": f"visitor-{address}-{session}"},
        # the first address is the client's to write
        headers={"x-forwarded-for": f"203.0.113.9, {address}", "accept-language": language},
    )


def test_one_address_cannot_fill_the_queue_for_everyone(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_PUBLIC", "1")
    monkeypatch.setenv("AIGC_TRUSTED_PROXIES", "1")  # as behind a public host's proxy
    monkeypatch.setenv("AIGC_STREAMS", "1")  # one writing at a time: the others wait in the queue
    monkeypatch.setenv("AIGC_QUEUE_SHARE", "2")
    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    model = make_text_model()
    hub.save("bard", model, make_text_card(model))
    with running_app(hub) as url, httpx.Client(base_url=url.rstrip("/"), timeout=120) as client:
        flood = [send(client, "198.51.100.1", session) for session in range(6)]
        refused = [r for r in flood if r.status_code == 503]
        assert [r.status_code for r in flood[:3]] == [200, 200, 200]  # one running, two waiting
        assert len(refused) >= 2
        assert "the most one visitor may have" in refused[0].text
        assert "每位访客的上限" in send(client, "198.51.100.1", 9, "zh-CN").text  # in the visitor's language
        assert send(client, "198.51.100.2").status_code == 200  # another visitor still gets in
        assert send(client, "198.51.100.2").status_code == 503  # one page may hold half the share
        assert send(client, "198.51.100.2", session=1).status_code == 200  # another page at that address
        for accepted in [r for r in flood if r.status_code == 200]:  # and the flood's own are answered
            event_id = accepted.json()["event_id"]
            with client.stream("GET", f"/gradio_api/call/generate/{event_id}") as stream:
                assert any(line == "event: complete" for line in stream.iter_lines())


def test_one_address_may_upload_only_its_hourly_share(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_PUBLIC", "1")
    monkeypatch.setenv("AIGC_TRUSTED_PROXIES", "1")  # as behind a public host's proxy
    monkeypatch.setenv("AIGC_UPLOAD_MB_PER_HOUR", "3")
    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    megabyte = b"a" * 1_000_000
    with running_app(hub) as url, httpx.Client(base_url=url.rstrip("/"), timeout=60) as client:

        def upload(address: str) -> httpx.Response:
            files = {"files": ("part.txt", megabyte)}
            return client.post("/gradio_api/upload", files=files, headers={"x-forwarded-for": address})

        answers = [upload("198.51.100.1").status_code for _ in range(4)]
        assert answers == [200, 200, 429, 429]  # each request's body is a little over 1 MB
        refused = upload("198.51.100.1")
        assert "in the last hour" in refused.json()["detail"]
        recorded = client.post(  # Gradio's other route that takes files counts against the same budget
            "/gradio_api/process_recording",
            files={"files": ("part.wav", megabyte)},
            headers={"x-forwarded-for": "198.51.100.1"},
        )
        assert recorded.status_code == 429
        assert upload("198.51.100.2").status_code == 200  # another visitor still may


def test_a_request_body_is_held_to_its_limit_before_the_app_reads_it(monkeypatch):
    """Declared too large: refused before a byte is read; not declared (chunked): refused as soon as
    what arrived passes the limit, and the app behind never holds the whole body."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from aigc_demo.ui.middleware import BodyLimit

    monkeypatch.setenv("AIGC_MAX_BODY_MB", "1")
    seen = []

    async def read(request):
        seen.append(len(await request.body()))
        return PlainTextResponse("read")

    client = TestClient(BodyLimit(Starlette(routes=[Route("/gradio_api/call/x", read, methods=["POST"])])))
    assert client.post("/gradio_api/call/x", content=b"a" * 1000).text == "read"
    declared = client.post("/gradio_api/call/x", content=b"a" * 1_000_001)
    assert declared.status_code == 413
    assert "at most 1 MB" in declared.json()["detail"]

    def chunks():
        for _ in range(30):
            yield b"a" * 100_000

    streamed = client.post("/gradio_api/call/x", content=chunks())
    assert streamed.status_code == 413
    assert seen == [1000]  # neither large body reached the app


def test_a_client_cannot_choose_its_address_by_writing_the_forwarded_header(monkeypatch):
    """Without a trusted proxy the connection's address counts, whatever ``X-Forwarded-For`` says;
    behind one, the address that proxy saw (entries before it are the client's own writing); an IPv6
    host counts as its /64 network."""
    from types import SimpleNamespace

    from aigc_demo.ui.middleware import visitor_address

    def request(host: str, forwarded: str = "") -> SimpleNamespace:
        return SimpleNamespace(headers={"x-forwarded-for": forwarded}, client=SimpleNamespace(host=host))

    monkeypatch.setenv("AIGC_PUBLIC", "1")
    monkeypatch.delenv("SPACE_ID", raising=False)
    monkeypatch.delenv("AIGC_TRUSTED_PROXIES", raising=False)
    spoofed = [visitor_address(request("198.51.100.7", f"203.0.113.{i}")) for i in range(3)]
    assert spoofed == ["198.51.100.7"] * 3  # one visitor, however many addresses it claims
    monkeypatch.setenv("SPACE_ID", "someone/space")  # Spaces: its proxy adds the address it saw
    assert visitor_address(request("10.0.0.2", "203.0.113.1, 198.51.100.7")) == "198.51.100.7"
    monkeypatch.setenv("AIGC_TRUSTED_PROXIES", "2")
    assert visitor_address(request("10.0.0.2", "203.0.113.1, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert visitor_address(request("10.0.0.2", "198.51.100.7")) == "10.0.0.2"  # fewer hops than trusted
    monkeypatch.setenv("AIGC_TRUSTED_PROXIES", "0")
    first, second = (visitor_address(request(f"2001:db8:1:2::{i}")) for i in (5, 6))
    assert first == second == "2001:db8:1:2::/64"


def test_a_free_place_goes_to_the_visitor_served_least_not_to_the_first_in_line(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("AIGC_STREAMS", "1")  # one writing at a time: who goes next is the queue's choice
    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    model = make_text_model()
    hub.save("bard", model, make_text_card(model))
    with running_app(hub) as url, httpx.Client(base_url=url.rstrip("/"), timeout=120) as client:
        many = [send(client, "198.51.100.1", session) for session in range(3)]  # one runs, two wait
        other = send(client, "198.51.100.2")  # another visitor, in line behind them
        finished: dict[str, float] = {}

        def wait_for(name: str, response: httpx.Response) -> None:
            path = f"/gradio_api/call/generate/{response.json()['event_id']}"
            with (
                httpx.Client(base_url=url.rstrip("/"), timeout=120) as reader,
                reader.stream("GET", path) as s,
            ):
                assert any(line == "event: complete" for line in s.iter_lines())
            finished[name] = time.monotonic()

        named = {"first": many[0], "second": many[1], "third": many[2], "other": other}
        readers = [threading.Thread(target=wait_for, args=item) for item in named.items()]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=120)
        assert sorted(finished) == sorted(named)
        assert finished["first"] < finished["other"] < finished["second"] < finished["third"]
