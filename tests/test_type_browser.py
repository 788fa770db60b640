"""The Type page in a real browser: a word typed and redrawn, a named slider dragged, a font brought,
and on a phone the word kept in view while a slider moves."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from aigc_demo.data.fonts import HANZI
from aigc_demo.ui.type_handlers import FIRST_CHINESE
from tests.fonts_for_tests import font_bytes, make_glyph_model
from tests.helpers import running_app
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS, expect, sync_playwright


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("type-browser")
    hub = ModelHub(root / "shipped", root / "user")
    model, card = make_glyph_model(root)
    hub.save("blocks", model, card)
    model, card = make_glyph_model(root / "hanzi", chars=FIRST_CHINESE + HANZI[:36])
    hub.save("abc-hanzi", model, card)  # listed before "blocks"
    with running_app(hub) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def drag(page, slider, picture, steps: int = 5) -> set[str]:
    """Drag ``slider`` to the right in steps; the picture's addresses seen along the way."""
    track = slider.bounding_box()
    page.mouse.move(track["x"] + track["width"] / 2, track["y"] + track["height"] / 2)
    page.mouse.down()
    seen = {picture.get_attribute("src")}
    for step in range(1, steps + 1):
        page.mouse.move(track["x"] + track["width"] * (0.5 + step * 0.09), track["y"] + track["height"] / 2)
        page.wait_for_timeout(250)
        seen.add(picture.get_attribute("src"))
    page.mouse.up()
    return seen


LAPTOP = {"width": 1280, "height": 900}


@contextmanager
def type_page(browser, app_url: str, locale: str, address: str = "/type", **options):
    """The Type page in a fresh browser context, once its picture is there: ``(page, picture)``."""
    context = browser.new_context(locale=locale, **options)
    try:
        page = context.new_page()
        page.goto(app_url.rstrip("/") + address)
        picture = page.locator("#type-view img")
        picture.wait_for(timeout=30_000)
        yield page, picture
    finally:
        context.close()


def test_a_typed_word_follows_a_named_slider_and_a_brought_font(browser, app_url, tmp_path):
    with type_page(browser, app_url, "en-US", viewport=LAPTOP) as (page, picture):
        first = picture.get_attribute("src")
        page.locator("#type-text textarea, #type-text input").first.fill("Quick fox")
        page.locator("#type-write").click()
        expect(picture).not_to_have_attribute("src", first, timeout=15_000)
        weight = page.locator("#type-weight")
        expect(weight).to_contain_text("lighter ↔ bolder")
        assert len(drag(page, weight.locator("input[type=range]"), picture)) >= 3  # it followed the drag
        expect(page).to_have_url(re.compile(r"text=Quick\+fox"), timeout=10_000)
        settled = picture.get_attribute("src")
        font = tmp_path / "heavy.ttf"
        font.write_bytes(font_bytes("Heavy", weight=900))
        page.locator("#type-font input[type=file]").set_input_files(str(font))
        expect(page.locator("#type-font-note")).to_contain_text("from 82 of its characters", timeout=15_000)
        expect(picture).not_to_have_attribute("src", settled, timeout=15_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-type.png"), full_page=True)


def test_on_a_phone_the_word_stays_in_view_while_a_slider_moves(browser, app_url):
    phone = {"viewport": PHONE, "has_touch": True, "is_mobile": True}
    with type_page(browser, app_url, "zh-CN", **phone) as (page, picture):
        slider = page.locator("#type-weight input[type=range]")  # the Chinese model's too
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") > 300
        seen = drag(page, slider, picture)
        shown = picture.bounding_box()
        assert shown["y"] >= 0
        assert shown["y"] + shown["height"] <= PHONE["height"]
        assert len(seen) >= 3
        expect(page.locator("#type-weight")).to_contain_text("更细 ↔ 更粗")
        page.screenshot(path=str(SCREENSHOTS / "zh-CN-phone-type.png"))


def test_a_link_opens_the_type_page_on_its_word_family_and_style(browser, app_url):
    address = "/type?tab=type&model=blocks&text=Link+me&seed=5&family=blocks-2&style=1.5"
    with type_page(browser, app_url, "en-US", address, viewport=LAPTOP) as (page, _):
        expect(page.locator("#type-text textarea, #type-text input").first).to_have_value(
            "Link me", timeout=30_000
        )
        expect(page.locator("#type-weight input[type=number]")).to_have_value("1.5")
        expect(page.locator("#type-family input")).to_have_value("blocks-2")
        page.goto(app_url.rstrip("/") + "/type?tab=type&text=Stranger&family=not-a-family")
        expect(page.locator("#type-text textarea, #type-text input").first).to_have_value(
            "Stranger", timeout=30_000
        )
        expect(page.locator("#type-family input")).not_to_have_value("not-a-family")


def test_the_page_picks_the_model_by_the_script_typed(browser, app_url):
    with type_page(browser, app_url, "zh-CN", viewport=LAPTOP) as (page, picture):
        model = page.locator("#type-model input")
        text = page.locator("#type-text textarea, #type-text input").first
        expect(model).to_have_value("abc-hanzi", timeout=15_000)  # a Chinese page opens on Chinese
        expect(text).to_have_value(FIRST_CHINESE)
        first = picture.get_attribute("src")
        text.fill("Hello")
        page.locator("#type-write").click()
        expect(model).to_have_value("blocks", timeout=15_000)  # Latin typed: the Latin model
        expect(picture).not_to_have_attribute("src", first, timeout=15_000)
        text.fill(HANZI[5:9])
        text.press("Enter")
        expect(model).to_have_value("abc-hanzi", timeout=15_000)  # and back for Chinese
