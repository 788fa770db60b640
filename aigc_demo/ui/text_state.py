"""What the Text page sends and keeps, named: the sampling settings (``SamplingSettings``, one name
per knob, as the CLI's flags name them), the page's state (``TextState``) and its record of the text
it shows (``Written``), which the lens and a later branch read."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aigc_demo.backend.seeding import MAX_SEED
from aigc_demo.pipelines import writing
from aigc_demo.text.poetry import FREE

KIND = "char-rnn"
RANGES = {  # each setting's range, also its slider's
    "temperature": (writing.MIN_TEMPERATURE, writing.MAX_TEMPERATURE),
    "top_k": (0, 100),
    "top_p": (0.05, 1.0),
    "length": (1, writing.MAX_LENGTH),
    "seed": (0, MAX_SEED),
    "samples": (1, writing.MAX_SAMPLES),
}
WHOLE = {"top_k", "length", "seed", "samples"}  # settings that are whole numbers


@dataclass(frozen=True)
class SamplingSettings:
    """How to write: ``checked`` refuses bad values with a message a person can act on."""

    temperature: Any = 0.8
    top_k: Any = 0
    top_p: Any = 1.0
    length: Any = 400
    seed: Any = 0
    samples: Any = 1

    def checked(self) -> tuple[writing.Sampling, int, int, int]:
        """(how to draw, characters to write, seed, samples), each checked."""
        sampling = writing.Sampling.checked(self.temperature, self.top_k, self.top_p)
        return (sampling, *writing.check_request(self.length, self.seed, self.samples))


NAMES = tuple(field.name for field in dataclasses.fields(SamplingSettings))


@dataclass(frozen=True)
class TextState:
    """What the page's controls say: the model, the prompt, how to write, the script Chinese is
    shown in and, for a poem model, the poem's form."""

    model: str | None
    prompt: str = ""
    sampling: SamplingSettings = SamplingSettings()
    script: str = "traditional"
    form: str = FREE


@dataclass(frozen=True)
class Written:
    """What the page keeps of a text it shows: the model, the prompt as read, one text per sample and
    the form, so that the lens and a later branch read it the same way; whether it is still being
    written (no lens of it yet); its lens (per character of the first sample: the character, its
    probability, the entropy, the candidates) and the character clicked in it."""

    model: str | None = None
    prompt: str = ""
    texts: tuple[str, ...] = ()
    form: str = FREE
    writing: bool = False
    lens: tuple = ()
    position: int | None = None

    def first(self) -> str:
        """The prompt and the first sample: the text the lens explains."""
        return self.prompt + (self.texts[0] if self.texts else "")
