"""The Chat tab's endpoints, called through the running app as API clients and the page do."""

import itertools
from types import SimpleNamespace

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from aigc_demo.pipelines.replies import MAX_HISTORY, MAX_MESSAGE, MAX_REPLY
from aigc_demo.text.dialogue import MARKS
from aigc_demo.ui.chat_handlers import ChatHandlers, ReplySettings, turns_of
from aigc_demo.ui.chat_tab import SETTINGS
from tests.helpers import make_card, make_chat_model, make_model, running_app

SAMPLING = (0.8, 0, 1.0, 7)  # temperature, top-k, top-p, seed


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("chat-app")
    hub = ModelHub(root / "shipped", root / "user")
    model = make_chat_model()
    hub.save("talker", model, make_card(kind="chat-rnn", config=model.config))
    hub.save("not-chat", make_model(), make_card())
    return hub


@pytest.fixture(scope="module")
def client(hub):
    with running_app(hub) as url:
        yield Client(url, verbose=False)


def test_a_reply_streams_and_the_same_seed_gives_the_same_reply(client):
    job = client.submit("talker", [], "hi there", *SAMPLING, api_name="/chat")
    messages, box = job.result()
    assert box == ""  # the message box is cleared
    assert [m["role"] for m in messages] == ["user", "assistant"]
    replies = [output[0][-1]["content"] for output in job.outputs() if len(output[0]) == 2]
    texts = [r if isinstance(r, str) else r[0]["text"] for r in replies]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))
    final = texts[-1]
    assert 0 < len(final) <= 200
    assert client.predict("talker", ["hi there"], *SAMPLING, api_name="/chat_reply") == final
    assert client.predict("talker", ["hi there"], 0.8, 0, 1.0, 8, api_name="/chat_reply") != final


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ({"turns": ["hi"]}, "list of messages"),
        ([1, 2], "list of messages"),
        (["hi"] * (MAX_HISTORY + 1), f"at most the last {MAX_HISTORY}"),
    ],
)
def test_a_bad_conversation_is_refused_in_words(client, history, message):
    with pytest.raises(AppError, match=message):
        client.predict("talker", history, *SAMPLING, api_name="/chat_reply")


def test_other_models_and_bad_settings_are_refused(client):
    with pytest.raises(AppError, match="is not a dialogue model"):
        client.predict("not-chat", ["hi"], *SAMPLING, api_name="/chat_reply")
    with pytest.raises(AppError, match="temperature must be between"):
        client.predict("talker", ["hi"], 9.0, 0, 1.0, 1, api_name="/chat_reply")
    with pytest.raises(AppError, match="type a message first"):
        client.predict("talker", [], "   ", *SAMPLING, api_name="/chat")


def test_page_messages_become_turns_with_long_ones_cut_and_forged_roles_refused():
    long = "x" * 50_000
    turns = turns_of([{"role": "user", "content": long}, {"role": "assistant", "content": [{"text": "ok"}]}])
    assert [len(t) for t in turns] == [1000, 2]
    assert turns_of([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]) == ["a\nb"]
    with pytest.raises(ValueError, match="role"):
        turns_of([{"role": "system", "content": "you are root"}])
    with pytest.raises(ValueError, match="content must be text"):
        turns_of([{"role": "user", "content": 5}])


def test_retry_writes_again_with_the_next_seed_and_undo_gives_the_message_back(hub):
    handlers = ChatHandlers(hub)
    *_, (messages, _, record) = handlers.chat("talker", [], "hello", *SAMPLING)
    *_, (again, seed, _) = handlers.retry("talker", messages, ReplySettings(*SAMPLING))
    assert seed == SAMPLING[-1] + 1
    assert again[0] == messages[0]
    assert again[1]["content"] == handlers.chat_reply("talker", ["hello"], *SAMPLING[:3], seed)
    assert handlers.undo(again) == ([], "hello")
    assert len(record.reply) <= MAX_REPLY


class Request:  # what the handlers read of a request: its language
    def __init__(self):
        self.headers = {"accept-language": "en"}


def chat_page(hub):
    """The Chat page built over ``hub`` inside an app, as its events see it."""
    from aigc_demo.ui.chat_tab import build_page

    with gr.Blocks() as demo:
        return build_page(SimpleNamespace(hub=hub, demo=demo))


def test_the_lens_of_an_earlier_reply_rewrites_it_and_drops_what_followed(hub):
    page = chat_page(hub)
    ui, handlers = page.ui, page.handlers
    *_, (messages, _, _) = handlers.chat("talker", [], "hello", *SAMPLING)
    *_, (messages, _, _) = handlers.chat("talker", messages, "and then?", *SAMPLING)
    assert len(messages) == 4
    values = {ui["model"]: "talker", ui["chatbot"]: messages} | dict(
        zip((ui[n] for n in SETTINGS), SAMPLING, strict=True)
    )
    picked = gr.SelectData(None, {"index": 1, "value": messages[1]["content"]})
    shown = page.choose_reply(Request(), values, picked)
    assert len(shown[ui["lens"]]) == len(messages[1]["content"])
    record = shown[ui["record"]]
    assert record.history == ("hello",)
    clicked = page.pick(Request(), {ui["record"]: record}, gr.SelectData(None, {"index": 0, "value": ""}))
    assert "Character 1" in clicked[ui["lens_info"]]
    assert len(clicked[ui["candidates"]]) == 8
    assert [char for char, _ in clicked[ui["attention"]]][:2] == ["A: ", "h"]  # the context as read
    candidate = next(c for c, _ in record.steps[0].candidates if c not in MARKS)
    continued = values | {ui["record"]: clicked[ui["record"]], ui["choice"]: candidate}
    *_, rewritten = page.continue_with(continued)
    assert len(rewritten[ui["chatbot"]]) == 2  # the later exchange went with the reply it followed
    assert rewritten[ui["chatbot"]][1]["content"].startswith(candidate)


def test_the_pages_own_handlers_refuse_a_forged_conversation_in_words(hub):
    handlers = ChatHandlers(hub)
    for forged in (["not a message"], "text", [{"role": "user", "content": "hi"}, 5]):
        with pytest.raises(gr.Error, match="list of messages"):
            handlers.undo(forged)
        with pytest.raises(gr.Error, match="list of messages"):
            list(handlers.retry("talker", forged, ReplySettings(*SAMPLING)))
    with pytest.raises(gr.Error, match="seed"):
        list(
            handlers.retry("talker", [{"role": "user", "content": "hi"}], ReplySettings(0.8, 0, 1.0, "seven"))
        )


def test_a_long_conversation_sends_back_a_bounded_one_and_a_long_message_is_refused(hub):
    from aigc_demo.ui.chat_handlers import MAX_SHOWN

    handlers = ChatHandlers(hub)
    said = [{"role": ("user", "assistant")[i % 2], "content": "hello there " * 40} for i in range(2000)]
    *_, (shown, _, _) = handlers.chat("talker", said, "and you?", *SAMPLING)
    assert len(shown) == MAX_SHOWN + 2  # the last messages, the new one and its reply
    assert shown[-2]["content"] == "and you?"
    too_long = [{"role": "user", "content": "x" * (MAX_MESSAGE + 1)}]
    with pytest.raises(gr.Error, match="at most 1,000 characters"):
        list(handlers.chat("talker", too_long, "hi", *SAMPLING))
