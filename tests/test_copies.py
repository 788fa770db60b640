"""The copy check: a suffix array that agrees with sorting every suffix, spans found word for word
with their source, an index built from a model's own training part, the CLI, and refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aigc_demo.cli import main as cli_main
from aigc_demo.data.text_index import MAX_QUERY, TextIndex, suffix_array
from aigc_demo.pipelines import copies
from tests.helpers import make_text_card, make_text_model, varied_text

PLAY = (
    "ALICE:\nThe quick brown fox jumps over the lazy dog near the river bank.\n\n"
    "BOB:\nA bird in the hand is worth two in the bush, my friend.\n\n"
)


def test_the_suffix_array_is_every_suffix_in_sorted_order():
    rng = np.random.default_rng(0)
    for _ in range(100):
        text = "".join(rng.choice(list("ab c"), size=int(rng.integers(1, 60))))
        order = suffix_array(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))
        assert [text[i:] for i in order] == sorted(text[i:] for i in range(len(text)))


def test_spans_are_maximal_found_word_for_word_and_name_their_source(tmp_path):
    index = TextIndex.build(PLAY, copies.sources_of(PLAY, "a play"))
    written = "Then the quick brown fox jumps over a cat; a bird in the hand is worth two in the bush."
    spans = index.spans(written, least=12)
    found = [(written[s.start : s.end], s.source) for s in spans]
    assert found == [
        ("he quick brown fox jumps over ", "a play, ALICE's speech"),  # its "The" is not "the"
        (" bird in the hand is worth two in the bush", "a play, BOB's speech"),
    ]
    assert index.spans("nothing of the sort appears here", least=12) == []
    index.save(tmp_path / "play")
    again = TextIndex.load(tmp_path / "play")
    assert again.spans(written, least=12) == spans
    assert again.bytes_held == 8 * len(PLAY) + 8 * 2  # codes and suffixes, and the two sources
    with pytest.raises(ValueError, match="20,000 characters"):
        index.spans("x" * (MAX_QUERY + 1), least=12)


def test_a_poems_source_is_its_title_and_poet():
    poems = "登高\n杜甫\n風急天高猿嘯哀，渚清沙白鳥飛回。\n\n春曉\n孟浩然\n春眠不覺曉，處處聞啼鳥。\n\n"
    index = TextIndex.build(poems, copies.sources_of(poems, "poems"))
    (span,) = index.spans("我愛春眠不覺曉，處處", least=copies.least_for("我愛春眠不覺曉，處處"))
    assert span.source == "春曉 · 孟浩然"


def test_a_models_index_holds_only_what_it_learned_and_the_cli_reports_spans(
    hub, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("aigc_demo.cli.copies.default_hub", lambda: hub)
    text = varied_text(300, seed=3)
    data = tmp_path / "corpus.txt"
    data.write_text(text)
    model = make_text_model()
    hub.save("bard", model, make_text_card(model))
    assert cli_main(["copies", "--checkpoint", "bard", "--build", "--data", str(data)]) == 0
    learned, held_out = text[: int(len(text) * 0.9)], text[int(len(text) * 0.9) :]
    capsys.readouterr()
    assert cli_main(["copies", "--checkpoint", "bard", "--text", learned[100:160]]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spans"][0]["text"] == learned[100:160]
    assert report["learned_characters"] == len(learned)
    novel = held_out[-80:]  # the held-out tail: written after it, not learned (unless repeated above)
    assert cli_main(["copies", "--checkpoint", "bard", "--text", novel, "--least", "70"]) == 0
    assert json.loads(capsys.readouterr().out)["spans"] == []
    assert cli_main(["copies", "--checkpoint", "bard"]) == 2
    assert "--text or --file" in capsys.readouterr().err


def test_the_pages_note_names_the_spans_in_the_visitors_language(hub, tmp_path, monkeypatch):
    from aigc_demo.ui.copies_note import copies_note

    data = tmp_path / "play.txt"
    data.write_text(PLAY * 3)
    model = make_text_model()
    hub.save("bard", model, make_text_card(model))
    assert "cannot say" in copies_note(hub, "bard", "anything at all", "en")
    copies.build_index(hub, "bard", data)
    copied = "Well, a bird in the hand is worth two in the bush, my friend. Or so they say."
    note = copies_note(hub, "bard", copied, "zh-CN")
    assert note.startswith("**是抄的吗？** 有 1 段 30 个字符以上")
    assert "“bird in the hand is worth two in the bush, my friend.” —— 出自 synthetic, BOB's speech" in note
    assert "No span of 30+ characters" in copies_note(hub, "bard", "Nothing here was ever in any play.", "en")
