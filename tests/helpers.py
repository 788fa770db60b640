"""Test helpers: small real models and data sets, model cards, and the app on a free port."""

from __future__ import annotations

import json
import math
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
from aigc_demo.backend.hub import ModelHub
from aigc_demo.models import register
from aigc_demo.settings import PROJECT_ROOT
from aigc_demo.ui import build_demo, launch_options

TEST_KIND = "test-mlp"


@register(TEST_KIND)
class TinyMLP(nn.Module):
    """A two-layer perceptron: the smallest real model the hub can build, fill and run."""

    def __init__(self, width: int = 8, depth_out: int = 3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, width), nn.Tanh(), nn.Linear(width, depth_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def make_card(**overrides) -> ModelCard:
    values = {
        "kind": TEST_KIND,
        "config": {"width": 8},
        "dataset": DatasetInfo(name="synthetic", license="CC0"),
        "training_command": "python -m aigc_demo train test --steps 1",
        "seed": 0,
        "metrics": {"loss": 0.5, "accuracy": 0.9},
    }
    values.update(overrides)
    return ModelCard(**values)


def make_model(seed: int = 0, width: int = 8) -> TinyMLP:
    torch.manual_seed(seed)
    return TinyMLP(width=width)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(hub: ModelHub) -> Iterator[str]:
    """The real app over ``hub``, served on a free loopback port; yields its URL."""
    demo = build_demo(hub)
    demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(),
    )
    try:
        yield demo.local_url
    finally:
        demo.close()


def tone(
    frequency: float, seconds: float = 0.5, sample_rate: int = 8000, amplitude: float = 0.5
) -> torch.Tensor:
    """A sine tone with a light second harmonic, like a very plain voice."""
    t = torch.arange(int(seconds * sample_rate)) / sample_rate
    return amplitude * (torch.sin(2 * math.pi * frequency * t) + 0.3 * torch.sin(4 * math.pi * frequency * t))


def write_tone_recordings(folder: Path, speakers=("alice", "bob"), per_digit: int = 6) -> Path:
    """A small spoken-digit-style dataset: digit d is a tone at 150 + 30 d Hz, one file each."""
    from aigc_demo.audio.wav import write_wav

    for speaker_number, speaker in enumerate(speakers):
        for digit in range(10):
            for index in range(per_digit):
                wave = tone(150 + 30 * digit + 3 * speaker_number, seconds=0.3 + 0.02 * index)
                write_wav(folder / f"{digit}_{speaker}_{index}.wav", wave, 8000)
    return folder


def make_speech_model(seed: int = 0):
    """A small, untrained but real speech generator with labelled directions."""
    from aigc_demo.models.speech import SpeechCVAE

    torch.manual_seed(seed)
    model = SpeechCVAE(latent_dim=4, channels=8, num_directions=3)
    with torch.no_grad():
        model.directions.copy_(torch.randn(3, 4))
    return model


def make_speech_card(model) -> ModelCard:
    directions = [
        {"factor": "pitch", "score": 0.61, "low": "lower", "high": "higher"},
        {"factor": "speaker", "score": 0.55, "low": "alice", "high": "bob"},
        {"factor": None, "score": 0.1, "low": "shorter", "high": "longer"},
    ]
    return make_card(kind="speech-cvae", config=dict(model.config), extras={"directions": directions})


def write_idx(path: Path, array) -> Path:
    """Write an unsigned-byte IDX file (gzipped when the name ends in .gz), as MNIST ships."""
    import gzip
    import struct

    import numpy as np

    array = np.asarray(array, dtype=np.uint8)
    data = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_bar_digits(folder: Path, train: int = 200, test: int = 50, seed: int = 0) -> Path:
    """A tiny MNIST-format dataset: class k is a bright bar at row 2 + 2k of a 28 x 28 image."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, 10, count)
        images = (rng.random((count, 28, 28)) * 40).astype(np.uint8)
        for image, label in zip(images, labels, strict=True):
            image[2 + 2 * label : 4 + 2 * label, 4:24] = 255
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
    return folder


def make_image_model(classes: int = 0, seed: int = 0):
    """A small, untrained but real image VAE with random directions."""
    from aigc_demo.models.image_vae import ImageVAE

    torch.manual_seed(seed)
    model = ImageVAE(latent_dim=4, channels=8, hidden=32, classes=classes, num_directions=3)
    with torch.no_grad():
        model.directions.copy_(torch.randn(3, 4))
    return model


ENGLISH = "\n !',.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
WORDS = (  # what varied_text draws from
    "the a cat dog owl boat sea mat sat ran went after over under green blue small old new river hill "
    "town road night day sun moon rain wind song bird tree stone door window house quick slow quiet loud "
    "bright dark happy sad red white black warm cold far near early late sings walks waits sleeps reads "
    "writes finds keeps brings holds turns looks falls rises"
)


def varied_text(lines: int = 400, seed: int = 0, start: str = "line") -> str:
    """Numbered lines of random words: text to learn from that does not merely repeat itself (which
    the app refuses), about 55 characters a line."""
    rng, words = random.Random(seed), WORDS.split()
    return "".join(
        f"{start} {i}: " + " ".join(rng.choice(words) for _ in range(rng.randint(6, 11))) + ".\n"
        for i in range(lines)
    )


CHINESE = "\n，。一人山水月花春風雲鄉舉頭望明低思故床前光疑是地上霜爲"


def make_text_model(vocabulary: str = ENGLISH, seed: int = 0, unknown: str = ""):
    """A small, untrained but real character-level LSTM."""
    from aigc_demo.models.char_rnn import CharRNN

    torch.manual_seed(seed)
    return CharRNN(vocabulary, unknown, embed_dim=8, hidden=16, layers=2).eval()


def make_text_card(model) -> ModelCard:
    return make_card(kind="char-rnn", config=dict(model.config))


def png_bytes(pixels) -> bytes:
    """A PNG file of a uint8 array (H, W) grey or (H, W, 3) colour."""
    import io

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def drawn_bar(label: int, size: int = 40, seed: int = 0):
    """A dark bar on white paper, like a pen stroke: class k is tilted a different way."""
    import numpy as np

    rng = np.random.default_rng(seed)
    paper = np.full((size, size), 235, dtype=np.uint8) - rng.integers(0, 15, (size, size)).astype(np.uint8)
    for row in range(8, size - 8):
        col = size // 2 + (row - size // 2) * (label - 1) // 2
        paper[row, col - 2 : col + 2] = 20
    return paper


def write_picture_zip(path: Path, per_class: int = 10, classes: int = 3) -> Path:
    """A zip of drawn bars in one folder per class (``0/``, ``1/``, ...), with a stray text file."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for label in range(classes):
            for index in range(per_class):
                archive.writestr(f"drawings/{label}/{index}.png", png_bytes(drawn_bar(label, seed=index)))
        archive.writestr("drawings/notes.txt", "not a picture")
        archive.writestr("__MACOSX/drawings/._0.png", b"resource fork")
    return path


def make_chat_model(vocabulary: str = " abcdefghijklmnopqrstuvwxyz?!.,"):
    """An untrained dialogue model (its vocabulary: the marks, ``vocabulary`` and the unknown mark)."""
    from aigc_demo.models.chat_rnn import ChatRNN
    from aigc_demo.text.dialogue import MARKS
    from aigc_demo.text.vocabulary import UNKNOWN

    torch.manual_seed(0)
    return ChatRNN(MARKS + vocabulary + UNKNOWN, UNKNOWN, embed_dim=8, hidden=16, layers=1, key_dim=8).eval()


def run_benchmark(script: str, out: Path, *arguments: str, timeout: float = 300) -> dict:
    """Run ``benchmarks/SCRIPT`` with ``--json OUT`` in a process of its own; its figures."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *arguments, "--json", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


TINY_WORLD = {"channels": 4, "code_channels": 2, "hidden": 4, "layers": 1}


def bar_digits(count: int = 20, seed: int = 0):
    """Blocky stand-ins for 28 x 28 digits, uint8: a bright bar in a different place for each."""
    import numpy as np

    rng = np.random.default_rng(seed)
    made = np.zeros((count, 28, 28), dtype=np.uint8)
    for index in range(count):
        top = int(rng.integers(2, 20))
        made[index, top : top + 6, 6:22] = 255
    return made


def make_world_model(seed: int = 0):
    """A small, untrained but real world model carrying ten bar digits."""
    from aigc_demo.models.world_model import WorldModel

    torch.manual_seed(seed)
    model = WorldModel(**TINY_WORLD)
    model.keep_examples(torch.from_numpy(bar_digits(10)))
    return model.eval()


def world_card(model) -> ModelCard:
    return make_card(kind="world-model", config=model.config, metrics={"valid_mse": 100.0})
