"""The Image, Text and Speech tabs' handlers called as plain methods over a hub, without a server."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest

from aigc_demo.ui.image_handlers import ImageHandlers
from aigc_demo.ui.image_links import ImageLinks
from aigc_demo.ui.image_state import ImageState, labelled_directions, model_view
from aigc_demo.ui.speech_tab import SpeechHandlers, VoiceState
from aigc_demo.ui.text_handlers import TextHandlers
from aigc_demo.ui.text_state import SamplingSettings, TextState
from tests.helpers import (
    make_card,
    make_image_model,
    make_speech_card,
    make_speech_model,
    make_text_card,
    make_text_model,
)

SLIDERS = (0.0,) * 8
NAMED = (0.0, 0.0, 0.0, None, 0.0)  # ink, slant, width, "more like", its strength


@pytest.fixture
def images(hub) -> ImageHandlers:
    model = make_image_model(classes=3)
    hub.save("digits", model, make_card(kind="image-vae", config=model.config))
    return ImageHandlers(hub)


@pytest.fixture
def texts(hub) -> TextHandlers:
    model = make_text_model()
    hub.save("bard", model, make_text_card(model))
    return TextHandlers(hub)


def test_decode_s_arguments_are_named_in_the_order_callers_send_them():
    state = ImageState.from_decode([0.5], "m", "3", 4, 1.0, *SLIDERS[1:], 0.5, 0.0, 0.0, "7", 2.0, 0.7, "raw")
    assert (state.start, state.model, state.digit, state.seed) == ([0.5], "m", "3", 4)
    assert state.offsets == (1.0, *SLIDERS[1:])
    assert state.named == {"ink": 0.5, "slant": 0.0, "width": 0.0, "7": 2.0}
    assert (state.truncation, state.raw) == (0.7, True)
    plain = ImageState.from_decode(None, "m", "0", 1, *SLIDERS, *NAMED)  # truncation and axes left out
    assert (plain.truncation, plain.raw, "None" in plain.named) == (1.0, False, False)
    moved = ImageState("m", offsets=(1.0, *SLIDERS[1:]), traits={"ink": 1.0, "slant": 0, "width": 0})
    centred = moved.centred(like="2", strength=0.0)
    assert (centred.offsets, centred.named) == (SLIDERS, {"ink": 0.0, "slant": 0.0, "width": 0.0, "2": 0.0})


def test_decode_follows_the_sliders_and_a_seed_means_one_picture(images):
    centre = images.decode(None, "digits", "2", 5, *SLIDERS, *NAMED, 1.0, "principal")
    again = images.picture(ImageState("digits", "2", 5))
    moved = images.picture(ImageState("digits", "2", 5, offsets=(2.0, *SLIDERS[1:])))
    assert np.array_equal(centre, again)
    assert not np.array_equal(centre, moved)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.decode(None, "nobody", "0", 1, *SLIDERS, *NAMED), "nobody"),
        (lambda h: h.decode(None, "digits", "0", "x", *SLIDERS, *NAMED), "seed"),
        (
            lambda h: h.interpolate("digits", "0", 1, 2, 4, "slerp", "drawings", "1", []),
            "encode two drawings",
        ),
        (lambda h: h.interpolate("digits", "0", 1, 2, 4, "slerp", "sideways"), "'seeds' or 'classes'"),
        (lambda h: h.encode("digits", "0", None, None), "draw a digit"),
        (lambda h: h.interpolate("digits", "0", 1, 2, 2.5, "slerp"), "frames must be a whole number"),
        (lambda h: h.interpolate("digits", "0", 1, 2, float("nan"), "slerp"), "frames must be a"),
        (lambda h: h.manifold_grid("digits", "0", 1, "1", "2", "x"), "steps must be a"),
    ],
)
def test_bad_image_requests_get_a_message(images, call, message):
    with pytest.raises(gr.Error, match=message):
        call(images)


def test_the_view_of_a_model_offers_its_classes_and_directions(images):
    view = model_view(images.hub, "digits", "9", False, "en")
    assert (view["digit"]["value"], view["digit"]["visible"]) == ("0", True)  # a class it does not draw: 0
    assert [c[1] for c in view["digit_b"]["choices"]] == ["0", "1", "2"]
    shown = [view[f"direction_{n}"]["visible"] for n in range(1, 9)]
    assert shown == [True] * 3 + [False] * 5  # its three directions
    assert [value for _, value in view["between"]["choices"]] == ["seeds", "classes", "drawings"]
    plain = make_image_model()  # draws no chosen class: never offered "two digits"
    images.hub.save("any-digit", plain, make_card(kind="image-vae", config=plain.config))
    view = model_view(images.hub, "any-digit", "0", False, "en")
    assert [value for _, value in view["between"]["choices"]] == ["seeds", "drawings"]
    assert not view["digit_b"]["visible"]


def test_interpolation_writes_a_gif_and_a_strip_both_labelled_and_reproducible(images):
    from aigc_demo.pipelines.check import check_file

    gif, strip = images.interpolate("digits", "1", 3, 4, 5, "lerp", "classes", "2")
    assert gif.endswith(".gif")
    assert strip.width > strip.height
    assert check_file(images.hub, gif).code == 0
    drawn = [[0.1, 0.2, 0.3, 0.4], [0.5, -0.2, 0.0, 1.0], [-1.0, 0.0, 0.5, 0.5]]
    gif, _ = images.interpolate("digits", "1", 3, 4, 5, "slerp", "drawings", "2", drawn)
    verdict = check_file(images.hub, gif)
    assert verdict.code == 0
    assert verdict.label.receipt["settings"]["drawn"] == drawn[-2:]  # only what made it is kept


def test_text_handlers_write_stream_and_branch(texts):
    settings = (0.8, 0, 1.0, 30, 3, 1)
    result = texts.generate("bard", "Hi", *settings)
    assert result["prompt"] == "Hi"
    assert len(result["continuations"][0]) == 30
    pages = list(texts.stream_text(None, "bard", "Hi", *settings, "traditional"))
    assert pages[-1][0] == "Hi" + result["continuations"][0]  # the stream writes what generate does
    branched = list(texts.branch(None, "bard", pages[-1][0], 3, "a", *settings))
    assert branched[-1].startswith(pages[-1][0][:3] + "a")
    with pytest.raises(gr.Error, match="exactly one character"):
        list(texts.branch(None, "bard", "Hello", 2, "ab", *settings))


def speech_page(hub):
    """The Speech page built over ``hub`` inside an app, as its events see it."""
    from aigc_demo.ui.speech_tab import build_page

    with gr.Blocks() as demo:
        opened = SimpleNamespace(query=gr.Textbox(visible=False), event=gr.on([], None))
        return build_page(SimpleNamespace(hub=hub, opened=opened, demo=demo))


def text_page(hub):
    """The Text page built over ``hub`` inside an app, as its events see it."""
    from aigc_demo.ui.text_tab import build_page

    with gr.Blocks() as demo:
        opened = SimpleNamespace(query=gr.Textbox(visible=False), event=gr.on([], None))
        return build_page(SimpleNamespace(hub=hub, opened=opened, demo=demo))


def test_the_lens_and_a_click_on_it_show_the_candidates(texts):
    page = text_page(texts.hub)
    ui = page.ui
    *_, (_, _, record) = texts.stream_text(None, "bard", "Hi", 0.8, 0, 1.0, 10, 3, 1, "traditional")
    values = page.controls.shown(TextState("bard", "Hi")) | {ui["record"]: record}
    shown = page.show_lens(None, values)
    assert len(shown[ui["lens"]]) == 10
    assert all(0.0 <= p <= 1.0 for _, p in shown[ui["lens"]])
    picked = page.pick(
        None, {ui["record"]: shown[ui["record"]]}, gr.SelectData(None, {"index": 4, "value": "x"})
    )
    assert picked[ui["record"]].position == 4
    assert "5" in picked[ui["lens_info"]]  # the fifth character
    assert len(picked[ui["candidates"]]) == len(picked[ui["choice"]].choices) > 0
    branched = list(page.branch_here(None, values | {ui["record"]: picked[ui["record"]], ui["choice"]: "a"}))
    assert branched[-1][ui["output"]].startswith("Hi" + record.texts[0][:4] + "a")
    with pytest.raises(ValueError, match="temperature"):
        SamplingSettings(temperature=float("nan")).checked()


def test_no_lens_is_made_of_a_text_still_being_written(texts):
    page = text_page(texts.hub)
    stream = texts.stream_text(None, "bard", "Hi", 0.8, 0, 1.0, 200, 3, 1, "traditional")
    _, _, streaming = next(stream)  # the page's record, mid-stream (as a lens asked for on page open sees it)
    values = page.controls.shown(TextState("bard", "Hi"))
    assert streaming.writing
    assert page.show_lens(None, values | {page.ui["record"]: streaming}) == gr.skip()
    *_, (_, _, written) = stream
    assert not written.writing  # now finished: its lens is made
    assert len(page.show_lens(None, values | {page.ui["record"]: written})[page.ui["lens"]]) == 200


def test_speech_handlers_speak_a_number_as_audio_a_wav_and_a_picture(hub):
    import soundfile as sf

    model = make_speech_model()
    hub.save("voice", model, make_speech_card(model))
    voices = SpeechHandlers(hub)
    audio, wav, picture = voices.speak_digits("voice", "42", 3, 0.7, *SLIDERS)
    assert sf.info(wav).samplerate == 8000
    played, taken = sf.read(audio, dtype="int16")[0], sf.read(wav, dtype="int16")[0]
    assert len(played) > 0
    assert np.array_equal(taken[-len(played) :], played)  # the download: the audible cue, then the same
    assert np.abs(taken[: len(taken) - len(played)]).max() > 1000
    assert np.asarray(picture).ndim == 3
    page = speech_page(hub)
    controls = page.controls
    moved = controls.shown(VoiceState("voice", "7", 3, 0.7, (1.0, *SLIDERS[1:])))
    shuffled = page.random_voice("voice", "7", 0.7)
    assert isinstance(shuffled[controls.seed], int)
    assert [shuffled[s] for s in controls.sliders] == list(SLIDERS)
    assert [page.centre_sliders(moved)[s] for s in controls.sliders] == list(SLIDERS)
    with pytest.raises(gr.Error, match="digit"):
        voices.speak_digits("voice", "forty-two", 3, 0.7, *SLIDERS)
    refreshed = page.refresh(None, controls.shown(VoiceState(None)) | {page.ui["token"]: ""})
    assert refreshed[controls.model].value == "voice"
    played = refreshed[page.ui["outputs"][0]]
    assert played.autoplay  # a change of voice is heard at once
    assert sf.info(played.value["path"]).frames > 0


def test_a_refusal_is_one_log_line_with_its_message_cut_and_no_traceback(texts, caplog):
    with caplog.at_level(logging.INFO, logger="aigc_demo.ui.handlers"), pytest.raises(gr.Error) as raised:
        texts.generate("bard", "hi", "x" * 5000)
    assert len(raised.value.message) <= 500
    assert raised.value.print_exception is False  # Gradio prints no traceback for it
    (line,) = [r for r in caplog.records if r.name == "aigc_demo.ui.handlers"]
    assert line.exc_info is None
    assert line.getMessage().startswith("refused generate: ")
    assert len(line.getMessage()) < 600


def test_a_link_carries_the_image_tab_s_values_and_a_hostile_one_changes_nothing_unfit(images):
    values = (0.5, -1.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 0.0, "2", 1.5, 0.7, "raw")
    state = ImageState.from_decode([0.25, -2.0, 0.0, 1e-7], "digits", "1", 12, *values)
    query = ImageLinks(images.hub).link(state)
    assert query.startswith("?tab=image&model=digits&class=1&seed=12&s=0.5%2C-1.25&ink=0.3&like=2")
    current = ImageState("digits", "0", 0)
    assert ImageLinks(images.hub).opened(query, current) == state
    hostile = "?tab=image&model=../../etc&seed=-1&s=nan,1&ink=1e999&psi=0&axes=<b>&start=" + "1," * 600
    assert ImageLinks(images.hub).opened(hostile, current) == current
    for elsewhere in ("?tab=text&seed=5", ["not", "text"], "", None):  # nothing changes
        assert ImageLinks(images.hub).opened(elsewhere, current) is None


def test_a_page_opened_without_a_link_to_its_tab_asks_nothing_more_of_the_server(images, hub):
    """The Image and Speech pages are built showing the first model's controls, picture or voice:
    opening one without a link to its tab changes nothing; a link to it sets the controls."""
    page = image_page(images.hub)
    current = page.controls.shown(ImageState("digits", "0", 0)) | {
        page.ui["map_shown"]: False,
        page.ui["token"]: "",
    }
    for search in ("", "?tab=text&seed=5", None):
        assert page.open_refresh(None, current | {page.ui["query"]: search}) == gr.skip()
    opened = page.open_refresh(None, current | {page.ui["query"]: "?tab=image"})
    assert (opened[page.controls.model].value, opened[page.controls.digit].value) == ("digits", "0")
    assert opened[page.ui["picture"]].size == (280, 280)  # the picture the link asks for
    english, chinese = (model_view(images.hub, "digits", "0", False, lang) for lang in ("en", "zh-CN"))
    assert english["direction_1"]["label"] != chinese["direction_1"]["label"]  # named in each language
    model = make_speech_model()
    hub.save("voice", model, make_speech_card(model))
    page = speech_page(hub)
    spoken = page.controls.shown(VoiceState("voice")) | {page.ui["token"]: ""}
    assert page.open_refresh(None, spoken | {page.ui["query"]: ""}) == gr.skip()
    linked = page.open_refresh(None, spoken | {page.ui["query"]: "?tab=speech"})
    assert linked[page.controls.model].value == "voice"
    assert isinstance(
        linked[page.ui["outputs"][0]], str
    )  # the file, not played: a page never speaks as it opens
    assert page.shuffle("voice", "7", 0.7)[page.ui["outputs"][0]].autoplay  # Random voice is heard at once


def test_a_trait_names_one_slider_only():
    """The sprite model's directions: hue fits 3 and 5, size 4 and 6, slant has a named slider."""
    principal = [
        {"trait": "y", "fit": 0.89},
        {"trait": "slant", "fit": 0.8},
        {"trait": "hue", "fit": 0.648},
        {"trait": "size", "fit": -0.596},
        {"trait": "hue", "fit": 0.581},
        {"trait": "size", "fit": 0.432},
        {"trait": None, "fit": 0.01},
    ]
    shown = labelled_directions(principal, {"slant": {"kind": "trait", "fit": 0.9}})
    assert [info and info["trait"] for info in shown] == ["y", None, "hue", "size", None, None, None]


def test_a_link_carries_the_speech_tab_s_values(hub):
    model = make_speech_model()
    hub.save("voice", model, make_speech_card(model))
    voices = SpeechHandlers(hub)
    asked = VoiceState("voice", "42", 3, 0.55, (1.0, -0.5, *(0.0,) * 6))
    query = voices.link(asked)
    assert query == "?tab=speech&model=voice&digits=42&seed=3&variety=0.55&voice=1%2C-0.5"
    current = VoiceState("voice", "2026", 0, 0.7)
    assert voices.opened(query, current) == asked
    hostile = "?tab=speech&model=nobody&digits=" + "1" * 65 + "&seed=2.5e10&variety=7&voice=1,2,3,4,5,6,7,8,9"
    assert voices.opened(hostile, current) == current
    assert voices.opened("?tab=image", current) is None


def test_a_link_carries_the_text_tab_s_prompt_and_sampling(texts):
    from aigc_demo.ui.text_links import TextLinks

    linking = TextLinks(texts.hub)
    asked = TextState("bard", "To be, or\nnot", SamplingSettings(0.6, 5, 0.9, 80, 42, 2))
    query = linking.link(asked)
    settings = "temperature=0.6&top_k=5&top_p=0.9&length=80&seed=42&samples=2"
    assert query == f"?tab=text&model=bard&prompt=To+be%2C+or%0Anot&{settings}"
    current = TextState("bard", "ROMEO:", SamplingSettings(0.8, 0, 1.0, 400, 1, 1))
    assert linking.opened(query, current) == asked
    poem = linking.link(TextState("bard", "春", asked.sampling, "simplified", "regulated-7"))
    assert poem.endswith("&script=simplified&form=regulated-7")
    opened = linking.opened(poem, current)
    assert (opened.script, opened.form) == ("simplified", "regulated-7")
    hostile = "?tab=text&model=x&temperature=9&top_k=-1&length=1e9&seed=nan&script=zz&form=ode&prompt="
    hostile += "a" * 5000
    assert linking.opened(hostile, current) == current
    assert linking.opened("?tab=image", current) is None


def test_a_link_without_a_seed_keeps_an_empty_seed_box_and_a_fractional_seed_is_refused(images):
    current = ImageState("digits", "0", None)
    assert ImageLinks(images.hub).opened("?tab=image&s=1", current).seed is None
    assert ImageLinks(images.hub).opened("?tab=image&seed=2.5", current).seed is None
    assert ImageLinks(images.hub).opened("?tab=image&seed=7", current).seed == 7


def image_page(hub):
    """The Image page built over ``hub`` inside an app, as its events see it."""
    from aigc_demo.ui.image_tab import build_page

    with gr.Blocks() as demo:
        opened = SimpleNamespace(query=gr.Textbox(visible=False), event=gr.on([], None))
        return build_page(SimpleNamespace(hub=hub, opened=opened, demo=demo))


def test_the_page_s_events_name_what_they_send_and_answer_by_component(images):
    """An event's values arrive by component and become one named state; its answer names the
    components it changes (a random seed centres the sliders and leaves a drawing behind)."""
    page = image_page(images.hub)
    moved = ImageState(
        "digits", "2", 5, start=[0.1, 0.2, 0.3, 0.4], offsets=(1.0, *SLIDERS[1:]), strength=1.5
    )
    sent = page.controls.shown(moved)
    assert page.controls.state(sent) == moved
    assert np.array_equal(page.slide(sent)[page.ui["picture"]], images.picture(moved))
    centred = page.centre(sent)
    assert [centred[s] for s in page.controls.moving] == [0.0] * 12
    assert centred[page.controls.start] == moved.start  # Centre keeps the drawing's code
    shuffled = page.random_latent("digits", "0")
    assert isinstance(shuffled[page.controls.seed], int)
    assert shuffled[page.controls.start] is None
    assert all(shuffled[s] == 0.0 for s in page.controls.moving)


def test_a_writing_stopped_midway_gets_its_lens(texts):
    """Stop cancels the writing, and with it the lens that follows a writing: the page makes the lens
    of what was written by then, and the record is no longer marked as being written."""
    page = text_page(texts.hub)
    stream = texts.stream_text(None, "bard", "Hi", 0.8, 0, 1.0, 200, 3, 1, "traditional")
    _, _, streaming = next(stream)
    stream.close()  # what Stop does to the stream
    values = page.controls.shown(TextState("bard", "Hi")) | {page.ui["record"]: streaming}
    shown = page.after_stop(None, values)
    assert not shown[page.ui["record"]].writing
    assert len(shown[page.ui["lens"]]) == len(streaming.texts[0])
    assert len(shown[page.ui["record"]].lens) == len(streaming.texts[0])  # kept for clicks
    assert page.after_stop(None, values | {page.ui["record"]: shown[page.ui["record"]]}) == gr.skip()
