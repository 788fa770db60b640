"""Text models: vocabulary, corpus reading, TBPTT training, sampling, the lens, poem form."""

from __future__ import annotations

import codecs
import json
import math

import numpy as np
import pytest
import torch

from aigc_demo.data.text import TextFileError, decode_text, read_text, split_text
from aigc_demo.evaluation.text import evaluate_text, poem_form_report, streams, text_loss, write_poem
from aigc_demo.pipelines import writing
from aigc_demo.pipelines.poem_form import FormGuide, guide_for, layouts_for
from aigc_demo.pipelines.writing import Sampling, lens, prepare_prompt, sample_ids, stream_text
from aigc_demo.text import poetry
from aigc_demo.text.poetry import classical_poems, headings, poem_form, split_poems
from aigc_demo.text.script import in_script, is_chinese, to_simplified, to_traditional
from aigc_demo.text.vocabulary import UNKNOWN, Vocabulary
from aigc_demo.training.text import TextTrainingConfig, train_char_rnn
from tests.helpers import CHINESE, ENGLISH, make_text_model


def test_vocabulary_round_trips_and_caps_rare_characters_into_one_mark():
    vocabulary = Vocabulary.from_text("hello world")
    assert vocabulary.chars == " dehlorw"
    assert vocabulary.decode(vocabulary.encode("hello")) == "hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocabulary.encode("hex")
    capped = Vocabulary.from_text("aaaabbbccd", max_size=3)
    assert capped.unknown == UNKNOWN
    assert set(capped.chars) == {"a", "b", UNKNOWN}
    assert capped.decode(capped.encode("abcd")) == f"ab{UNKNOWN}{UNKNOWN}"
    assert capped.unknown_chars("abcdc") == "cd"
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.from_text("")
    with pytest.raises(ValueError, match="once"):
        Vocabulary("aa")


def test_text_files_must_be_utf8_or_marked_utf16(tmp_path):
    assert decode_text("héllo\r\nworld".encode()) == "héllo\nworld"
    assert decode_text(codecs.BOM_UTF8 + b"hi") == "hi"
    assert decode_text("春風".encode("utf-16")) == "春風"
    with pytest.raises(TextFileError, match="not UTF-8"):
        decode_text("héllo".encode("latin-1"))
    with pytest.raises(TextFileError, match="binary"):
        decode_text(b"ab\x00cd")
    (tmp_path / "blank.txt").write_text("  \n")
    with pytest.raises(TextFileError, match="no text"):
        read_text(tmp_path / "blank.txt")
    with pytest.raises(TextFileError, match="no text file"):
        read_text(tmp_path / "missing.txt")


def test_last10_split_holds_out_the_final_tenth():
    train, valid = split_text("x" * 90 + "y" * 10)
    assert (train, valid) == ("x" * 90, "y" * 10)
    assert split_text("abc", "whole") == ("abc", "abc")
    with pytest.raises(ValueError, match="split"):
        split_text("abc", "first")


def test_streams_lay_text_out_in_rows_and_pad_the_last():
    rows = streams(torch.arange(7), 3)
    assert rows.tolist() == [[0, 1, 2], [3, 4, 5], [6, -100, -100]]


def test_tbptt_training_learns_a_pattern_that_needs_memory_across_chunks():
    # Blocks "c..c": the last letter repeats the first, three characters back, while chunks are
    # two characters long, so only the state carried from chunk to chunk can predict it.
    import random

    rng = random.Random(0)
    text = "".join(c + ".." + c for c in (rng.choice("ab") for _ in range(1000)))
    config = TextTrainingConfig(
        epochs=6, batch_size=16, seq_len=2, learning_rate=1e-2, embed_dim=8, hidden=32, layers=1, dropout=0.0
    )
    logs: list[str] = []
    saved: list[dict] = []
    _, metrics = train_char_rnn(
        text[:3200], text[3200:], config, log=logs.append, on_improved=lambda m, f: saved.append(f)
    )
    assert len(logs) == 7
    assert saved[-1] == metrics
    # One free letter per 4 characters: 0.69 / 4 = 0.17 nats/char with memory across chunks;
    # without it the repeated letter is a coin toss too (0.35), and an untrained model is at 1.1.
    assert metrics["valid_loss"] < 0.25
    assert math.isclose(metrics["valid_bits_per_char"], metrics["valid_loss"] / math.log(2), abs_tol=1e-3)


def test_training_refuses_text_too_short_for_one_batch():
    with pytest.raises(ValueError, match="too short"):
        train_char_rnn("abc" * 10, "abc", TextTrainingConfig(epochs=1, batch_size=64, seq_len=128))


def test_loss_is_the_mean_over_every_character_whatever_the_batch_layout():
    model = make_text_model()
    ids = model.vocabulary.encode("To be, or not to be: that is the question.")
    one = evaluate_text(model, ids, batch_size=1, seq_len=7)
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])
        expected = torch.nn.functional.cross_entropy(logits[0], ids[1:]).item()
    assert one == pytest.approx(expected, rel=1e-5)
    assert evaluate_text(model, ids, batch_size=4, seq_len=3) != pytest.approx(one)  # fresh state per stream
    assert text_loss(model, "To be").nats_per_char > 0


def test_sampling_is_reproducible_from_the_seed():
    model = make_text_model()
    settings = Sampling(temperature=1.0)
    first = list(stream_text(model, "ROMEO:", settings, 40, seed=3))[-1]
    again = list(stream_text(model, "ROMEO:", settings, 40, seed=3))[-1]
    other = list(stream_text(model, "ROMEO:", settings, 40, seed=4))[-1]
    assert first == again
    assert first != other
    assert len(first[0]) == 40
    batch = writing.generate_text(model, "ROMEO:", settings, 30, seed=3, samples=3)
    assert len(batch) == 3
    assert len(set(batch)) == 3


def test_greedy_sampling_with_carried_state_matches_a_full_rereading():
    """Stepping one character at a time with the state carried forward must give the same
    distributions as reading the whole text in one pass: top-1 sampling picks the lens's
    best candidate at every position."""
    model = make_text_model(seed=1)
    written = writing.generate_text(model, "Hello", Sampling(top_k=1), 60, seed=0)[0]
    steps = lens(model, "Hello" + written, 5)
    assert [s.char for s in steps] == list(written)
    assert all(s.candidates[0][0] == s.char for s in steps)
    assert all(s.probability == pytest.approx(s.candidates[0][1]) for s in steps)


def test_top_k_and_top_p_keep_exactly_the_likeliest_characters():
    logits = np.log([[0.05, 0.5, 0.15, 0.3]])

    def kept(settings: Sampling) -> set[int]:
        values, ids, kept = settings.shortlist(logits)
        ids = range(values.shape[-1]) if ids is None else ids[0]  # None: no filter, id order
        return {int(i) for i in ids[: kept[0]]}

    assert kept(Sampling(temperature=1, top_k=2)) == {1, 3}
    assert kept(Sampling(temperature=1, top_p=0.5)) == {1}
    assert kept(Sampling(temperature=1, top_p=0.8)) == {1, 3}
    assert kept(Sampling(temperature=1, top_p=0.81)) == {1, 3, 2}
    assert kept(Sampling(temperature=1, top_k=3, top_p=0.9)) == {1, 3, 2}
    assert kept(Sampling(temperature=1, top_p=1.0)) == {0, 1, 2, 3}
    values, _, _ = Sampling(temperature=0.05).shortlist(logits)
    assert np.exp(values[0, 1]) / np.exp(values[0]).sum() > 0.99
    generator = np.random.default_rng(0)
    draws = np.stack([Sampling(temperature=1, top_p=0.8).draw(logits, generator) for _ in range(300)])
    assert set(draws.flatten().tolist()) == {1, 3}  # never a character the filter dropped
    share = (draws == 1).mean()
    assert 0.5 < share < 0.75  # 0.5 / (0.5 + 0.3) = 0.625 after renormalising
    two_rows = np.repeat(logits, 2, 0)
    unfiltered = np.stack([Sampling(temperature=1).draw(two_rows, generator) for _ in range(400)])
    assert unfiltered.shape == (400, 2)
    assert abs((unfiltered == 0).mean() - 0.05) < 0.03
    assert abs((unfiltered == 1).mean() - 0.5) < 0.06


def test_top_k_one_always_draws_the_same_text_whatever_the_seed():
    model = make_text_model()
    greedy = Sampling(top_k=1)
    assert writing.generate_text(model, "A", greedy, 30, seed=1) == writing.generate_text(
        model, "A", greedy, 30, seed=2
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((0.0, 0, 1.0), "temperature"),
        ((2.5, 0, 1.0), "temperature"),
        ((float("nan"), 0, 1.0), "finite"),
        (("hot", 0, 1.0), "number"),
        ((1.0, -1, 1.0), "top-k"),
        ((1.0, 2.5, 1.0), "top-k"),
        ((1.0, 0, 0.0), "top-p"),
        ((1.0, 0, 1.5), "top-p"),
    ],
)
def test_bad_sampling_settings_are_refused_by_name(values, message):
    with pytest.raises(ValueError, match=message):
        Sampling.checked(*values)


@pytest.mark.parametrize(
    ("request_values", "message"),
    [
        ((0, 1, 1), "length"),
        ((5000, 1, 1), "length"),
        ((10, -1, 1), "seed"),
        ((10, 1, 9), "samples"),
        ((10, 1, None), "samples"),
    ],
)
def test_bad_request_sizes_are_refused_by_name(request_values, message):
    with pytest.raises(ValueError, match=message):
        writing.check_request(*request_values)


def test_prompts_are_cleaned_with_a_note_for_every_change():
    model = make_text_model()
    prompt = prepare_prompt(model, "Caf\u00e9 au\x07 lait\r\n")
    assert prompt.text == "Caf au lait\n"
    assert any("control" in n for n in prompt.notes)
    assert any("é" in n for n in prompt.notes)
    empty = prepare_prompt(model, "")
    assert empty.text == "\n"
    assert "empty" in empty.notes[0]
    assert prepare_prompt(model, None).text == "\n"
    long = prepare_prompt(model, "a" * (writing.MAX_PROMPT + 50) + "Z")
    assert len(long.text) == writing.MAX_PROMPT
    assert long.text.endswith("Z")
    assert "cut" in long.notes[0]
    with pytest.raises(ValueError, match="must be text"):
        prepare_prompt(model, 42)


def test_chinese_prompts_become_traditional_and_unknown_characters_become_the_mark():
    model = make_text_model(CHINESE + UNKNOWN, unknown=UNKNOWN)
    prompt = prepare_prompt(model, "举头望明月，低头思故乡。X")
    assert prompt.text == f"舉頭望明月，低頭思故鄉。{UNKNOWN}"
    assert any("Traditional" in n for n in prompt.notes)
    assert any(UNKNOWN in n and "X" in n for n in prompt.notes)
    written = writing.generate_text(model, prompt.text, Sampling(), 10, seed=0)[0]
    assert len(written) == 10


def test_script_conversion_both_ways():
    assert is_chinese(CHINESE)
    assert not is_chinese(ENGLISH)
    assert to_traditional("举头望明月") == "舉頭望明月"
    assert to_simplified("舉頭望明月") == "举头望明月"
    assert in_script("低頭思故鄉", "simplified") == "低头思故乡"
    assert in_script("低頭思故鄉", "traditional") == "低頭思故鄉"
    with pytest.raises(ValueError, match="script"):
        in_script("x", "cyrillic")


def test_lens_reports_the_models_belief_at_each_written_character():
    model = make_text_model()
    steps = lens(model, "Hello world", 6)
    assert [s.char for s in steps] == list("world")
    for step in steps:
        probabilities = [p for _, p in step.candidates]
        assert probabilities == sorted(probabilities, reverse=True)
        assert 0 < step.probability <= 1
        assert 0 <= step.entropy <= math.log2(len(ENGLISH)) + 1e-4
        assert len(step.candidates) == writing.LENS_CANDIDATES
    with pytest.raises(ValueError, match="start"):
        lens(model, "Hello", 0)


def test_poem_form_counts_half_lines():
    five = "春曉\n孟浩然\n春眠不覺曉，處處聞啼鳥。\n夜來風雨聲，花落知多少。"
    seven = "題\n人\n一二三四五六七，一二三四五六七。"
    mixed = "題\n人\n一二三四五，一二三四五六七。"
    assert poem_form(five) == 5
    assert poem_form(seven) == 7
    assert poem_form(mixed) is None
    assert poem_form("題\n人") is None
    poems = split_poems(f"{five}\n\n{seven}\n\n\n{mixed}\n")
    assert len(poems) == 3
    assert headings(poems)[0] == "春曉\n孟浩然\n"


def test_poem_writing_stops_at_the_blank_line_and_is_scored():
    model = make_text_model(CHINESE)
    poem = write_poem(model, "春\n人\n", Sampling(), seed=0, guide=None)
    assert poem.startswith("春\n人\n")
    assert poem.endswith("\n\n") or len(poem) >= 400
    corpus = ["春\n人\n一二三四五，一二三四五。\n", "月\n人\n一二三四五六七，一二三四五六七。\n", "題\n"]
    report = poem_form_report(model, corpus, temperature=0.8)
    assert report.poems == 2  # a poem without a body gives no heading to write after
    assert 0 <= report.classical_share <= 1
    assert sum(report.forms.values()) == 2
    assert report.corpus_layouts == {"5x2": 0.5, "7x2": 0.5, "other": 0.0}
    assert 0 <= report.layout_distance <= 1


FIVE_QUATRAIN = "春曉\n孟浩然\n春眠不覺曉，處處聞啼鳥。\n夜來風雨聲，花落知多少。\n"


def test_layouts_are_read_counted_and_drawn():
    assert poetry.layout_of(FIVE_QUATRAIN) == poetry.FORMS["quatrain-5"]
    assert poetry.layout_of("題\n人\n一二三四五，一二三四五六七。") is None
    assert poetry.layout_of("題\n人\n一二三四五，一二三四五，一二三四五。") is None  # an odd count
    poems = [FIVE_QUATRAIN] * 3 + ["題\n人\n一二三四五六七，一二三四五六七。\n"]
    assert poetry.layout_shares(poems) == {"5x4": 0.75, "7x2": 0.25, "other": 0.0}
    shares = {"5x4": 0.5, "7x8": 0.25, "other": 0.25}
    assert poetry.draw_layout(shares, 0.1) == poetry.Layout(5, 2)
    assert poetry.draw_layout(shares, 0.6) == poetry.Layout(7, 4)
    assert poetry.draw_layout(shares, 0.9) is None
    assert poetry.corpus_forms("\n\n".join(poems * 5)) == {"5x4": 0.75, "7x2": 0.25, "other": 0.0}
    assert poetry.corpus_forms("To be, or not to be.\n\n" * 30) is None
    assert poetry.total_variation({"a": 1.0}, {"b": 1.0}) == 1.0


@pytest.mark.parametrize("form", list(poetry.FORMS))
@pytest.mark.parametrize("prompt", ["春風\n明月\n", "春風", "", "山水\n人\n一二三四五，一二三四五。\n\n"])
def test_every_poem_keeps_the_form_asked_for(form, prompt):
    """Untrained weights, several samples and seeds: the guide alone must make each poem its form."""
    model = make_text_model(CHINESE + "七五三四二", unknown="")
    layout = poetry.FORMS[form]
    for seed in range(3):
        text = prepare_prompt(model, prompt).text
        guide = FormGuide(model.vocabulary, text, [layout] * 2)
        written = writing.generate_text(model, text, Sampling(1.5), writing.MAX_LENGTH, seed, 2, guide)
        for continuation in written:
            poem = (text + continuation)[text.rfind("\n\n") + 2 if "\n\n" in text else 0 :]
            lines = poem.strip("\n").split("\n")
            assert len(lines) == 2 + layout.couplets, poem
            assert poetry.layout_of(poem) == layout, poem
            assert continuation.endswith("\n\n")
            heading = zip(lines, poetry.MAX_HEADING_LINE, strict=False)
            assert all(0 < len(line) <= limit for line, limit in heading)


def test_a_typed_title_is_whole_and_a_prompt_that_breaks_the_form_is_refused_in_words():
    model = make_text_model(CHINESE)
    guide = FormGuide(model.vocabulary, "春江", [poetry.FORMS["quatrain-5"]])
    assert guide.slots == [poetry.LINE_BREAK]
    with pytest.raises(ValueError, match="character 6 of its body"):
        FormGuide(model.vocabulary, "題\n人\n一二三四五六", [poetry.FORMS["quatrain-5"]])
    with pytest.raises(ValueError, match="cannot write poems"):
        guide_for(make_text_model().vocabulary, "ROMEO:", "quatrain-5", None, 0, 1)
    with pytest.raises(ValueError, match="form must be one of"):
        layouts_for("sonnet", None, 0, 1)


def test_free_poems_follow_the_cards_mix_and_are_unguided_without_one():
    assert layouts_for("free", None, 0, 4) is None
    shares = {"5x8": 0.5, "7x4": 0.5}
    drawn = [layout for seed in range(200) for layout in layouts_for("free", shares, seed, 1)]
    assert {layout.key for layout in drawn} == {"5x8", "7x4"}
    assert 80 < sum(layout.key == "5x8" for layout in drawn) < 120
    assert layouts_for("free", shares, 7, 3) == layouts_for("free", shares, 7, 3)  # the seed decides
    begun = "題\n人\n一二三四五六七，"  # only a seven-character layout can follow
    assert {layout.key for layout in layouts_for("free", shares, 0, 20, begun)} == {"7x4"}
    assert layouts_for("free", shares, 0, 2, "題\n人\n一二三，") is None  # no form fits: unguided
    assert layouts_for("free", {**shares, "other": 0.1}, 0, 2, "題\n人\n一二三，") == [None, None]
    long_prose = "題\n人\n" + "一二三四五" * 200  # past the longest irregular poem too: unguided
    assert layouts_for("free", {**shares, "other": 0.1}, 0, 2, long_prose) is None
    model = make_text_model(CHINESE)
    guide = guide_for(model.vocabulary, "春\n人\n", "free", {"other": 1.0}, 0, 1)
    written = writing.generate_text(model, "春\n人\n", Sampling(), writing.MAX_LENGTH, 0, 1, guide)[0]
    assert written.endswith("\n\n") or len(written) >= poetry.MAX_FREE_BODY  # an irregular poem still ends


def test_sample_ids_yields_one_id_per_sample_per_step():
    model = make_text_model()
    steps = list(sample_ids(model, "Hi", Sampling(), 5, seed=0, samples=2))
    assert len(steps) == 5
    assert all(s.shape == (2,) for s in steps)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_step_matches_the_full_recurrent_layer(cell):
    from aigc_demo.models.char_rnn import CharRNN

    torch.manual_seed(0)
    model = CharRNN(ENGLISH, cell=cell, embed_dim=8, hidden=16, layers=3).eval()
    ids = model.vocabulary.encode("Hello there")[None]
    with torch.no_grad():
        expected, _ = model(ids)
        _, state = model(ids[:, :1])
        for position in range(1, ids.shape[1]):
            logits, state = model.step(ids[:, position], state)
            torch.testing.assert_close(logits, expected[:, position])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_numpy_stepper_matches_the_full_recurrent_layer(cell):
    """The sampler's CPU step (NumPy on the weights laid out for it) computes what the model computes,
    for a batch of texts, and a stepper made after the weights change (a model still training) follows
    them."""
    from aigc_demo.models.char_rnn import CharRNN, Stepper

    torch.manual_seed(0)
    model = CharRNN(ENGLISH, cell=cell, embed_dim=8, hidden=16, layers=3).eval()
    ids = torch.stack([model.vocabulary.encode("Hello there"), model.vocabulary.encode("Good evening")[:11]])
    for _ in range(2):
        with torch.no_grad():
            expected, _ = model(ids)
            _, state = model(ids[:, :1])
        step = Stepper(model, state)
        for position in range(1, ids.shape[1]):
            logits = step(ids[:, position].numpy())
            np.testing.assert_allclose(logits, expected[:, position].numpy(), rtol=1e-4, atol=1e-5)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.mul_(1.5)  # in place, as an optimizer updates them


def test_a_monitor_sees_every_step_and_stops_the_run_within_one():
    from aigc_demo.training.common import Monitor

    class StopAfter(Monitor):
        def __init__(self, steps: int):
            self.steps, self.seen, self.evaluations = steps, [], []

        def step(self, step, total, losses):
            self.seen.append((step, total, losses["train"]))

        def evaluated(self, step, metrics, model):
            self.evaluations.append((step, metrics))

        def stop_requested(self):
            return len(self.seen) >= self.steps

    text = "the quick brown fox jumps over the lazy dog. " * 60
    config = TextTrainingConfig(epochs=5, batch_size=4, seq_len=16, embed_dim=8, hidden=16, layers=1)
    monitor = StopAfter(7)
    model, metrics = train_char_rnn(text, text[:300], config, log=lambda _: None, monitor=monitor)
    assert [s for s, _, _ in monitor.seen] == list(range(1, 8))
    assert monitor.seen[0][1] > 7  # the run was going to take longer
    assert [step for step, _ in monitor.evaluations] == [7]  # the stopped weights were validated
    assert metrics == monitor.evaluations[0][1]
    assert 0 < metrics["epoch"] < 1
    assert not model.training


@pytest.fixture
def text_home(tmp_path, monkeypatch):
    from aigc_demo.backend import hub as hub_module

    monkeypatch.setenv("AIGC_HOME", str(tmp_path / "home"))
    hub_module.default_hub.cache_clear()
    yield tmp_path
    hub_module.default_hub.cache_clear()


def test_cli_trains_writes_and_scores_text_reproducibly(text_home, capsys):
    from safetensors import safe_open

    from aigc_demo.cli import main

    corpus = text_home / "corpus.txt"
    corpus.write_text(
        "".join(f"{i} green bottles hanging on the wall.\n" for i in range(200)), encoding="utf-8"
    )
    arguments = [
        "--epochs",
        "1",
        "--hidden",
        "16",
        "--embed-dim",
        "8",
        "--batch-size",
        "4",
        "--seq-len",
        "16",
    ]
    assert main(["train", "text", "--data", str(corpus), "--out", "bottles", *arguments]) == 0
    saved = text_home / "home" / "checkpoints" / "bottles.safetensors"
    with safe_open(str(saved), framework="pt") as handle:
        assert handle.get_tensor("head.weight").dtype == torch.float16  # stored in half precision
    capsys.readouterr()
    command = ["text", "--checkpoint", "bottles", "--prompt", "9 green", "--length", "40", "--seed", "3"]
    assert main(command) == 0
    first = capsys.readouterr().out
    assert main(command) == 0
    assert capsys.readouterr().out == first
    assert first.startswith("9 green")
    assert len(first) == len("9 green") + 40 + 1
    assert main(["eval", "text", "--checkpoint", "bottles", "--data", str(corpus), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["characters"] == len(corpus.read_text()) - int(len(corpus.read_text()) * 0.9)
    assert figures["bits_per_char"] == pytest.approx(figures["nats_per_char"] / math.log(2))
    assert main(["text", "--checkpoint", "bottles", "--temperature", "9"]) == 2
    assert "temperature" in capsys.readouterr().err
    more = ["train", "text", "--data", str(corpus), "--from", "bottles", "--epochs", "1", "--batch-size", "4"]
    assert main([*more, "--seq-len", "16", "--out", "bottles-more"]) == 0
    from aigc_demo.backend.hub import default_hub

    card = default_hub().entry("bottles-more").card
    assert card.extras["started_from"] == "bottles"
    assert card.config == default_hub().entry("bottles").card.config
    assert main([*more, "--hidden", "32", "--out", "bottles-wide"]) == 2
    assert "architecture" in capsys.readouterr().err


def test_training_can_continue_from_a_model_and_keeps_its_vocabulary():
    start = make_text_model(seed=4)
    text = "Fair is foul, and foul is fair. Hover through the fog and filthy air. " * 30
    config = TextTrainingConfig(epochs=1, batch_size=4, seq_len=16, learning_rate=1e-9, dropout=0.0)
    model, _ = train_char_rnn(text, text[:200], config, log=lambda _: None, start_from=start)
    assert model.config == start.config
    for name, tensor in start.state_dict().items():  # a learning rate of ~0 leaves the start intact
        torch.testing.assert_close(model.state_dict()[name], tensor, atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="does not know"):
        train_char_rnn("naïve " * 400, "naïve", config, log=lambda _: None, start_from=start)


def test_classical_poems_keeps_the_poems_of_one_form_in_the_corpus_layout():
    five = "春曉\n孟浩然\n春眠不覺曉，處處聞啼鳥。\n夜來風雨聲，花落知多少。"
    seven = "題\n人\n一二三四五六七，一二三四五六七。"
    mixed = "題\n人\n一二三四五，一二三四五六七。"
    kept = classical_poems(f"{five}\n\n{mixed}\n\n{seven}\n")
    assert kept == f"{five}\n\n{seven}\n"
    assert classical_poems(mixed) == "\n"


def test_the_unknown_mark_is_never_written_though_the_lens_still_weighs_it():
    model = make_text_model(CHINESE + UNKNOWN, unknown=UNKNOWN)
    unknown = model.vocabulary.index[UNKNOWN]
    with torch.no_grad():
        model.head.bias[unknown] = 6.0  # the likeliest character at every step
    text = stream_text_whole(model, "春", Sampling(temperature=1.0), 300)
    assert UNKNOWN not in text
    assert len(text) == 300
    step = lens(model, "春" + text[:20], 1)[0]
    assert step.candidates[0][0] == UNKNOWN  # what the model weighed is shown as it is


def stream_text_whole(model, prompt: str, sampling: Sampling, length: int) -> str:
    *_, (texts, *_) = stream_text(model, prompt, sampling, length, seed=0)
    return texts[0] if isinstance(texts, list) else texts


def test_a_prompt_is_converted_to_traditional_only_where_the_model_does_not_know_it():
    model = make_text_model(CHINESE + "方干" + UNKNOWN, unknown=UNKNOWN)
    assert prepare_prompt(model, "方干").text == "方干"  # 干 is a character of its own: a poet's name
    converted = prepare_prompt(model, "举头望明月")
    assert converted.text == "舉頭望明月"
    assert "Traditional" in converted.notes[0]


def test_cli_stores_a_corpus_s_forms_writes_in_a_form_and_measures_the_forms(text_home, capsys):
    from aigc_demo.backend.hub import default_hub
    from aigc_demo.cli import main
    from tests.helpers import make_text_card

    model = make_text_model(CHINESE + "二三四五六七")
    path = default_hub().save("poet", model, make_text_card(model)).path
    quatrain = "春風\n明月\n一二三四五，六七一二三。\n四五六七一，二三四五六。\n"
    regulated = "山水\n人\n" + "一二三四五六七，一二三四五六七。\n" * 4
    corpus = text_home / "poems.txt"
    corpus.write_text("\n".join([quatrain] * 30 + [regulated] * 10), encoding="utf-8")
    assert main(["poem-forms", "--checkpoint", str(path), "--data", str(corpus)]) == 0
    shares = default_hub().entry("poet").card.extras["poem_forms"]
    assert set(shares) == {"5x4", "7x8", "other"}
    assert shares["5x4"] > shares["7x8"] > 0
    capsys.readouterr()
    assert (
        main(["text", "--checkpoint", "poet", "--prompt", "春風", "--form", "regulated-7", "--seed", "2"])
        == 0
    )
    written = capsys.readouterr().out
    assert poetry.layout_of(written.strip("\n")) == poetry.FORMS["regulated-7"]
    figures = ["eval", "text", "--checkpoint", "poet", "--data", str(corpus), "--poems", "4", "--json"]
    assert main([*figures, "--form", "quatrain-5"]) == 0
    poems = json.loads(capsys.readouterr().out)["poems"]
    assert poems["layouts"] == {"5x4": 1.0, "other": 0.0}  # every poem in the form asked for
    assert 0 <= poems["whole_file_distance"] <= 1
    assert main([*figures, "--form", "quatrain-5", "--record"]) == 0
    assert main([*figures, "--record"]) == 0
    card = default_hub().entry("poet").card
    assert card.metrics["poems_in_form_quatrain-5"] == 1.0
    assert 0 <= card.metrics["poems_in_a_fixed_form"] <= card.metrics["poems_in_classical_form"] <= 1
    assert next(iter(card.metrics)) == "poems_in_a_fixed_form"  # the latest figures lead
    assert any("--form quatrain-5" in command for command in card.extras["evaluation_commands"])
    capsys.readouterr()
    assert main(["poem-forms", "--checkpoint", str(path), "--data", str(text_home / "missing.txt")]) == 2
    (text_home / "prose.txt").write_text("To be, or not to be.\n\n" * 40, encoding="utf-8")
    assert main(["poem-forms", "--checkpoint", str(path), "--data", str(text_home / "prose.txt")]) == 2
    assert "not a corpus of poems" in capsys.readouterr().err
