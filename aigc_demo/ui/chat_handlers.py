"""What the Chat page computes, over the hub: replies streamed to a conversation, written again with
the next seed or from a character of the lens, the lens of a reply with the pointer's attention, and
the public API endpoints (``chat``, ``chat_reply``), which keep their arguments in the order callers
send them. A test calls them without a server."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aigc_demo.backend.hub import ModelHub
from aigc_demo.backend.seeding import MAX_SEED, check_seed
from aigc_demo.pipelines import replies, streams
from aigc_demo.pipelines.writing import Sampling
from aigc_demo.text.dialogue import END, SPEAKERS
from aigc_demo.ui.handlers import load_model, shows_errors, speaks_chinese

KIND = "chat-rnn"
ROLES = ("user", "assistant")
MAX_SHOWN = 2 * replies.MAX_HISTORY  # messages the chat box keeps (the model reads fewer)
STREAM_INTERVAL = 0.04  # seconds between updates of the page while replying
EXAMPLES = {
    "en": ["hi! how are you doing today?", "what kind of music do you like?", "any plans for the weekend?"],
    "zh-CN": ["你好，最近看了什么电影？", "你喜欢听周杰伦的歌吗？", "推荐一个值得去的旅游景点吧"],
}


@dataclass(frozen=True)
class ReplySettings:
    """How a reply is drawn, by the names the page, the API and the CLI give each knob."""

    temperature: Any = 0.7
    top_k: Any = 0
    top_p: Any = 0.9
    seed: Any = 0

    def sampling(self) -> Sampling:
        return Sampling.checked(self.temperature, self.top_k, self.top_p)


@dataclass(frozen=True)
class Reply:
    """The page's record of a reply for its lens: the model, the turns before it, the reply, its place
    among the chat box's messages; once its lens is made, the context as the model read it and each
    character's step; and the character clicked in the lens."""

    model: str | None = None
    history: tuple[str, ...] = ()
    reply: str = ""
    index: int = 0
    context: str = ""
    steps: tuple = ()
    position: int | None = None


def _model(hub: ModelHub, name: str | None) -> Any:
    return load_model(hub, name, (KIND,), "dialogue").module


def turns_of(messages: Any) -> list[str]:
    """The conversation's turns from the chat box's messages (oldest first), checked: a person's
    messages and the model's alternate, so two in a row by one side read as one turn."""
    if messages is None:
        return []
    if not isinstance(messages, list):
        raise ValueError("the conversation must be a list of messages")
    turns: list[str] = []
    last_role = None
    for message in messages[-2 * replies.MAX_HISTORY :]:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise ValueError('each message must have a role ("user" or "assistant") and a content')
        content = _text_of(message.get("content"))
        if message["role"] == last_role and turns:
            turns[-1] = f"{turns[-1]}\n{content}"
        else:
            turns.append(content)
        last_role = message["role"]
    return replies.check_history(turns[-replies.MAX_HISTORY :])


def _messages(messages: Any) -> list[dict]:
    """The chat box's messages as sent, checked to be a list of messages none longer than a message
    may be (a copy). What a reply sends back is cut to the last ``MAX_SHOWN`` of them (``_kept``)."""
    if messages is None:
        return []
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ValueError("the conversation must be a list of messages")
    if any(sum(map(len, _parts(m.get("content")))) > replies.MAX_MESSAGE for m in messages):
        raise ValueError(f"a message may hold at most {replies.MAX_MESSAGE:,} characters")
    return list(messages)


def kept_conversation(messages: Any) -> list[dict]:
    """A conversation the browser kept, given back to the chat box: its last messages, their texts
    only, each checked as a message sent is ([] for anything else: it came from the browser)."""
    try:
        checked = _kept(_messages(messages))
    except ValueError:
        return []
    return [  # each message's text parts as they were (the chat box shows parts apart)
        {"role": m["role"], "content": [{"type": "text", "text": text} for text in _parts(m.get("content"))]}
        for m in checked
        if m.get("role") in ROLES
    ]


def _kept(messages: list[dict]) -> list[dict]:
    """The last messages, which the chat box keeps and every part of a reply sends back: bounded,
    however long the conversation a caller sends."""
    return messages[-MAX_SHOWN:]


def _parts(content: Any) -> list[str]:
    """The texts a message's content holds: a string, or the text parts of Gradio's list of parts."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [
            part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
    return []


def _before_reply(messages: Any) -> list[dict]:
    """The messages without the model's reply at the end: the person's last message comes last."""
    messages = _messages(messages)
    while messages and messages[-1].get("role") == "assistant":
        messages.pop()
    return messages


def _text_of(content: Any) -> str:
    """A message's text: a string, or Gradio's list of parts (texts only)."""
    if not isinstance(content, str | list):
        raise ValueError("a message's content must be text")
    return "".join(_parts(content))[: replies.MAX_MESSAGE]


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def _reply_events(model: Any, history: list[str], sampling: Sampling, seed: Any, start: str = ""):
    """Replies written so far, at most one every ``STREAM_INTERVAL`` (and always the last). A reply
    of its own is the best of several drawn (``replies.best_reply``), shown as it is chosen; one that
    continues a start the visitor picked in the lens streams as it is written."""
    together = streams.scheduler_for(model)  # written beside every other visitor's replies
    if not start:
        yield replies.best_reply(model, history, sampling, seed, scheduler=together)
        return
    last, written = 0.0, start
    for written in replies.reply_stream(
        model, history, sampling, seed, replies.DEFAULT_REPLY, start, scheduler=together
    ):
        if time.monotonic() - last >= STREAM_INTERVAL:
            last = time.monotonic()
            yield written
    yield written


class ChatHandlers:
    """What the Chat page computes, over one hub."""

    def __init__(self, hub: ModelHub):
        self.hub = hub

    @shows_errors
    def chat(
        self,
        model_name: str,
        messages: Any,
        message: str,
        temperature: float,
        top_k: float,
        top_p: float,
        seed: float,
    ):
        """Send ``message`` and stream the model's reply: yields (messages with the reply so far, the
        cleared message box, the page's record of the reply for the lens)."""
        settings = ReplySettings(temperature, top_k, top_p, seed)
        for shown, record in self.replied(model_name, messages, message, settings):
            yield shown, "", record

    @shows_errors
    def replied(
        self, model_name: Any, messages: Any, message: Any, settings: ReplySettings
    ) -> Iterator[tuple]:
        """(messages with the reply so far, the reply's record) while the reply to ``message`` is written."""
        if not isinstance(message, str) or not message.strip():
            raise ValueError("type a message first")
        model = _model(self.hub, model_name)
        sampling = settings.sampling()
        shown = [*_kept(_messages(messages)), _message("user", message[: replies.MAX_MESSAGE])]
        history = tuple(turns_of(shown))
        for written in _reply_events(model, list(history), sampling, settings.seed):
            yield [*shown, _message("assistant", written)], Reply(model_name, history, written, len(shown))

    @shows_errors
    def chat_reply(
        self,
        model_name: str,
        history: list[str],
        temperature: float = 0.8,
        top_k: int = 0,
        top_p: float = 1.0,
        seed: int = 0,
    ) -> str:
        """The reply to a conversation in one call: ``history`` lists the turns, oldest first, the newest
        the person's; the best of several drawn, as the page answers. The same conversation, settings
        and seed give the same reply."""
        model = _model(self.hub, model_name)
        sampling = Sampling.checked(temperature, top_k, top_p)
        history = replies.check_history(history)
        return replies.best_reply(model, history, sampling, seed, scheduler=streams.scheduler_for(model))

    @shows_errors
    def retry(self, model_name: Any, messages: Any, settings: ReplySettings) -> Iterator[tuple]:
        """Write the last reply again with the next seed: (messages, the seed used, the reply's record)."""
        messages = _kept(_before_reply(messages))
        if not messages:
            raise ValueError("there is no message to reply to yet")
        next_seed = (check_seed(settings.seed) + 1) % (MAX_SEED + 1)
        model = _model(self.hub, model_name)
        history = tuple(turns_of(messages))
        for written in _reply_events(model, list(history), settings.sampling(), next_seed):
            yield (
                [*messages, _message("assistant", written)],
                next_seed,
                Reply(model_name, history, written, len(messages)),
            )

    @shows_errors
    def undo(self, messages: Any) -> tuple[list, str]:
        """Take back the last message and its reply; the message returns to the box."""
        messages = _before_reply(messages)
        said = _text_of(messages.pop().get("content")) if messages else ""
        return messages, said

    @shows_errors
    def lens_of(self, record: Reply) -> tuple[list[tuple[str, float]], Reply]:
        """A reply's characters shaded by the model's probability of each, and the record keeping its
        context and steps."""
        model = _model(self.hub, record.model)
        context, steps = replies.reply_lens(model, list(record.history), record.reply)
        shaded = [("⏎" if s.char == "\n" else s.char, s.probability) for s in steps]
        return shaded, dataclasses.replace(record, context=context, steps=tuple(steps), position=None)

    @shows_errors
    def chosen_reply(self, model_name: Any, messages: Any, index: Any) -> Reply | None:
        """The record of the reply at ``index`` in the chat box, read with the turns before it (None
        when no reply is there)."""
        messages = _messages(messages)
        if (
            not isinstance(index, int)
            or not 0 <= index < len(messages)
            or messages[index].get("role") != "assistant"
        ):
            return None
        said = _text_of(messages[index].get("content"))
        return Reply(model_name, tuple(turns_of(messages[:index])), said, index)

    @shows_errors
    def continued(
        self, messages: Any, record: Reply, candidate: Any, settings: ReplySettings
    ) -> Iterator[tuple]:
        """Rewrite the reply in the lens from the clicked character, with the candidate picked there;
        the messages after that reply go (the conversation goes on from the new one)."""
        if not record.steps or record.position is None or not candidate:
            raise ValueError("click a character of the reply in the lens, then pick a candidate")
        messages = _kept(_before_reply(_messages(messages)[: record.index]))
        model = _model(self.hub, record.model)
        start = record.reply[: record.position] + candidate
        for written in _reply_events(model, list(record.history), settings.sampling(), settings.seed, start):
            yield (
                [*messages, _message("assistant", written)],
                Reply(record.model, record.history, written, len(messages)),
            )


def attention_view(context: str, weights: list[float]) -> list[tuple[str, float]]:
    """The context as the model read it (speaker marks as "A:"/"B:", turn ends as new lines), each
    character shaded by the pointer's weight on copying it, scaled so the heaviest is darkest."""
    top = max(weights, default=0.0) or 1.0
    names = {SPEAKERS[0]: "A: ", SPEAKERS[1]: "B: ", END: "\n", "\n": "⏎"}
    return [(names.get(char, char), weight / top) for char, weight in zip(context, weights, strict=True)]


def examples_for(hub: ModelHub, name: str | None) -> list[dict[str, str]]:
    """The example messages in the language the model speaks (English for none)."""
    return [{"text": example} for example in EXAMPLES["zh-CN" if speaks_chinese(hub, name) else "en"]]
