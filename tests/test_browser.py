"""A real browser (Debian's Chromium driven by Playwright) opens the app in both languages.

Screenshots go to ``artifacts/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager

import pytest
from PIL import Image

from aigc_demo.data.mnist import load_mnist
from aigc_demo.pipelines import copies
from aigc_demo.settings import PROJECT_ROOT
from aigc_demo.text.vocabulary import UNKNOWN
from aigc_demo.training.latent_map import latent_map
from aigc_demo.ui.pages import PAGES
from tests.helpers import (
    CHINESE,
    make_card,
    make_image_model,
    make_model,
    make_speech_card,
    make_speech_model,
    make_text_card,
    make_text_model,
    running_app,
    varied_text,
    write_bar_digits,
    write_picture_zip,
    write_tone_recordings,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
RETRY = {"en-US": "Retry", "zh-CN": "重试"}  # Gradio's own labels of the chat box's buttons
UNDO = {"en-US": "Undo", "zh-CN": "撤销"}

if CHROMIUM is None and os.environ.get("AIGC_REQUIRE_BROWSER") != "1":
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, PlaywrightTimeout = playwright_api.sync_playwright, playwright_api.TimeoutError
expect = playwright_api.expect


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("browser")
    hub = ModelHub(root / "shipped", root / "user")
    hub.save("demo-model", make_model(), make_card(description="A model made for this test."))
    speech_model = make_speech_model()
    hub.save("voice", speech_model, make_speech_card(speech_model))
    image_model = make_image_model()
    bars = load_mnist(write_bar_digits(root / "bars", train=10, test=100), "test")
    extras = {"map": latent_map(image_model, bars, count=100)}
    hub.save("digits", image_model, make_card(kind="image-vae", config=image_model.config, extras=extras))
    text_model = make_text_model()
    hub.save("bard", text_model, make_text_card(text_model))
    (root / "bard.txt").write_text(varied_text(400))
    copies.build_index(hub, "bard", root / "bard.txt")  # the copy check's index of what it "learned"
    chinese_model = make_text_model(CHINESE + UNKNOWN, unknown=UNKNOWN)
    hub.save("poet", chinese_model, make_text_card(chinese_model))
    hub.shipped_dir.mkdir(parents=True, exist_ok=True)
    for name in ("chat-en", "chat-zh"):  # the shipped dialogue models, as they are
        shutil.copy(PROJECT_ROOT / "checkpoints" / f"{name}.safetensors", hub.shipped_dir)
    (hub.user_dir / "broken.safetensors").write_bytes(b"not a checkpoint")
    with running_app(hub) as url:
        yield url, hub


@pytest.fixture(scope="module")
def app_url(app):
    return app[0]


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM is not None, "AIGC_REQUIRE_BROWSER=1 but Chromium is missing"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize(
    ("locale", "tabs", "about", "footer", "writer"),
    [
        (
            "en-US",
            ["Image", "Text", "Speech", "Type", "Video", "Chat", "Train", "About"],
            "Models",
            "models run on",
            "bard",
        ),
        (
            "zh-CN",
            ["图像", "文本", "语音", "字体", "视频", "对话", "训练", "关于"],
            "模型",
            "模型运行于",
            "poet",
        ),
    ],
)
def test_every_tab_opens_in_the_browser_language(browser, app_url, locale, tabs, about, footer, writer):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(app_url)
        page.locator("#pages").get_by_role("link", name=tabs[0], exact=True).wait_for(timeout=30_000)
        for name in tabs:
            go_to(page, name)
            page.wait_for_timeout(200)
            page.screenshot(path=str(SCREENSHOTS / f"{locale}-{tabs.index(name)}-{name}.png"))
            if name == tabs[1]:  # the Text tab opens on a model of the page's language, and its example
                expect(page.locator("#text-model input")).to_have_value(writer)  # already written
                written = re.compile(".{100,}", re.DOTALL)  # the prompt as the model read it, and more
                expect(page.locator("#text-output textarea")).to_have_value(written)
        page.get_by_role("heading", name=about, exact=True).wait_for()
        page.locator("#about-models").get_by_text("demo-model").wait_for()
        assert "A model made for this test." in page.locator("#about-models").inner_text()
        assert "broken.safetensors" in page.locator("#about-models").inner_text()
        assert footer in page.locator("#footer").inner_text()
    finally:
        context.close()


def go_to(page, name: str) -> None:
    """Open another page of the app through its link, as a visitor does."""
    with page.expect_navigation():
        page.locator("#pages").get_by_role("link", name=name, exact=True).click(timeout=30_000)


def wait_for_lens_of(page, text: str) -> None:
    """Wait until the Text tab's lens explains exactly ``text``, character by character."""
    page.wait_for_function(
        "(want) => Array.from(document.querySelectorAll('#text-lens .token .text'), t => t.textContent)"
        ".join('') === want",
        arg=text.replace("\n", "⏎"),
        timeout=30_000,
    )


def downloaded_name(page) -> str:
    with page.expect_download() as download:
        page.locator("#speech-download").click()
    return download.value.suggested_filename


def test_speech_tab_speaks_a_number_and_offers_the_wav(browser, app_url):
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Speech")
        page.locator("#voice-0").get_by_text("Pitch: lower ↔ higher (fit 61%)").wait_for(timeout=30_000)
        assert page.locator("#voice-1").get_by_text("Who it sounds like: alice ↔ bob").is_visible()
        assert not page.locator("#voice-3").is_visible()  # this model has three directions
        # the tab speaks its example number the moment it opens
        page.locator("#speech-audio audio, #speech-audio [data-testid='waveform-Listen']").first.wait_for(
            state="attached", timeout=30_000
        )
        page.locator("#speech-spectrogram img").wait_for(timeout=30_000)
        assert downloaded_name(page) == "digits-2026-seed0.wav"
        page.locator("#speech-number textarea").fill("314")
        page.locator("#speech-say").click()
        for _ in range(60):  # the new recording replaces the first within seconds
            if downloaded_name(page) == "digits-314-seed0.wav":
                break
            page.wait_for_timeout(500)
        assert downloaded_name(page) == "digits-314-seed0.wav"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-speech-spoken.png"), full_page=True)
    finally:
        context.close()


def test_image_follows_a_latent_slider_while_it_is_dragged(browser, app_url, tmp_path):
    viewport = {"width": 1280, "height": 1000}
    context = browser.new_context(locale="en-US", viewport=viewport, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Image")
        picture = page.locator("#image-output img")
        picture.wait_for(timeout=30_000)
        before = picture.get_attribute("src")
        track = page.locator("#latent-0 input[type=range]").bounding_box()
        page.mouse.move(track["x"] + track["width"] / 2, track["y"] + track["height"] / 2)
        page.mouse.down()
        seen = {before}
        for step in range(1, 6):  # the picture must change during the drag, not only after it
            page.mouse.move(
                track["x"] + track["width"] * (0.5 + step * 0.09), track["y"] + track["height"] / 2
            )
            page.wait_for_timeout(250)
            seen.add(picture.get_attribute("src"))
        page.mouse.up()
        assert len(seen) >= 3
        # the keyboard moves a slider as well: Tab to it, then the arrow keys
        settled = picture.get_attribute("src")
        page.locator("#latent-1 input[type=range]").focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        expect(picture).not_to_have_attribute("src", settled, timeout=10_000)
        page.wait_for_timeout(1000)  # the download follows the settled picture
        with page.expect_download() as taken:
            page.locator("#image-download").click()
        taken.value.save_as(tmp_path / "taken.png")
        with Image.open(tmp_path / "taken.png") as marked:
            assert marked.size == (280, 307)  # the picture and its "AI-GENERATED" strip
        assert not page.locator("#latent-3").is_visible()  # this model has three directions
        page.get_by_text("Latent map", exact=True).click()
        chart = page.locator("#latent-map img")
        chart.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # the map is redrawn after the drag; click the settled picture
        dragged, map_before = picture.get_attribute("src"), chart.get_attribute("src")
        changed = "([old]) => document.querySelector('#image-output img').src !== old"
        for attempt in range(3):
            box = chart.bounding_box()
            chart.click(position={"x": box["width"] * (0.3 + 0.1 * attempt), "y": box["height"] * 0.6})
            try:
                page.wait_for_function(changed, arg=[dragged], timeout=15_000)
                break
            except PlaywrightTimeout:
                assert attempt < 2, "a click on the latent map never changed the picture"
        page.wait_for_function(
            "([old]) => document.querySelector('#latent-map img').src !== old",
            arg=[map_before],
            timeout=30_000,
        )
        assert page.locator("#latent-0 input[type=number]").input_value() == "0"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-image-dragged.png"), full_page=True)
    finally:
        context.close()


def test_text_streams_then_the_lens_explains_a_character_and_branches_from_it(browser, app_url):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1200})
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Text")
        output = page.locator("#text-output textarea")
        expect(output).to_have_value(re.compile(r"^ROMEO:.{400}$", re.DOTALL), timeout=30_000)  # the example
        wait_for_lens_of(page, output.input_value().removeprefix("ROMEO:"))  # explained at once
        page.locator("#text-prompt textarea").fill("JULIET:")
        page.locator("#text-write").click()
        expect(output).to_have_value(re.compile(r"^JULIET:.{400}$", re.DOTALL), timeout=30_000)
        written = output.input_value()
        drawn = page.locator("#text-seed input").input_value()
        assert drawn != "1"  # Write drew a new seed, shown in the seed box
        wait_for_lens_of(page, written.removeprefix("JULIET:"))
        learned = f"{int(len(varied_text(400)) * 0.9):,}"
        expect(page.locator("#text-copies")).to_contain_text(
            f"Is it a copy? No span of 30+ characters of it is in the {learned} characters"
        )
        tokens = page.locator("#text-lens .token")
        assert tokens.count() == 400
        tokens.nth(2).click()
        page.locator("#text-lens-info").get_by_text("Character 3").wait_for(timeout=30_000)
        page.locator("#text-candidates").get_by_text("%").first.wait_for()
        options = page.locator("#text-branch-choice label")
        expect(options).to_have_count(8)
        chosen = options.nth(1)
        chosen.click()
        page.locator("#text-branch").click()
        page.wait_for_function(
            f"() => (document.querySelector('#text-output textarea')?.value ?? '') !== {written!r}",
            timeout=30_000,
        )
        page.wait_for_function(
            "() => (document.querySelector('#text-output textarea')?.value ?? '').length >= 410",
            timeout=30_000,
        )
        assert page.locator("#text-output textarea").input_value()[:9] == written[:9]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-text-lens.png"), full_page=True)
        page.locator("#text-keep-seed input").check()  # a seed kept: Write writes the same again
        page.locator("#text-write").click()
        expect(output).to_have_value(written, timeout=30_000)
        assert page.locator("#text-seed input").input_value() == drawn
    finally:
        context.close()


@pytest.mark.parametrize(
    ("locale", "tab", "model", "message"),
    [
        ("en-US", "Chat", "chat-en", "hi! what kind of music do you like?"),
        ("zh-CN", "对话", "chat-zh", "你好，最近看了什么电影？"),
    ],
)
def test_chat_streams_a_reply_retries_undoes_and_opens_the_lens(
    browser, app_url, locale, tab, model, message
):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, tab)
        page.wait_for_function(  # the page offers the model in its own language
            f"() => (document.querySelector('#chat-model input')?.value ?? '') === {model!r}", timeout=30_000
        )
        page.locator("#chat-message textarea").fill(message)
        page.locator("#chat-send").click()
        bot = page.locator("#chat-box .bot")
        bot.first.wait_for(timeout=30_000)
        tokens = page.locator("#chat-lens .token")
        tokens.first.wait_for(timeout=60_000)
        assert bot.last.inner_text().strip()
        # the lens: a character's candidates and where the pointer looked
        tokens.nth(1).click()
        page.locator("#chat-candidates").get_by_text("%").first.wait_for(timeout=30_000)
        page.locator("#chat-attention .token").first.wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{locale}-chat.png"), full_page=True)
        # retry: the next seed writes the reply again, and the lens follows it
        page.get_by_role("button", name=RETRY[locale]).click()
        page.wait_for_function(
            "() => (document.querySelector('#chat-seed input')?.value ?? '') === '1'", timeout=30_000
        )
        page.locator("#chat-attention .token").first.wait_for(state="detached", timeout=60_000)
        page.wait_for_timeout(500)  # the retried reply's last characters
        kept = bot.last.inner_text()
        go_to(
            page, "图像" if locale == "zh-CN" else "Image"
        )  # another page, then back: the conversation waits
        page.go_back()
        expect(page.locator("#chat-box .bot").last).to_have_text(kept, use_inner_text=True, timeout=30_000)
        expect(page.locator("#chat-box .user")).to_have_count(1)
        # undo: the message goes back to the box and the conversation is empty
        page.get_by_role("button", name=UNDO[locale]).click()
        page.wait_for_function(
            f"() => (document.querySelector('#chat-message textarea')?.value ?? '') === {message!r}",
            timeout=30_000,
        )
        expect(bot).to_have_count(0)
    finally:
        context.close()


def test_train_tab_trains_live_stops_and_refuses_a_file_that_is_not_utf8(browser, app_url, tmp_path):
    viewport = {"width": 1280, "height": 1200}
    context = browser.new_context(locale="en-US", viewport=viewport, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Train")
        latin = tmp_path / "latin.txt"
        latin.write_bytes(("café au lait " * 2000).encode("latin-1"))
        page.locator("#train-upload input[type=file]").set_input_files(str(latin))
        page.locator("#train-name textarea, #train-name input").first.fill("from-file")
        page.locator("#train-start").click()
        page.get_by_text("not UTF-8").first.wait_for(timeout=30_000)
        page.locator("#train-upload button[aria-label='Clear']").first.click()
        verse = varied_text(300, start="verse")
        page.locator("#train-text textarea").fill(verse)
        page.locator("#train-name textarea, #train-name input").first.fill("browser-verse")
        page.locator("#train-epochs input[type=number]").fill("100")
        page.locator("#train-epochs input[type=number]").press("Enter")
        page.locator("#train-start").click()
        page.locator("#train-status").get_by_text("Training browser-verse (yours)").wait_for(timeout=30_000)
        # This browser remembers the job as its own across a reload; another visitor sees it unmarked.
        page.reload()
        go_to(page, "Train")
        page.locator("#train-status").get_by_text("Training browser-verse (yours)").wait_for(timeout=30_000)
        other = context.browser.new_context(locale="en-US").new_page()
        other.goto(app_url)
        go_to(other, "Train")
        other.locator("#train-status").get_by_text("Training someone's job").wait_for(timeout=30_000)
        seen = other.locator("#train-status").inner_text()
        assert "browser-verse" not in seen  # another visitor's job is not named to them
        assert "(yours)" not in seen
        other.context.close()
        page.wait_for_function(
            "() => (document.querySelector('#train-sample textarea')?.value ?? '').length > 0", timeout=30_000
        )
        page.locator("#train-stop").click()
        page.locator("#train-status").get_by_text("was stopped at step").wait_for(timeout=60_000)
        page.locator("#train-plot canvas, #train-plot svg").first.wait_for(timeout=30_000)
        # After the run the scrubber shows the saved model's sample, and the person can move it back.
        page.locator("#train-scrubber").get_by_text("after step 0").wait_for(state="detached", timeout=30_000)
        assert page.locator("#train-scrubber input[type=number]").input_value() != "0"
        with page.expect_download() as taken:  # the visitor takes the saved model home
            page.locator("#train-take-home").click(timeout=30_000)
        assert taken.value.suggested_filename == "browser-verse.safetensors"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-train-stopped.png"), full_page=True)
        go_to(page, "Text")
        page.locator("#text-model input").click()
        page.get_by_role("option", name="browser-verse").wait_for(timeout=30_000)
    finally:
        context.close()


def test_train_tab_trains_shapes_that_the_image_tab_lists_at_once(browser, app_url):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1200})
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Train")
        page.locator("#train-kind").get_by_text("Shapes").click()
        page.locator("#train-text").wait_for(state="hidden", timeout=30_000)  # no text needed
        name = page.locator("#train-name textarea, #train-name input").first
        page.wait_for_function(
            "() => [...document.querySelectorAll('#train-name textarea, #train-name input')]"
            ".some(e => e.value === 'my-shapes')",
            timeout=30_000,
        )
        name.fill("browser-shapes")
        page.locator("#train-epochs input[type=number]").fill("1")
        page.locator("#train-epochs input[type=number]").press("Enter")
        page.locator("#train-start").click()
        page.locator("#train-status").get_by_text("browser-shapes is trained").wait_for(timeout=240_000)
        page.locator("#train-picture img").first.wait_for(timeout=30_000)
        page.locator("#train-plot canvas, #train-plot svg").first.wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-train-shapes.png"), full_page=True)
        go_to(page, "Image")
        page.locator("#image-model input").click()
        page.get_by_role("option", name="browser-shapes").click()
        # The sliders are named after the factors that made the shapes (size, position, colour...).
        factor = re.compile(r"Size|position|Colour|Rotation")
        page.locator("#latent-0, #latent-1").get_by_text(factor).first.wait_for(timeout=30_000)
        stranger = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1200}).new_page()
        stranger.goto(app_url)  # another visitor: the model is not theirs to see
        go_to(stranger, "Image")
        stranger.locator("#image-model input").click()
        stranger.get_by_role("option", name="digits").wait_for(timeout=30_000)
        assert stranger.get_by_role("option", name="browser-shapes").count() == 0
        go_to(stranger, "About")
        stranger.locator("#about-models").get_by_text("digits").first.wait_for(timeout=30_000)
        assert "browser-shapes" not in stranger.locator("#about-models").inner_text()
        stranger.context.close()
    finally:
        context.close()


def test_train_tab_fine_tunes_an_image_model_on_uploaded_pictures(browser, app_url, tmp_path):
    archive = write_picture_zip(tmp_path / "my-drawings.zip")
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Train")
        page.locator("#train-kind").get_by_text("Your pictures: VAE").click()
        page.locator("#train-files input[type=file]").set_input_files(str(archive))
        page.locator("#train-files").get_by_text("my-drawings.zip").first.wait_for(timeout=30_000)
        page.locator("#train-from input").click()
        page.get_by_role("option", name="digits").click()
        page.locator("#train-name textarea, #train-name input").first.fill("my-tuned-digits")
        page.locator("#train-epochs input[type=number]").fill("2")
        page.locator("#train-epochs input[type=number]").press("Enter")
        page.locator("#train-start").click()
        page.locator("#train-status").get_by_text("my-tuned-digits is trained").wait_for(timeout=120_000)
        page.locator("#train-picture img").first.wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-train-pictures.png"), full_page=True)
        go_to(page, "Image")
        page.locator("#image-model input").click()
        page.get_by_role("option", name="my-tuned-digits").click()
        page.locator("#image-output img").first.wait_for(timeout=30_000)
    finally:
        context.close()


def test_train_tab_learns_a_voice_from_uploaded_recordings(browser, app_url, tmp_path):
    folder = write_tone_recordings(tmp_path / "voice", per_digit=2)
    archive = shutil.make_archive(str(tmp_path / "my-voice"), "zip", folder)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    try:
        page.goto(app_url)
        go_to(page, "Train")
        page.locator("#train-kind").get_by_text("Your voice").click()
        page.locator("#train-files").get_by_text("Recordings").first.wait_for(timeout=30_000)
        for attempt in range(3):  # an upload made while the page's load events still re-render the
            # form can be dropped by Gradio (seen about once in six runs on a loaded machine): give it again
            page.locator("#train-files input[type=file]").set_input_files(archive)
            try:
                page.locator("#train-files").get_by_text("my-voice.zip").first.wait_for(timeout=15_000)
                break
            except PlaywrightTimeout:
                assert attempt < 2, "the recordings never showed as uploaded"
        page.locator("#train-name textarea, #train-name input").first.fill("browser-voice")
        page.locator("#train-settings").get_by_text("Settings over the preset").click()
        page.locator("#train-hidden").wait_for(state="hidden", timeout=30_000)  # a text setting
        page.locator("#train-batch-size input").fill("8")  # 30 recordings: 4 steps an epoch, not 1
        page.locator("#train-batch-size input").press("Tab")
        page.locator("#train-epochs input[type=number]").fill("5")  # not until the budget: 5 epochs
        page.locator("#train-epochs input[type=number]").press("Enter")
        page.locator("#train-start").click()
        page.locator("#train-status").get_by_text("ready in the Speech tab").wait_for(timeout=120_000)
        page.locator("#train-status").get_by_text("(20 steps in").wait_for(timeout=30_000)
        page.locator("#train-picture img").first.wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "en-US-train-voice.png"), full_page=True)
    finally:
        context.close()


def test_the_address_keeps_each_pages_state_across_a_page_switch_back_and_a_reload(browser, app_url):
    """A page's state is its address and is kept in the browser: seed and slider on the Image page,
    the written text on the Text page come back after visiting another page, Back, and a reload."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        page.goto(app_url)
        page.locator("#image-output img").wait_for(timeout=30_000)
        page.locator("#image-seed input").fill("11")
        page.locator("#image-seed input").press("Enter")
        page.wait_for_function("() => location.search.includes('seed=11')", timeout=30_000)
        assert len(page.url) < 200  # short and readable
        go_to(page, "Text")
        output = page.locator("#text-output textarea")
        expect(output).to_have_value(re.compile(r"^ROMEO:.{400}$", re.DOTALL), timeout=30_000)
        page.locator("#text-prompt textarea").fill("JULIET:")
        page.locator("#text-write").click()
        expect(output).to_have_value(re.compile(r"^JULIET:.{400}$", re.DOTALL), timeout=30_000)
        written = output.input_value()
        page.wait_for_function("() => location.search.includes('JULIET')", timeout=30_000)
        go_to(page, "Image")  # a page switch, then the way back
        expect(page.locator("#image-seed input")).to_have_value("11", timeout=30_000)
        page.go_back()
        expect(page.locator("#text-output textarea")).to_have_value(written, timeout=30_000)
        page.goto(app_url.rstrip("/") + "/text")  # the page opened bare, as from a bookmark
        expect(page.locator("#text-output textarea")).to_have_value(written, timeout=30_000)
        page.reload()
        expect(page.locator("#text-prompt textarea")).to_have_value("JULIET:", timeout=30_000)
        go_to(page, "Train")  # a form half filled in is still there after a visit to another page
        page.locator("#train-kind").get_by_text("Shapes (β-VAE").click()
        expect(page.locator("#train-name textarea")).to_have_value("my-shapes", timeout=30_000)
        page.locator("#train-name textarea").fill("my-shapes-2")
        go_to(page, "Image")
        go_to(page, "Train")
        expect(page.locator("#train-name textarea")).to_have_value("my-shapes-2", timeout=30_000)
        page.locator("#train-kind").get_by_text("Text (character-level LSTM)").click()
        page.locator("#train-text textarea").fill("Pages of my own, pasted.")
        page.reload()
        expect(page.locator("#train-text textarea")).to_have_value("Pages of my own, pasted.", timeout=30_000)
        expect(page.locator("#train-name textarea")).to_have_value("my-shapes-2")
    finally:
        context.close()


def _picture_bytes(page) -> bytes:
    return page.request.get(page.locator("#image-output img").get_attribute("src")).body()


def test_a_copied_link_opens_the_same_picture_byte_for_byte_in_a_fresh_browser(browser, app, tmp_path):
    from aigc_demo.labels.files import read_label
    from aigc_demo.pipelines.check import check_file

    url, hub = app
    first = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = first.new_page()
    try:
        page.goto(url)
        picture = page.locator("#image-output img")
        picture.wait_for(timeout=30_000)
        page.locator("#image-seed input").fill("7")
        page.locator("#image-seed input").press("Enter")
        track = page.locator("#latent-1 input[type=range]").bounding_box()
        page.mouse.click(track["x"] + track["width"] * 0.8, track["y"] + track["height"] / 2)
        page.wait_for_function(
            "() => (document.querySelector('#latent-1 input[type=number]')?.value ?? '') !== '0'"
        )
        page.wait_for_timeout(1500)  # the picture of the last position
        shown = _picture_bytes(page)
        page.locator("#image-copy-link").click()
        link = page.locator("#image-link textarea")
        expect(link).to_have_value(re.compile(r"tab=image.*seed=7"), timeout=15_000)
        address, moved = link.input_value(), page.locator("#latent-1 input[type=number]").input_value()
    finally:
        first.close()
    fresh = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = fresh.new_page()
    try:
        page.goto(address)
        expect(page.locator("#latent-1 input[type=number]")).to_have_value(moved, timeout=30_000)
        page.wait_for_function("() => document.querySelector('#image-output img') !== null", timeout=30_000)
        for _ in range(40):  # the picture of the link replaces the default one
            if _picture_bytes(page) == shown:
                break
            page.wait_for_timeout(250)
        reopened = _picture_bytes(page)
    finally:
        fresh.close()
    assert reopened == shown  # the same file, label and receipt included
    (tmp_path / "linked.png").write_bytes(reopened)
    receipt = read_label(tmp_path / "linked.png").receipt
    assert receipt["settings"]["seed"] == 7
    assert receipt["settings"]["offsets"][1] == float(moved)
    assert check_file(hub, tmp_path / "linked.png").code == 0  # what the CLI's check makes from it


def test_a_link_to_the_speech_tab_opens_it_on_the_same_recording(browser, app, tmp_path):
    from aigc_demo.labels.files import read_label
    from aigc_demo.pipelines.check import check_file

    url, hub = app
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(url.rstrip("/") + "/?tab=speech&model=voice&digits=42&seed=3&variety=0.55&voice=1,-0.5")
        expect(page.locator("#speech-variety input[type=number]")).to_have_value("0.55", timeout=30_000)
        page.locator("#speech-spectrogram img").wait_for(timeout=30_000)  # something spoken to download
        for _ in range(60):  # the recording of the link replaces the default one
            if downloaded_name(page) == "digits-42-seed3.wav":
                break
            page.wait_for_timeout(500)
        with page.expect_download() as download:
            page.locator("#speech-download").click()
        download.value.save_as(tmp_path / "linked.wav")
    finally:
        context.close()
    receipt = read_label(tmp_path / "linked.wav").receipt
    assert receipt["settings"] == {
        "digits": "42",
        "seed": 3,
        "temperature": 0.55,
        "voice": [1, -0.5, *[0] * 6],
    }
    assert check_file(hub, tmp_path / "linked.wav").code == 0


def test_a_link_to_the_text_tab_writes_the_same_text_in_a_fresh_browser(browser, app):
    from aigc_demo.ui.text_handlers import TextHandlers

    url, hub = app
    expected = TextHandlers(hub).generate("bard", "Hi", 0.7, 0, 1.0, 40, 3, 1)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url.rstrip("/") + "/?tab=text&model=bard&prompt=Hi&temperature=0.7&length=40&seed=3")
        written = page.locator("#text-output textarea")
        expect(written).to_have_value(expected["prompt"] + expected["continuations"][0], timeout=30_000)
        assert page.locator("#text-prompt textarea").input_value() == "Hi"  # not the Chinese example
    finally:
        context.close()


def test_a_chinese_page_writes_a_poem_in_the_form_picked(browser, app):
    from aigc_demo.text.poetry import FORMS, layout_of

    url, _ = app
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        go_to(page, "文本")
        expect(page.locator("#text-model input")).to_have_value("poet", timeout=30_000)
        page.locator("#text-form").get_by_text("七言绝句", exact=True).click()  # offered for a Chinese model
        page.locator("#text-prompt textarea").fill("春風\n明月\n")
        page.locator("#text-write").click()
        written = page.locator("#text-output textarea")
        expect(written).to_have_value(re.compile(r"。\n\n$"), timeout=30_000)  # the poem ended; writing stops
        assert layout_of(written.input_value().strip("\n")) == FORMS["quatrain-7"]
    finally:
        context.close()


PHONE = {"width": 390, "height": 844}


@contextmanager
def image_page_on_a_phone(browser, app_url: str, locale: str):
    """The Image page on a 390 x 844 touch screen, its first picture shown: (page, picture)."""
    context = browser.new_context(locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(app_url)
        picture = page.locator("#image-output img")
        picture.wait_for(timeout=30_000)
        yield page, picture
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_on_a_phone_the_picture_stays_in_view_while_a_slider_is_dragged(browser, app_url, locale):
    with image_page_on_a_phone(browser, app_url, locale) as (page, picture):
        slider = page.locator("#latent-2 input[type=range]")
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        track = slider.bounding_box()
        assert page.evaluate("window.scrollY") > 400  # scrolled past where the picture started
        seen = {picture.get_attribute("src")}
        page.mouse.move(track["x"] + track["width"] / 2, track["y"] + track["height"] / 2)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(
                track["x"] + track["width"] * (0.5 + step * 0.08), track["y"] + track["height"] / 2
            )
            page.wait_for_timeout(250)
            seen.add(picture.get_attribute("src"))
            shown = picture.bounding_box()
            assert shown["y"] >= 0
            assert shown["y"] + shown["height"] <= PHONE["height"]  # the whole picture in view
        page.mouse.up()
        assert len(seen) >= 3  # and it changed while the slider moved
        # the picture has words for a screen reader, in the page's language (this hub has no judge to
        # read the digit, so they name the model that drew it)
        expect(picture).to_have_attribute("alt", re.compile("drawn by" if locale == "en-US" else "画出"))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{locale}-phone-image-dragged.png"))


def test_on_a_phone_a_digit_drawn_with_a_finger_becomes_the_picture(browser, app_url):
    """The Edit panel's pad: a stroke drawn on it is encoded, and the sliders then move that digit."""
    with image_page_on_a_phone(browser, app_url, "zh-CN") as (page, picture):
        first = picture.get_attribute("src")
        page.get_by_role("button", name="编辑你自己的数字").click()
        pad = page.locator("#edit-sketch canvas")
        pad.scroll_into_view_if_needed()
        expect(page.locator("#edit-sketch button")).to_have_text("清除")  # in the page's language
        box = pad.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.15)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(
                box["x"] + box["width"] * (0.55 - step * 0.01),
                box["y"] + box["height"] * (0.15 + step * 0.07),
            )
        page.mouse.up()
        page.locator("#edit-encode").click()
        page.locator("#edit-prepared img").wait_for(timeout=30_000)
        expect(picture).not_to_have_attribute("src", first)
        page.locator("#edit-sketch button").click()  # cleared: nothing left to encode
        page.locator("#edit-upload").scroll_into_view_if_needed()
        page.locator("#edit-encode").click()
        expect(page.get_by_text("请先画一个数字或上传一张数字图片")).to_be_visible(timeout=30_000)  # 中文


# What a person reads on a page as the name of something: labels, buttons, headings, links, the
# page's links to the others, and hints in empty boxes; only what is shown.
NAMES_ON_PAGE = """() => {
    const shown = (e) => e.offsetParent !== null || e.getClientRects().length > 0;
    const selector = "label, button, h1, h2, h3, h4, legend, nav a, [data-testid=block-info]";
    const texts = [...document.querySelectorAll(selector)].filter(shown).map((e) => e.innerText);
    for (const e of document.querySelectorAll("[placeholder]")) {
        if (shown(e)) texts.push(e.getAttribute("placeholder"));
    }
    return texts.map((t) => (t || "").trim()).filter(Boolean);
}"""
# What a Chinese page keeps in Latin letters: names of formats, methods and standards.
KEPT_IN_LATIN = re.compile(
    r"AIGC|Gradio|API|VAE|GAN|LSTM|WAV|PNG|GIF|JSON|MIT|CPU|GPU|IDX|UTF-8|safetensors|\.[a-z][a-z0-9]*\b|top-[kp]",
    re.I,
)


def _names_of(value) -> set[str]:
    """Every string a card holds (a model's speakers, classes, ...): names the page shows as they are."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(_names_of, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_names_of, value)) if value else set()
    return set()


def test_the_chinese_pages_leave_no_label_in_english(browser, app):
    url, hub = app
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    names = set(hub.names()).union(*(_names_of(e.card.extras) for e in hub.entries()))
    names = sorted((n for n in names if 0 < len(n) <= 40), key=len, reverse=True)
    english = []
    try:
        for visited in PAGES:
            page.goto(url + visited.path)
            page.locator("#pages").get_by_role("link").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # the page's own opening (models in the page's language)
            for shown in page.evaluate(NAMES_ON_PAGE):
                left = KEPT_IN_LATIN.sub("", shown)
                for name in names:
                    left = left.replace(name, "")
                if re.search(r"[A-Za-z]{3,}", left):
                    english.append((visited.name, shown))
    finally:
        context.close()
    assert english == [], "\n".join(f"{page}: {shown!r}" for page, shown in english)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_on_a_phone_what_write_and_say_it_make_is_on_screen(browser, app_url, locale):
    """The written text and the voice are a screen or more below their buttons on a phone: pressing
    the button brings them into view."""
    context = browser.new_context(locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        for address, button, output in (
            ("text", "#text-write", "#text-output"),
            ("speech", "#speech-say", "#speech-audio"),
        ):
            page.goto(app_url + address)
            page.locator(button).wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # the page's own opening
            assert page.locator(output).bounding_box()["y"] > PHONE["height"]  # out of view before
            page.locator(button).tap()
            page.wait_for_timeout(1500)
            shown = page.locator(output).bounding_box()
            assert -5 <= shown["y"] < PHONE["height"] / 2, (address, shown)  # its top on screen
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{locale}-phone-{address}-after.png"))
    finally:
        context.close()
