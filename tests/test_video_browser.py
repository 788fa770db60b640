"""The Video page in a real browser: a clip continued, its dreamed frames arriving one after another,
the GIF downloaded and checked; on a phone in Chinese, the dream brought into view."""

from __future__ import annotations

import pytest

from aigc_demo.pipelines.check import REPRODUCED, check_file
from tests.helpers import make_world_model, running_app, world_card
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS, expect, sync_playwright

# Every address the strip shows, kept in the page as it changes (the dream's frames arrive in turn).
WATCH_STRIP = """() => {
    window.stripSeen = [];
    const strip = document.querySelector('#video-strip');
    new MutationObserver(() => {
        const img = strip.querySelector('img');
        if (img && !window.stripSeen.includes(img.src)) window.stripSeen.push(img.src);
    }).observe(strip, { subtree: true, attributes: true, childList: true });
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("video-browser")
    hub = ModelHub(root / "shipped", root / "user")
    model = make_world_model()
    hub.save("world", model, world_card(model))
    with running_app(hub) as url:
        yield url, hub


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def set_slider(page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_a_clip_is_dreamed_frame_by_frame_and_its_gif_checks(browser, app, tmp_path):
    url, hub = app
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    try:
        page = context.new_page()
        page.goto(url.rstrip("/") + "/video")
        clip = page.locator("#video-clip img")
        clip.wait_for(timeout=30_000)  # the page opens on a clip
        first = clip.get_attribute("src")
        page.locator("#video-digits").get_by_text("2", exact=True).click()
        set_slider(page, "video-frames", 60)
        page.evaluate(WATCH_STRIP)
        page.locator("#video-dream").click()
        expect(clip).not_to_have_attribute("src", first, timeout=30_000)
        assert len(page.evaluate("window.stripSeen")) >= 3  # frames arrived before the clip was done
        expect(page).to_have_url(re_search("digits=2"), timeout=10_000)
        with page.expect_download() as taken:
            page.locator("#video-clip").get_by_role("button", name="Download").click()
        path = tmp_path / "dream.gif"
        taken.value.save_as(path)
        verdict = check_file(hub, path)
        assert verdict.code == REPRODUCED, verdict.message
        assert verdict.label.receipt["settings"]["frames"] == 60
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-video.png"), full_page=True)
    finally:
        context.close()


def test_on_a_phone_in_chinese_the_dream_comes_into_view(browser, app):
    url, _ = app
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url.rstrip("/") + "/video")
        clip = page.locator("#video-clip img")
        clip.wait_for(timeout=30_000)
        expect(page.locator("#video-dream")).to_have_text("开始想象")
        first = clip.get_attribute("src")
        page.locator("#video-random").click()  # a new clip (the same settings dream the same one)
        expect(clip).not_to_have_attribute("src", first, timeout=30_000)
        page.wait_for_timeout(1000)  # the smooth scroll settles
        box = clip.bounding_box()
        assert 0 <= box["y"] < PHONE["height"] / 2  # in view, not a screen below the button
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]  # nothing cut off
        page.screenshot(path=str(SCREENSHOTS / "zh-CN-phone-video.png"))
    finally:
        context.close()


def re_search(text: str):
    import re

    return re.compile(re.escape(text))
