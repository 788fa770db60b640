"""The dialogue model, its data, its training and its CLI, without a server."""

import json
import random
import string

import numpy as np
import pytest
import torch
from safetensors.torch import load, load_file

from aigc_demo.backend import hub as hub_module
from aigc_demo.backend.checkpoint import read_card
from aigc_demo.cli import main
from aigc_demo.evaluation.chat import evaluate_chat
from aigc_demo.jobs import TrainingJobs
from aigc_demo.models.chat_rnn import ChatRNN, ChatStepper
from aigc_demo.pipelines.replies import encode, reply, reply_lens, score_replies
from aigc_demo.pipelines.writing import Sampling
from aigc_demo.recipes import JobRequest
from aigc_demo.text.dialogue import (
    END,
    SPEAKERS,
    ChatLogError,
    context_text,
    read_chat_log,
    reply_examples,
    split,
)
from aigc_demo.training.chat import (
    ChatTrainingConfig,
    ranking_loss,
    train_chat_rnn,
    window_starts,
)

LETTERS = string.ascii_lowercase


def name_chats(count: int, seed: int = 0) -> list[dict]:
    """Conversations whose replies copy a random name from the message before: only a model that
    reads (and can copy from) the context predicts the name."""
    rng = random.Random(seed)
    chats = []
    for number in range(count):
        name = "".join(rng.choice(LETTERS) for _ in range(5))
        city = "".join(rng.choice(LETTERS) for _ in range(4))
        turns = [f"hello, i am {name}.", f"hi {name}! where from?", f"from {city}.", f"{city} is nice."]
        chats.append({"id": f"c{number}", "turns": turns})
    return chats


def write_chats(path, chats) -> str:
    path.write_text("".join(json.dumps(c) + "\n" for c in chats), encoding="utf-8")
    return str(path)


def small_model(
    vocabulary: str = SPEAKERS[0] + SPEAKERS[1] + END + LETTERS + " .!?", unknown: str = ""
) -> ChatRNN:
    torch.manual_seed(0)
    return ChatRNN(vocabulary, unknown, embed_dim=8, hidden=16, layers=2, key_dim=8).eval()


def test_chat_logs_read_as_json_lines_or_as_speaker_lines():
    lines = "A: hi\nB: hello there\nand more\nB: same speaker\n\nA: \x01forged\nB: ok\n\nA: alone\n"
    first, second = read_chat_log(lines)
    assert first.turns == ("hi", "hello there\nand more\nsame speaker")
    assert second.turns == ("forged", "ok")  # marks cannot be typed into a turn
    (jsonl,) = read_chat_log('{"id": "x", "turns": ["a", "", "b"]}\n\n')
    assert jsonl.turns == ("a", "b")
    assert jsonl.key == "x"
    with pytest.raises(ChatLogError, match=r"line 2 of log\.jsonl is not valid JSON"):
        read_chat_log('{"turns": ["a", "b"]}\n{oops\n', "log.jsonl")
    with pytest.raises(ChatLogError, match='needs "turns"'):
        read_chat_log('{"turns": "ab"}\n')
    with pytest.raises(ChatLogError, match="no conversation of two turns"):
        read_chat_log("just some text with no speakers")


def test_one_conversation_in_ten_is_held_out_whatever_the_file_order():
    conversations = read_chat_log("".join(json.dumps(c) + "\n" for c in name_chats(400)))
    train, held = split(conversations)
    assert 20 <= len(held) <= 60
    assert len(train) + len(held) == 400
    _, held_reversed = split(conversations[::-1])
    assert {c.key for c in held} == {c.key for c in held_reversed}


def test_the_context_is_the_newest_turns_that_fit_ending_with_the_reply_mark():
    a, b = SPEAKERS
    assert context_text(["one", "two", "three"]) == f"{a}one{END}{b}two{END}{a}three{END}{b}"
    assert context_text(["x" * 50, "y" * 10], max_chars=30) == f"{a}{'y' * 10}{END}{b}"
    assert context_text(["z" * 50], max_chars=12) == f"{a}{'z' * 10}{END}{b}"
    assert context_text([]) == b


def test_windows_start_at_turns_and_cover_every_turn():
    text = "".join(SPEAKERS[i % 2] + "x" * length + END for i, length in enumerate([5, 30, 8, 40, 3]))
    starts = window_starts(text, 32)
    long_turn = range(text.index("x" * 40), text.index("x" * 40) + 40)
    assert all(text[s] in SPEAKERS or s in long_turn for s in starts)  # a long turn goes on mid-turn
    covered = set()
    for s in starts:
        covered |= set(range(s, min(s + 33, len(text))))
    assert covered == set(range(len(text)))


def test_scores_are_a_distribution_and_the_stepper_gives_the_same_one():
    model = small_model()
    text = context_text(["hello there", "hi! hello"]) + "hel"
    ids, _ = encode(model, text)
    vocabulary = len(model.vocabulary)
    inputs = ids[:-1].expand(vocabulary, -1)
    every = torch.arange(vocabulary)[:, None].expand(-1, len(ids) - 1)
    chars = torch.cat([inputs, every[:, -1:]], 1)
    chars[:, 1:] = torch.cat([ids[1:-1].expand(vocabulary, -1), every[:, -1:]], 1)
    # the last position's probability of each possible next character sums to one
    last = model(inputs, every, chars)[:, -1]
    assert float(last.detach().exp().sum()) == pytest.approx(1.0, abs=1e-5)
    stepper = ChatStepper(model)
    stepper.read(ids[:-1])
    [(log_probs, weights)] = stepper.distribution()
    assert torch.allclose(torch.from_numpy(log_probs), last, atol=1e-5)
    assert float(weights.sum()) == pytest.approx(1.0, abs=1e-6)


def test_rows_of_the_stepper_join_step_and_leave_as_if_each_were_alone():
    model = small_model()
    texts = [context_text(["hello there"]) + "hi", context_text(["hi! hello", "ok"]) + "o"]
    together, alone = ChatStepper(model), []
    for text in texts:
        alone.append(ChatStepper(model))
        alone[-1].read(encode(model, text)[0])
        together.read(encode(model, text)[0], copies=2)  # rows 0-1 read the first, 2-3 the second
    assert together.rows == 4
    for letters in ("ya", "u!"):  # two steps, the rows of each text fed the same characters
        fed = np.array([model.vocabulary.index[c] for c in letters]).repeat(2)
        for stepper, one in zip(alone, fed[::2], strict=True):
            stepper.step(np.array([one]))
        together.step(fed)
        expected = [row for stepper in alone for row in stepper.distribution() * 2]
        for (log_probs, weights), (want, want_weights) in zip(together.distribution(), expected, strict=True):
            np.testing.assert_allclose(log_probs, want, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(weights, want_weights, rtol=1e-5, atol=1e-6)
    together.keep(np.array([3]))  # only a row of the second text goes on
    np.testing.assert_allclose(together.distribution()[0][0], alone[1].distribution()[0][0], atol=1e-5)


def test_the_pointer_copies_a_character_the_vocabulary_lacks_by_its_code_point():
    model = small_model(SPEAKERS[0] + SPEAKERS[1] + END + "ab ?\ufffd", unknown="\ufffd")
    (copied, _), (other, _) = score_replies(model, [(["a Ж b"], "Ж"), (["a Ж b"], "Ю")])
    assert copied < other  # Ж is in the context; Ю, as unknown to the vocabulary, is not


def test_training_learns_to_use_the_context(tmp_path):
    conversations = read_chat_log("".join(json.dumps(c) + "\n" for c in name_chats(300)))
    train, held = split(conversations)
    config = ChatTrainingConfig(6, 16, 64, 1e-2, hidden=48, layers=1, embed_dim=16, key_dim=16)
    model, metrics = train_chat_rnn(train, held, config, log=lambda _: None)
    figures = evaluate_chat(model, held, contexts=60)
    assert figures.recall_pmi >= 0.5, figures  # chance is 0.1: the replies name what the context said
    assert metrics["valid_loss"] < 2.0
    history = ["hello, i am qwert."]
    said = reply(model, history, Sampling(0.05), seed=0)
    assert said == reply(model, history, Sampling(0.05), seed=0)
    assert "qwert" in said
    context, steps = reply_lens(model, history, said)
    copied = steps[said.index("qwert") + 2]  # the name's third letter, read from the context
    assert copied.copying > 0.5
    assert context[int(torch.tensor(copied.attention).argmax())] == "e"


def test_the_ranking_loss_asks_each_reply_for_its_own_context_among_the_batch_s():
    conversations = read_chat_log("".join(json.dumps(c) + "\n" for c in name_chats(4)))
    pairs = [(context, reply) for context, reply, _ in reply_examples(conversations)][::3]  # one of each
    model = small_model(SPEAKERS[0] + SPEAKERS[1] + END + LETTERS + " .,!?")
    model.train()
    loss = ranking_loss(model, pairs)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    model.eval()  # the per-character scores evaluation ranks by, as a softmax over the contexts
    nats = score_replies(model, [(context, reply) for context, _ in pairs for _, reply in pairs])
    per_char = -torch.tensor([n / count for n, count in nats]).view(len(pairs), len(pairs))
    expected = torch.nn.functional.cross_entropy(per_char.T, torch.arange(len(pairs)))
    with torch.no_grad():
        assert float(ranking_loss(model, pairs)) == pytest.approx(float(expected), rel=1e-4)


def test_a_run_can_stop_after_a_number_of_steps_and_rank_as_it_trains():
    conversations = read_chat_log("".join(json.dumps(c) + "\n" for c in name_chats(60)))
    train, held = split(conversations)
    config = ChatTrainingConfig(3, 8, 64, 1e-2, hidden=16, layers=1, embed_dim=8, key_dim=8)
    config.rank_batch, config.max_steps = 4, 2
    lines: list[str] = []
    _, metrics = train_chat_rnn(train, held, config, log=lines.append)
    assert "2 steps, 4 of" in lines[0]
    steps_per_epoch = -(-len(train) // 8)  # at most a window per short conversation
    assert metrics["epoch"] <= 2 / steps_per_epoch + 1e-3


@pytest.fixture
def user_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_HOME", str(tmp_path))
    hub_module.default_hub.cache_clear()
    yield tmp_path
    hub_module.default_hub.cache_clear()


def test_the_cli_trains_replies_scores_and_evaluates(user_home, tmp_path, capsys):
    data = write_chats(tmp_path / "chats.jsonl", name_chats(120))
    out = user_home / "checkpoints" / "names.safetensors"
    assert main(["train", "chat", "--data", data, "--out", str(out), "--epochs", "1", "--hidden", "32",
                 "--layers", "1", "--window", "64", "--threads", "1"]) == 0  # fmt: skip
    capsys.readouterr()
    ask = ["chat", "--checkpoint", "names", "--message", "hello, i am abcde.", "--seed", "3"]
    assert main(ask) == main(ask) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first == second
    assert first
    requests = tmp_path / "score.jsonl"
    requests.write_text(
        '{"context": ["hello, i am abcde."], "reply": "hi abcde!"}\n{"context": [], "reply": "ok"}\n'
    )
    assert main(["chat", "--checkpoint", "names", "--score", str(requests)]) == 0
    scored = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["chars"] for s in scored] == [10, 3]  # each reply's characters and its end of turn
    assert all(s["nats"] > 0 for s in scored)
    weights = load(out.read_bytes())
    evaluate = [
        "eval",
        "chat",
        "--checkpoint",
        "names",
        "--data",
        data,
        "--contexts",
        "30",
        "--json",
        "--record",
    ]
    assert main(evaluate) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["contexts"] == 30
    assert figures["part"] == "held-out"  # the file the model learned from: its held-out part
    assert 0 <= figures["recall_pmi"] <= 1
    unseen = write_chats(tmp_path / "unseen.jsonl", name_chats(20, seed=1))
    assert main(["eval", "chat", "--checkpoint", "names", "--data", unseen, "--contexts", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["part"] == "all"  # a file it never read: every conversation
    card = read_card(out)
    assert card.extras["evaluation"]["recall_pmi"] == figures["recall_pmi"]
    assert "eval chat --checkpoint names" in card.extras["evaluation"]["command"]
    rewritten = load_file(str(out))
    assert all(torch.equal(rewritten[name], tensor) for name, tensor in weights.items())
    assert main(["chat", "--checkpoint", "names", "--score", str(tmp_path / "missing.jsonl")]) == 2
    assert "no text file" in capsys.readouterr().err


def as_speaker_lines(chats: list[dict]) -> str:
    return "\n\n".join("\n".join(f"{'AB'[i % 2]}: {t}" for i, t in enumerate(c["turns"])) for c in chats)


def test_the_job_slot_trains_a_chatbot_on_a_pasted_log_and_fine_tunes_it(hub):
    jobs = TrainingJobs(hub)
    log = as_speaker_lines(name_chats(60))
    jobs.start(JobRequest("chat", "my-chatbot", text=log, source="pasted text", epochs=1, minutes=2))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert done.samples[-1][1].startswith("A: hi! how are you doing today?\nB: ")  # the preview
    card = hub.entry("my-chatbot").card
    assert card.kind == "chat-rnn"
    assert card.extras["preset"] == "tiny"
    jobs.start(JobRequest("chat", "my-chatbot-2", text=log, epochs=1, start_from="my-chatbot"))
    done = jobs.wait(120)
    assert done.state == "finished", done.message
    assert hub.entry("my-chatbot-2").card.config == card.config
    for bad, message in [("no speakers here", "no conversation of two turns"), ("A: hi\nB: yo", "too short")]:
        with pytest.raises(ValueError, match=message):
            jobs.start(JobRequest("chat", "bad-bot", text=bad, epochs=1))


def test_a_turn_of_many_lines_is_one_turn_of_all_its_lines():
    from aigc_demo.text.dialogue import read_chat_log

    (conversation,) = read_chat_log("A: hi\nB: hello\n" + "".join(f"line {i}\n" for i in range(50_000)))
    assert conversation.turns[0] == "hi"
    assert conversation.turns[1].split("\n")[-1] == "line 49999"
    assert conversation.turns[1].count("\n") == 50_000


def test_an_answer_is_the_most_informative_of_several_and_never_one_already_said():
    """Maximum-mutual-information reranking: of the replies drawn, the one the conversation makes
    likeliest compared with no conversation; a reply already said, or an empty one, only when every
    candidate is."""
    from aigc_demo.pipelines.replies import best_reply, most_informative

    given = [(10.0, 10), (20.0, 10), (5.0, 5)]  # nats (and characters) given the conversation
    alone = [(30.0, 10), (21.0, 10), (8.0, 5)]  # and alone: the conversation tells 20, 1 and 3 nats
    assert most_informative(["a", "b", "c"], given, alone, ["hello"]) == 0
    assert most_informative(["a", "b", "c"], given, alone, ["A", "hello"]) == 2  # "a" was said
    assert most_informative(["", "b", "c"], given, alone, []) == 2  # an empty reply is no answer
    assert most_informative(["a", "b"], given[:2], alone[:2], ["a", "b"]) == 0  # all said: the best

    model = small_model(SPEAKERS[0] + SPEAKERS[1] + END + "abcd ?")
    history = ["ab cd?"]
    drawn = [reply(model, history, Sampling(1.0), seed) for seed in range(4, 8)]
    answer = best_reply(model, history, Sampling(1.0), 1, candidates=4)  # seed 1: seeds 4-7 drawn
    assert answer in drawn
    assert answer == best_reply(model, history, Sampling(1.0), 1, candidates=4)  # a seed's answer is fixed
    assert best_reply(model, history, Sampling(1.0), 4, candidates=1) == drawn[0]  # as before reranking
