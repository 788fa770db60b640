"""Hostile visitors against the real app: what each attack costs the server, and whether it is refused.

Starts ``python app.py`` (shipped checkpoints, empty user folder, its own upload folder) and sends
each case through the HTTP call API, as anyone on the internet could: small requests built to grow
into gigabytes (an IDX header declaring huge pictures, a gzip or zip bomb, giant pictures or an hour
of audio in a small zip, a FLAC stream named .wav, a 20,000-character lens, settings whose product
is huge, a vocabulary of 50,000 characters, long unknown model names, an endless conversation, an
upload over the size limit). For each: the server's peak RSS growth (its /proc status sampled every
5 ms), the bytes written under its folders, the time, the answer, and the slowest answer another
visitor got meanwhile (the home page and a listing, polled every 0.2 s). A job a case starts is
stopped before the next.

Usage: python benchmarks/hostile.py [--cases NAME ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import struct
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import soundfile
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_process import call, running_app

MB = 1_000_000
FILE = {"_type": "gradio.FileData"}
Case = Callable[[httpx.Client, Path], tuple[str, list]]


def upload(client: httpx.Client, name: str, content: bytes) -> dict:
    response = client.post("/gradio_api/upload", files={"files": (name, content)})
    response.raise_for_status()
    return {"path": response.json()[0], "meta": FILE, "orig_name": name}


def idx_images(count: int, side: int, data: bytes = b"") -> bytes:
    return struct.pack(">BBBBIII", 0, 0, 8, 3, count, side, side) + data


def idx_labels(count: int) -> bytes:
    return struct.pack(">BBBBI", 0, 0, 8, 1, count) + bytes(count)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def image_job(client: httpx.Client, files: list[dict], name: str) -> tuple[str, list]:
    return "start_image_training", [name, files, "vae", "tiny", 1, 0.5, "", {}]


def idx_header_512(client, folder):
    """Two pictures declared 512 x 512: the model would be built to that size."""
    files = [
        upload(client, "train-images-idx3-ubyte.gz", gzip.compress(idx_images(2, 512, bytes(2 * 512 * 512)))),
        upload(client, "train-labels-idx1-ubyte.gz", gzip.compress(idx_labels(2))),
    ]
    return image_job(client, files, "hostile-idx-512")


def idx_gzip_bomb(client, folder):
    """A gzipped IDX file of about 0.5 MB that inflates to 512 MiB of pictures."""
    count = 512 * 2**20 // 784
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=9) as packed:
        packed.write(idx_images(count, 28))
        zeros = bytes(2**24)
        for _ in range(32):
            packed.write(zeros)
    files = [
        upload(client, "train-images-idx3-ubyte.gz", stream.getvalue()),
        upload(client, "train-labels-idx1-ubyte.gz", gzip.compress(idx_labels(count))),
    ]
    return image_job(client, files, "hostile-idx-bomb")


def giant_pictures(client, folder):
    """Twenty-five black 4096 x 4096 PNGs in a zip of under a megabyte."""
    picture = io.BytesIO()
    Image.new("L", (4096, 4096)).save(picture, format="PNG")
    archive = zipped({f"digit/{i}.png": picture.getvalue() for i in range(25)})
    return image_job(client, [upload(client, "giant.zip", archive)], "hostile-giant-pictures")


def many_small_pictures(client, folder):
    """1,500 drawings of 256 x 256 (a stroke on black; just within the upload's pixel budget of 100 M)
    in one zip of a few hundred kB: each is read and prepared in turn, never all kept decoded (5,000
    had grown the server by 1 GB; 4,000, within the budget of 300 M before, took 18 s to prepare)."""
    members = {}
    for i in range(1500):
        pixels = np.zeros((256, 256), dtype=np.uint8)
        pixels[60:200, 100 + i % 40 : 130 + i % 40] = 255
        picture = io.BytesIO()
        Image.fromarray(pixels).save(picture, format="PNG")
        members[f"{i % 10}/{i}.png"] = picture.getvalue()
    return image_job(client, [upload(client, "many.zip", zipped(members))], "hostile-many-pictures")


def large_one_bit_pictures(client, folder):
    """1,000 black 4,096 x 4,096 one-bit PNGs in a zip of a few hundred kB (they had taken 100 s of CPU
    to decode before a refusal): refused from their headers, before any is decoded."""
    picture = io.BytesIO()
    Image.new("1", (4096, 4096)).save(picture, format="PNG")
    archive = zipped({f"{i % 10}/{i}.png": picture.getvalue() for i in range(1000)})
    return image_job(client, [upload(client, "one-bit.zip", archive)], "hostile-one-bit")


def speech_job(files: list[dict], name: str) -> tuple[str, list]:
    return "start_speech_training", [name, files, "tiny", 1, 0.5, "", {}]


def hour_of_audio(client, folder):
    """An hour of silence (58 MB of WAV) in a zip of a few hundred kB."""
    wave = io.BytesIO()
    soundfile.write(wave, np.zeros(8000 * 3600, dtype=np.int16), 8000, format="WAV", subtype="PCM_16")
    archive = zipped({"1_visitor_0.wav": wave.getvalue()})
    return speech_job([upload(client, "hour.zip", archive)], "hostile-hour")


def flac_named_wav(client, folder):
    """A FLAC stream (a minute of noise) under a .wav name: decoded whole if trusted."""
    rng = np.random.default_rng(0)
    sound = io.BytesIO()
    soundfile.write(sound, rng.normal(0, 0.1, 8000 * 60), 8000, format="FLAC")
    archive = zipped({f"{d}_visitor_0.wav": sound.getvalue() for d in range(10)})
    return speech_job([upload(client, "flac.zip", archive)], "hostile-flac")


def zip_bomb(client, folder):
    """A zip whose members unpack to 1 GB."""
    zeros = bytes(100 * MB)
    archive = zipped({f"{i}/0.png": zeros for i in range(10)})
    return image_job(client, [upload(client, "bomb.zip", archive)], "hostile-zip-bomb")


def long_lens(client, folder):
    return "lens", ["shakespeare-lstm", "x" * 20_000, 10]


def huge_settings(client, folder):
    words = np.array(
        [
            "the",
            "cat",
            "sat",
            "on",
            "a",
            "mat",
            "by",
            "an",
            "old",
            "green",
            "door",
            "and",
            "ran",
            "to",
            "sea",
            "under",
            "rain",
        ]
    )
    text = " ".join(
        np.random.default_rng(0).choice(words, 150_000)
    )  # varied, long enough for a batch of 1024
    settings = {"batch_size": 1024, "hidden": 1024, "layers": 4}
    return "start_job", ["text", "hostile-settings", text, [], "tiny", 1, 0.5, "", settings]


def wide_vocabulary(client, folder):
    """200,000 characters drawn from 50,000 distinct ones, hidden 1024."""
    rng = np.random.default_rng(0)
    text = "".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 50_000, 200_000) % 20_000)
    text += "".join(chr(0x10000 + i) for i in range(30_000))
    return "start_job", ["text", "hostile-vocabulary", text, [], "tiny", 1, 0.5, "", {"hidden": 1024}]


def unknown_names(client, folder):
    """Fifty distinct 1 MB model names in a row (the last one is measured with the rest)."""
    for i in range(49):
        call(client, "decode", [f"{i}" + "x" * MB, "0", 1, *[0.0] * 8, 0, 0, 0, None, 0, 1, "principal"])
    return "decode", ["y" * MB, "0", 1, *[0.0] * 8, 0, 0, 0, None, 0, 1, "principal"]


def endless_conversation(client, folder):
    return "chat_reply", ["chat-en", ["hello there " * 90] * 1000, 0.8, 0, 1.0, 0]


def long_chat_history(client, folder):
    """The Chat page's streamed endpoint sent 2,000 messages (1 MB): what each part of the reply
    sends back must not grow with it."""
    text = [{"type": "text", "text": "hello there " * 40}]
    said = [{"role": ("user", "assistant")[i % 2], "content": text} for i in range(2000)]
    return "chat", ["chat-en", said, "and you?", 0.8, 0, 1.0, 0]


def huge_body(client, folder):
    """A 60 MB request body to an event (the limit is 9 MB): refused before Gradio reads it."""
    body = json.dumps({"data": ["x" * (60 * MB)]})
    response = client.post(
        "/gradio_api/call/lens", content=body, headers={"content-type": "application/json"}
    )
    return "", [response.status_code, response.text[:300]]


def long_chat_log(client, folder):
    """A chatbot asked to learn from one turn of 650,000 lines (the longest text the app takes): read
    in linear time (joined line by line, 1 M lines had taken 27 s), then trained within its budget."""
    text = "A: hi\nB: hello\n" + "ab\n" * 650_000
    return "start_job", ["chat", "hostile-chat-log", text, [], "tiny", 1, 0.5, "", {}]


def deep_model_card(client, folder):
    """A small text model whose card declares 20,000 LSTM layers and 300,000 characters (a card of 20,000
    layers had held a worker 211 s): refused by its numbers before anything is built."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard, save_checkpoint
    from aigc_demo.models.char_rnn import CharRNN

    model = CharRNN(vocabulary="abc", hidden=32, layers=1)
    config = {"vocabulary": "abc" * 100_000, "hidden": 32, "layers": 20_000}
    card = ModelCard(kind="char-rnn", config=config, dataset=DatasetInfo(name="none"))
    path = folder / "deep.safetensors"
    save_checkpoint(path, model.state_dict(), card)
    return "add_model", [upload(client, "deep.safetensors", path.read_bytes()), "deep"]


def oversized_upload(client, folder):
    """30 MB sent to the upload route (the limit is 20 MB)."""
    response = client.post("/gradio_api/upload", files={"files": ("big.txt", b"a" * (30 * MB))})
    return "", [response.status_code, response.text[:300]]


CASES: dict[str, Case] = {
    "idx-header-512": idx_header_512,
    "idx-gzip-bomb": idx_gzip_bomb,
    "giant-pictures": giant_pictures,
    "many-small-pictures": many_small_pictures,
    "large-one-bit-pictures": large_one_bit_pictures,
    "hour-of-audio": hour_of_audio,
    "flac-named-wav": flac_named_wav,
    "zip-bomb": zip_bomb,
    "long-lens": long_lens,
    "huge-settings": huge_settings,
    "wide-vocabulary": wide_vocabulary,
    "unknown-names": unknown_names,
    "endless-conversation": endless_conversation,
    "long-chat-history": long_chat_history,
    "huge-body": huge_body,
    "deep-model-card": deep_model_card,
    "long-chat-log": long_chat_log,
    "oversized-upload": oversized_upload,
}


class Watcher:
    """Calls ``tick`` every ``every`` seconds in a thread while the ``with`` block runs."""

    every = 0.2

    def tick(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        while self.running:
            self.tick()
            time.sleep(self.every)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()


class PeakMemory(Watcher):
    """The highest resident set size of a process while the block runs, sampled every 5 ms."""

    every = 0.005

    def __init__(self, pid: int):
        self.status = Path(f"/proc/{pid}/status")
        self.peak = self.start = self.rss()

    def rss(self) -> int:
        for line in self.status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def tick(self) -> None:
        self.peak = max(self.peak, self.rss())


class Neighbour(Watcher):
    """Another visitor opening the home page and listing the models every 0.2 s: the slowest answer
    of either while the block runs."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=120)
        self.slowest = 0.0

    def tick(self) -> None:
        started = time.perf_counter()
        self.client.get("/")
        self.slowest = max(self.slowest, time.perf_counter() - started)
        started = time.perf_counter()
        call(self.client, "list_models", [])
        self.slowest = max(self.slowest, time.perf_counter() - started)


def folder_bytes(*folders: Path) -> int:
    return sum(p.stat().st_size for folder in folders for p in folder.rglob("*") if p.is_file())


def run_case(name: str, app, client: httpx.Client, folders: tuple[Path, ...], scratch: Path) -> dict:
    before = folder_bytes(*folders)
    started = time.perf_counter()
    with Neighbour(app.url) as neighbour, PeakMemory(app.process.pid) as memory:
        api, data = CASES[name](client, scratch)
        sent = time.perf_counter()
        outcome, message = (
            call(client, api, data) if api else ("refused" if data[0] >= 400 else "ok", data[1])
        )
        finished = time.perf_counter()
    if api.startswith("start_") and outcome == "ok":
        stop_jobs(client, f"benchmark-{id(client):x}")  # what it saves counts as written
    if outcome == "error":
        message = json.loads(message).get("error") or ""
    return {
        "case": name,
        "outcome": outcome,
        "message": message[:300],
        "peak_rss_growth_mb": round((memory.peak - memory.start) / MB, 1),
        "written_mb": round((folder_bytes(*folders) - before) / MB, 2),
        "answer_s": round(finished - sent, 2),
        "total_s": round(finished - started, 2),
        "neighbour_slowest_s": round(neighbour.slowest, 2),
    }


def stop_jobs(client: httpx.Client, session: str) -> None:
    """Stop a job a case started and wait until it has saved what it learned (within a step)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        call(client, "stop_training", [])
        if job_state(client, session) not in ("running", "stopping", "waiting"):
            return
        time.sleep(0.5)


def job_state(client: httpx.Client, session: str) -> str:
    """The state /training_status gives the case's visitor."""
    response = client.post("/gradio_api/call/training_status", json={"data": [], "session_hash": session})
    event_id = response.json()["event_id"]
    with client.stream("GET", f"/gradio_api/call/training_status/{event_id}") as stream:
        lines = [line for line in stream.iter_lines() if line.startswith("data: ")]
    (status,) = json.loads(lines[-1].removeprefix("data: "))
    return status["state"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as uploads, tempfile.TemporaryDirectory() as scratch:
        env = {"GRADIO_TEMP_DIR": uploads, "AIGC_PUBLIC": "0"}
        with running_app(env) as app, httpx.Client(base_url=app.url.rstrip("/"), timeout=300) as client:
            folders = (Path(uploads), app.home)
            results = [run_case(name, app, client, folders, Path(scratch)) for name in args.cases]
            alive = app.process.poll() is None and call(client, "list_models", [])[0] == "ok"
    print(f"{'case':22} {'answer':8} {'RSS +MB':>8} {'written MB':>10} {'answer s':>8} {'others s':>8}")
    for r in results:
        print(
            f"{r['case']:22} {r['outcome']:8} {r['peak_rss_growth_mb']:8.1f} {r['written_mb']:10.2f} "
            f"{r['answer_s']:8.2f} {r['neighbour_slowest_s']:8.2f}  {r['message'][:70]}"
        )
    print(f"server alive at the end: {alive}")
    if args.json:
        args.json.write_text(json.dumps({"cases": results, "server_alive_at_end": alive}, indent=2))


if __name__ == "__main__":
    main()
