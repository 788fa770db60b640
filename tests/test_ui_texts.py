import re
import string
from types import SimpleNamespace

import pytest

from aigc_demo.ui.about import datasets_markdown, format_size, model_list, models_html
from aigc_demo.ui.i18n import LANGUAGES, language_of, table, translate
from tests.helpers import make_card, make_model


def test_every_language_has_every_text_with_the_same_placeholders():
    assert set(table()) == set(LANGUAGES)
    english = table()["en"]
    for language, texts in table().items():
        assert set(texts) == set(english), language
        for key, value in texts.items():
            assert value.strip(), (language, key)
            fields = {f for _, f, _, _ in string.Formatter().parse(value) if f}
            assert fields == {f for _, f, _, _ in string.Formatter().parse(english[key]) if f}, key


def test_chinese_texts_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    words = re.compile(r"[A-Za-z]{2,}")

    def needs_words(value: str) -> bool:  # "{factor}: {low}" has nothing to translate
        return bool(words.search(re.sub(r"\{\w+\}|AIGC|WAV|VAE|GAN|KL|MIT|top-[kp]", "", value)))

    english = table()["en"]
    untranslated = [k for k, v in table()["zh-CN"].items() if needs_words(english[k]) and not han.search(v)]
    assert untranslated == []


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR,zh-TW;q=0.5,en;q=0.3", "zh-CN"),
        ("en;q=0.2,zh;q=0.9", "zh-CN"),
        ("de-DE", "en"),
        ("", "en"),
        ("zh;q=nonsense,en", "en"),
    ],
)
def test_language_follows_accept_language(header, language):
    assert language_of(SimpleNamespace(headers={"accept-language": header})) == language


def test_language_without_a_request_is_english():
    assert language_of(None) == "en"


def test_text_fills_values():
    assert translate("footer", "zh-CN", version="1", device="CPU") == "AIGC 创作工坊 1 · 模型运行于 CPU"


def test_model_cards_show_what_a_person_needs(hub):
    hub.save("digits", make_model(), make_card(description="Draws digits."))
    (hub.user_dir / "junk.safetensors").write_bytes(b"junk")
    english = models_html(hub, "en")
    assert "<summary><strong>digits</strong> — Draws digits.</summary>" in english  # folded, said in words
    assert "synthetic" in english
    assert "CC0" in english
    assert "loss 0.5; accuracy 0.9" in english  # figures this app has no words for: their names
    assert "trained here" in english
    assert "not loaded yet" in english
    assert "junk.safetensors" in english
    hub.load("digits")
    chinese = models_html(hub, "zh-CN")
    assert "<strong>已加载到:</strong> CPU（" in chinese  # "threads" in the page's language too
    assert "已跳过的文件" in chinese


def test_figures_are_named_and_shown_in_the_reader_s_language():
    from aigc_demo.ui.about import format_metrics

    metrics = {"test_accuracy": 0.99371, "train_seconds": 921.6, "valid_loss": 1.43431, "epochs_run": 16.0}
    assert format_metrics(metrics, "en") == (
        "test accuracy 99.37%; training time 15 min; held-out loss (nats per character) 1.434; epochs 16"
    )
    assert format_metrics(metrics, "zh-CN") == (
        "测试集准确率 99.37%; 训练用时 15 分钟; 验证集损失（奈特/字符） 1.434; 训练轮数 16"
    )


def test_a_card_s_words_reach_the_page_as_text_never_as_markup(hub):

    hostile = "<script>alert(1)</script> [see](javascript:alert(2)) <img src=x onerror=alert(3)> **bold**"
    hostile += " ![seen](https://tracker.example/1.png) [a link](https://elsewhere.example)"
    hub.save("digits", make_model(), make_card(description=hostile))
    shown = models_html(hub, "en")
    for markup in ("<script>", "<img", "href=", "<strong>bold"):  # no markup, picture or link of a stranger's
        assert markup not in shown
    assert "&lt;script&gt;" in shown  # shown as the words it is
    assert "**bold**" in shown
    assert "![seen](https://tracker.example/1.png)" in shown
    assert "<summary><strong>digits</strong>" in shown


def test_no_models_says_where_they_would_be(hub):
    assert str(hub.user_dir) in models_html(hub, "en")


def test_datasets_are_credited_with_licences():
    credits = datasets_markdown("en")
    for name, licence in [
        ("MNIST", "CC BY-SA 3.0"),
        ("Free Spoken Digit Dataset", "CC BY-SA 4.0"),
        ("tiny-shakespeare", "MIT"),
        ("Tang poems", "MIT"),
    ]:
        assert name in credits
        assert licence in credits


def test_model_list_is_plain_data(hub):
    hub.save("digits", make_model(), make_card())
    (row,) = model_list(hub)
    assert row["name"] == "digits"
    assert row["size_bytes"] > 0


@pytest.mark.parametrize(("size", "shown"), [(512, "512 B"), (2048, "2.0 KB"), (5 * 1024**2, "5.0 MB")])
def test_sizes_read_naturally(size, shown):
    assert format_size(size) == shown


def test_the_shipped_cards_and_the_datasets_read_in_chinese_on_a_chinese_page():
    from aigc_demo.backend.hub import default_hub
    from aigc_demo.ui.about_texts import CARD_TEXTS_ZH

    hub = default_hub()
    chinese = models_html(hub, "zh-CN") + datasets_markdown("zh-CN")
    for entry in hub.entries():
        if entry.shipped:
            assert entry.card.description in CARD_TEXTS_ZH, entry.name  # every shipped card translated
    assert not any(english in chinese for english in CARD_TEXTS_ZH)
    assert "逐字续写一段文字。" in chinese
    assert "Continues a text one character at a time." in models_html(hub, "en")


def test_how_a_visitor_s_model_was_trained_reads_in_the_page_s_language():
    from aigc_demo.ui.about import card_text

    trained = "Trained in the app on pasted text (tiny preset)."
    assert card_text(trained, "zh-CN") == "在应用中用粘贴的文本训练（微型规模）。"
    tuned = "poems--3fa9c2e1b7d0 fine-tuned in the app on verses.txt."
    assert card_text(tuned, "zh-CN") == "由 poems 在应用中用verses.txt微调而成。"
    assert card_text(tuned, "en") == "poems fine-tuned in the app on verses.txt."  # never the name's tail
