"""The Text tab's endpoints, called through the running app as API clients and the page do."""

import itertools

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from aigc_demo.text.vocabulary import UNKNOWN
from tests.helpers import CHINESE, make_card, make_model, make_text_card, make_text_model, running_app

# temperature, top-k, top-p, length, seed, samples
SETTINGS = (0.8, 0, 1.0, 60, 1, 1)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("text-app")
    hub = ModelHub(root / "shipped", root / "user")
    english = make_text_model()
    hub.save("bard", english, make_text_card(english))
    chinese = make_text_model(CHINESE + UNKNOWN, unknown=UNKNOWN)
    hub.save("poet", chinese, make_text_card(chinese))
    hub.save("not-text", make_model(), make_card())
    with running_app(hub) as url:
        yield Client(url, verbose=False)


def test_stream_text_streams_growing_text_that_ends_in_the_full_continuation(client):
    job = client.submit("bard", "ROMEO:", 0.8, 0, 1.0, 2000, 1, 1, "traditional", api_name="/stream_text")
    final_text, notes = job.result()
    pages = [output[0] for output in job.outputs()]
    assert len(pages) >= 2
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(pages))
    assert final_text.startswith("ROMEO:")
    assert len(final_text) == len("ROMEO:") + 2000
    assert notes == ""


def test_same_seed_same_text_through_the_api(client):
    first = client.predict("bard", "To be", *SETTINGS, api_name="/generate")
    again = client.predict("bard", "To be", *SETTINGS, api_name="/generate")
    other = client.predict("bard", "To be", 0.8, 0, 1.0, 60, 2, 1, api_name="/generate")
    assert first == again
    assert first["continuations"] != other["continuations"]
    assert first["prompt"] == "To be"
    assert len(first["continuations"][0]) == 60


def test_several_samples_come_back_under_headings(client):
    text, _ = client.predict("bard", "Hi", 0.8, 0, 1.0, 20, 1, 3, "traditional", api_name="/stream_text")
    assert text.count("Hi") >= 3
    assert "sample 3" in text
    result = client.predict("bard", "Hi", 0.8, 0, 1.0, 20, 1, 3, api_name="/generate")
    assert len(result["continuations"]) == 3


def test_lens_and_branch_rewrite_from_a_chosen_character(client):
    text = "ROMEO:\nWhat light"
    steps = client.predict("bard", text, 7, api_name="/lens")
    assert [s["char"] for s in steps] == list("What light")
    for step in steps:
        assert 0 < step["probability"] <= 1
        assert len(step["candidates"]) == 8
    alternative = steps[0]["candidates"][1][0]
    branched = client.predict("bard", text, 7, alternative, *SETTINGS, api_name="/branch")
    assert branched.startswith("ROMEO:\n" + alternative)
    assert len(branched) == len("ROMEO:\n") + 1 + 60


def test_prompt_problems_come_back_as_notes_not_errors(client):
    result = client.predict("bard", "Caf\u00e9\x07!", *SETTINGS, api_name="/generate")
    assert result["prompt"] == "Caf!"
    assert len(result["notes"]) == 2
    empty = client.predict("bard", "", *SETTINGS, api_name="/generate")
    assert empty["prompt"] == "\n"


def test_a_chosen_poem_form_is_kept_through_the_api_and_a_prompt_that_breaks_it_is_explained(client):
    from aigc_demo.text.poetry import FORMS, layout_of

    for form, seed in itertools.product(FORMS, (1, 2)):
        settings = (1.2, 0, 1.0, 2000, seed, 2)
        result = client.predict("poet", "春風\n明月\n", *settings, form, api_name="/generate")
        for poem in result["continuations"]:
            assert layout_of(result["prompt"] + poem) == FORMS[form]
            assert poem.endswith("\n\n")
        one = (*settings[:-1], 1, "simplified", form)
        text, _ = client.predict("poet", "春風", *one, api_name="/stream_text")
        assert layout_of(text.strip("\n")) == FORMS[form]  # a typed title is taken as whole
    with pytest.raises(AppError, match="does not fit the form"):
        client.predict("poet", "春\n人\n一二，", *SETTINGS, "quatrain-5", api_name="/generate")
    with pytest.raises(AppError, match="form must be one of"):
        client.predict("poet", "春", *SETTINGS, "sonnet", api_name="/generate")
    with pytest.raises(AppError, match="cannot write poems"):
        client.predict("bard", "Hi", *SETTINGS, "quatrain-7", api_name="/generate")


def test_a_bare_http_call_without_the_last_arguments_gets_their_defaults(client):
    """/generate and /stream_text gained ``form``; a caller sending the earlier arguments still works."""
    import httpx

    def call(api: str, data: list) -> tuple[str, str]:
        with httpx.Client(base_url=client.src.rstrip("/"), timeout=60) as http:
            event = http.post(f"/gradio_api/call/{api}", json={"data": data}).json()["event_id"]
            with http.stream("GET", f"/gradio_api/call/{api}/{event}") as stream:
                lines = list(stream.iter_lines())
        kind = [line for line in lines if line.startswith("event: ")][-1]
        return kind.removeprefix("event: "), [line for line in lines if line.startswith("data: ")][-1]

    earlier = ["poet", "春風\n明月\n", *SETTINGS]
    assert call("generate", earlier) == call("generate", [*earlier, "free"])
    assert call("generate", earlier)[0] == "complete"
    assert call("stream_text", [*earlier, "traditional"])[0] == "complete"
    assert call("generate", ["poet"])[0] == "error"  # a prompt has no default: still refused


def test_chinese_model_reads_simplified_and_can_show_either_script(client):
    result = client.predict("poet", "举头望明月", *SETTINGS, api_name="/generate")
    assert result["prompt"] == "舉頭望明月"
    text, notes = client.predict("poet", "举头望明月", *SETTINGS, "simplified", api_name="/stream_text")
    assert text.startswith("举头望明月")
    assert "Traditional" in notes


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("bard", "x", 0.8, 0, 1.0, 5000, 1, 1), "length"),
        (("bard", "x", 0.8, 0, 1.0, 10, -3, 1), "seed"),
        (("bard", "x", 0.8, 0, 0.0, 10, 1, 1), "top-p"),
        (("bard", "x", 9.0, 0, 1.0, 10, 1, 1), "temperature"),
        (("bard", "x", 0.8, 0, 1.0, 10, 1, 99), "samples"),
        (("nobody", "x", 0.8, 0, 1.0, 10, 1, 1), "no model named"),
        (("not-text", "x", 0.8, 0, 1.0, 10, 1, 1), "not a text model"),
    ],
)
def test_bad_requests_get_a_clear_error_and_the_server_keeps_serving(client, arguments, message):
    with pytest.raises(AppError, match=message):
        client.predict(*arguments, api_name="/generate")
    assert client.predict("bard", "ok", *SETTINGS, api_name="/generate")["prompt"] == "ok"


def test_bad_branch_and_lens_requests_are_refused_by_name(client):
    with pytest.raises(AppError, match="position"):
        client.predict("bard", "abc", 10, "x", *SETTINGS, api_name="/branch")
    with pytest.raises(AppError, match="one character"):
        client.predict("bard", "abc", 1, "xy", *SETTINGS, api_name="/branch")
    with pytest.raises(AppError, match="position"):
        client.predict("bard", "abc", -1, api_name="/lens")
    with pytest.raises(AppError, match="at most 4,000 characters"):  # 20,000 took over 1 GB
        client.predict("bard", "a" * 20_000, 1, api_name="/lens")


def test_the_slider_limits_guard_the_streaming_endpoint(client):
    with pytest.raises(AppError, match="maximum"):
        client.predict("bard", "x", 0.8, 0, 1.0, 5000, 1, 1, "traditional", api_name="/stream_text")


def test_the_first_screen_follows_the_pages_language(tmp_path):
    from types import SimpleNamespace

    from aigc_demo.backend.hub import ModelHub
    from aigc_demo.text.script import in_script
    from aigc_demo.ui.text_state import TextState, Written
    from aigc_demo.ui.text_tab import EXAMPLE_PROMPTS
    from tests.test_tab_handlers import text_page

    hub = ModelHub(tmp_path / "shipped", tmp_path / "user")
    english = make_text_model()
    hub.save("bard", english, make_text_card(english))
    chinese = make_text_model(CHINESE + UNKNOWN, unknown=UNKNOWN)
    hub.save("poet", chinese, make_text_card(chinese))
    text = text_page(hub)
    controls, ui, handlers = text.controls, text.ui, text.handlers

    def opening(prompt: str, record: Written, query: str = "", model: str | None = None) -> dict:
        sent = {ui["record"]: record, ui["query"]: query, ui["token"]: ""}
        return controls.shown(TextState(model, prompt)) | sent

    for language, model, example in (("zh-CN,zh;q=0.9,en;q=0.8", "poet", "zh"), ("en-GB", "bard", "en")):
        page = SimpleNamespace(headers={"accept-language": language})
        opened = text.open_page(page, opening(EXAMPLE_PROMPTS["en"], Written()))
        prompt, record = opened[controls.prompt], opened[ui["record"]]
        assert (opened[controls.model].value, prompt) == (model, EXAMPLE_PROMPTS[example])
        assert opened[controls.script].visible == opened[controls.form].visible == (example == "zh")
        written = handlers.generate(model, prompt, 0.8, 0, 1.0, 400, 1, 1)  # Write, at the page's settings
        first = written["prompt"] + written["continuations"][0]  # something to read at once,
        assert opened[ui["output"]] == (in_script(first, "simplified") if example == "zh" else first)
        if example == "zh":  # in the script a Chinese page reads
            assert opened[controls.script].value == "simplified"
        assert (record.model, record.prompt) == (model, written["prompt"])
        assert list(record.texts) == written["continuations"]
        shown = controls.shown(TextState(model, prompt)) | {ui["record"]: record}
        lens = text.show_lens(page, shown)[ui["lens"]]  # and its lens with it
        assert "".join(token for token, _ in lens).replace("⏎", "\n") == written["continuations"][0]
        if example == "zh":  # another script chosen: the text and its lens in it
            converted = text.convert(page, shown | {controls.script: "simplified"})
            assert converted[ui["output"]] == in_script(first, "simplified")
            lens = "".join(token for token, _ in converted[ui["lens"]]).replace("⏎", "\n")
            assert lens == in_script(written["continuations"][0], "simplified")
    page = SimpleNamespace(headers={"accept-language": "zh-CN"})
    typed = text.open_page(page, opening("my own words", Written()))
    assert typed[controls.prompt] == "my own words"  # a typed prompt is kept
    assert ui["output"] not in typed
    mine = Written("bard", "Hi", ("there",))
    opened = text.open_page(page, opening(EXAMPLE_PROMPTS["en"], mine))
    assert ui["output"] not in opened  # a text written before the page finished opening stays
    assert ui["record"] not in opened
    linked = text.open_page(
        page, opening("Hi", Written(), "?tab=text&model=bard", "bard")
    )  # a link's model wins
    assert (linked[controls.model].value, linked[controls.prompt]) == ("bard", "Hi")
    assert ui["output"] not in linked
