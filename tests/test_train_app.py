"""The Train tab's endpoints through the running app: start, watch, stop, and use the new model."""

import re
import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from aigc_demo.backend.ownership import shown_name
from tests.helpers import running_app, varied_text

TEXT = varied_text(300, start="verse")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from aigc_demo.backend.hub import ModelHub

    root = tmp_path_factory.mktemp("train-app")
    with running_app(ModelHub(root / "shipped", root / "user")) as url:
        yield Client(url, verbose=False)


def wait_until_done(client: Client, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while (status := client.predict(api_name="/training_status"))["state"] in (
        "running",
        "stopping",
    ) or status["waiting"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    return status


def test_a_model_trained_through_the_api_is_at_once_usable_in_the_text_endpoints(client):
    assert client.predict(api_name="/training_status")["state"] == "idle"
    started = client.predict("owl-verse", TEXT, "tiny", 2, 5, api_name="/start_training")
    assert started["state"] == "running"
    name = started["name"]  # the caller's own: the name chosen with a tail no one else can guess
    assert shown_name(name) == "owl-verse"
    assert name != "owl-verse"
    status = wait_until_done(client)
    assert status["state"] == "finished", status["message"]
    assert status["step"] == status["total"] > 0
    assert status["valid_loss"] is not None
    listed = {m["name"]: m for m in client.predict(api_name="/list_models")}
    assert listed[name]["kind"] == "char-rnn"
    written = client.predict(name, "verse", 0.8, 0, 1.0, 30, 1, 1, api_name="/generate")
    assert len(written["continuations"][0]) == 30


def test_stop_saves_what_was_learned_and_a_second_job_waits_its_turn(client):
    long_run = client.predict("long-run", TEXT, "tiny", 100, 30, api_name="/start_training")["name"]
    queued = client.predict("other", TEXT, "tiny", 1, 5, api_name="/start_training")
    assert queued["state"] == "waiting"
    assert queued["position"] == 1
    assert client.predict(api_name="/training_status")["waiting"] == [queued["name"]]
    time.sleep(1.0)
    stopping = client.predict(api_name="/stop_training")
    assert stopping["state"] in ("stopping", "stopped")
    assert stopping["name"] == long_run
    status = wait_until_done(client, 120)
    assert status["name"] == queued["name"]  # its turn came when the first one stopped
    assert status["state"] == "finished"
    assert {long_run, queued["name"]} <= {m["name"] for m in client.predict(api_name="/list_models")}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("../up", TEXT, "tiny", 1, 1), "name"),
        (("fine", "", "tiny", 1, 1), "give some text"),
        (("fine", "too short", "tiny", 1, 1), "too short"),
        (("fine", TEXT, "gigantic", 1, 1), "preset"),
        (("fine", TEXT, "tiny", 1, 1000), "time budget"),
    ],
)
def test_bad_training_requests_are_refused_by_name(client, arguments, message):
    with pytest.raises(AppError, match=message):
        client.predict(*arguments, api_name="/start_training")


def test_shapes_trained_through_the_api_appear_in_the_image_endpoints(client):
    from PIL import Image

    wait_until_done(client)
    started = client.predict("app-shapes", "tiny", 1, 5, api_name="/start_sprite_training")
    assert started["state"] == "running"
    assert started["kind"] == "sprites"
    status = wait_until_done(client, timeout=300)
    assert status["state"] == "finished", status["message"]
    assert status["samples"] >= 2
    listed = {m["name"]: m for m in client.predict(api_name="/list_models")}
    assert listed[started["name"]]["kind"] == "image-vae"
    named = [0.0, 0.0, 0.0, "circle", 1.0]  # ink, slant, width (absent here), "more like a circle"
    with Image.open(client.predict(started["name"], "0", 3, *[0.0] * 8, *named, api_name="/decode")) as shown:
        assert shown.size == (320, 320)
        assert shown.mode == "RGB"
    with pytest.raises(AppError, match="preset"):
        client.predict("other-shapes", "gigantic", 1, 1, api_name="/start_sprite_training")


def test_any_recipe_trains_through_the_one_generic_endpoint(client):
    """``/start_job`` takes the kind by name: a kind the app does not train is refused with the
    kinds it does, and a text job started there saves a model with the settings it was given."""
    wait_until_done(client)
    for kind, message in (("diffusion", "kind must be one of"), ("image-classifier", "command line")):
        with pytest.raises(AppError, match=message):
            client.predict(kind, "x", TEXT, [], "tiny", 1, 1, "", {}, api_name="/start_job")
    settings = {"batch_size": 8, "hidden": 32}
    started = client.predict(
        "text", "generic-owl", TEXT, [], "tiny", 1, 5, "", settings, api_name="/start_job"
    )
    assert (started["kind"], started["state"]) == ("text", "running")
    assert wait_until_done(client)["state"] == "finished"
    listed = {m["name"]: m for m in client.predict(api_name="/list_models")}
    assert listed[started["name"]]["kind"] == "char-rnn"


def test_pictures_uploaded_through_the_api_train_a_vae_and_a_text_model_is_fine_tuned(client, tmp_path):
    from gradio_client import handle_file
    from PIL import Image

    from tests.helpers import write_picture_zip

    wait_until_done(client)
    archive = handle_file(str(write_picture_zip(tmp_path / "bars.zip")))
    started = client.predict("app-bars", [archive], "vae", "tiny", 2, 5, "", api_name="/start_image_training")
    assert started["kind"] == "vae"
    status = wait_until_done(client)
    assert status["state"] == "finished", status["message"]
    bars = started["name"]
    listed = {m["name"]: m for m in client.predict(api_name="/list_models")}
    assert listed[bars]["kind"] == "image-vae"
    with Image.open(
        client.predict(bars, "0", 3, *[0.0] * 8, 0.0, 0.0, 0.0, None, 1.0, api_name="/decode")
    ) as shown:
        assert shown.size == (280, 280)
    with pytest.raises(AppError, match="is a image-vae model"):
        client.predict("app-gan", [archive], "gan", "tiny", 1, 1, bars, api_name="/start_image_training")
    with pytest.raises(AppError, match="give pictures"):
        client.predict("app-none", [], "vae", "tiny", 1, 1, "", api_name="/start_image_training")

    listed = client.predict(api_name="/list_models")
    owl = next(m["name"] for m in listed if shown_name(m["name"]) == "owl-verse")
    tuned = client.predict("owl-tuned", TEXT, "tiny", 1, 5, owl, api_name="/start_training")["name"]
    status = wait_until_done(client)
    assert status["state"] == "finished", status["message"]
    assert tuned in {m["name"] for m in client.predict(api_name="/list_models")}


def test_recordings_uploaded_through_the_api_train_a_voice_the_speech_endpoints_use(client, tmp_path):
    import shutil

    from gradio_client import handle_file

    from tests.helpers import write_tone_recordings

    wait_until_done(client)
    folder = write_tone_recordings(tmp_path / "voice", per_digit=2)
    archive = handle_file(shutil.make_archive(str(tmp_path / "voice"), "zip", folder))
    started = client.predict("app-voice", [archive], "tiny", 2, 5, "", api_name="/start_speech_training")
    assert started["kind"] == "speech"
    status = wait_until_done(client)
    assert status["state"] == "finished", status["message"]
    listed = {m["name"]: m for m in client.predict(api_name="/list_models")}
    assert listed[started["name"]]["kind"] == "speech-cvae"
    spoken = client.predict(started["name"], "42", 0, 0.7, *[0.0] * 8, api_name="/speak_digits")
    assert spoken
    lonely = handle_file(str(next(folder.glob("3_*.wav"))))
    with pytest.raises(AppError, match="at least 2 recordings"):
        client.predict("app-voice-2", [lonely], "tiny", 1, 1, "", api_name="/start_speech_training")


def test_a_zip_bomb_upload_is_refused_by_the_running_app_before_it_is_unpacked(client, tmp_path):
    import zipfile

    from gradio_client import handle_file

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(5):
            archive.writestr(f"{index}/picture.png", b"\0" * 50_000_000)  # 250 MB unpacked, ~250 kB packed
    wait_until_done(client)
    with pytest.raises(AppError, match="unpacks to 250 MB; this server accepts up to 200 MB"):
        client.predict(
            "boom", [handle_file(str(bomb))], "vae", "tiny", 1, 1, "", api_name="/start_image_training"
        )
    assert client.predict(api_name="/training_status")["name"] != "boom"


def test_the_status_marks_the_visitors_jobs_and_keeps_others_unnamed():
    from aigc_demo.jobs import JobSnapshot
    from aigc_demo.ui.train_view import Viewer, status_markdown

    snap = JobSnapshot(
        state="running",
        name="theirs",
        kind="text",
        step=3,
        total=10,
        owner="x",
        message="secret.txt is unreadable",
        waiting=["b", "mine"],
        waiting_owners=["y", "me"],
    )
    shown = status_markdown(snap, "en", Viewer("me"))
    assert "Training **someone's job**:" in shown
    assert "1. someone's job, 2. mine (yours)" in shown
    assert "secret.txt" not in shown
    owned = status_markdown(snap, "en", Viewer("x"))  # the browser's token survives a reload
    assert "Training **theirs (yours)**" in owned
    assert "secret.txt" in owned
    assert "1. b, 2. mine" in status_markdown(snap, "en")  # the server sees everything


def test_a_visitor_cannot_stop_or_read_another_visitors_job(client, tmp_path):
    """Two API clients are two visitors: the second sees the first's job unnamed and cannot stop it,
    and is not shown the first one's models."""
    wait_until_done(client)
    other = Client(client.src, verbose=False)
    theirs = {m["name"] for m in client.predict(api_name="/list_models")} - {
        m["name"] for m in other.predict(api_name="/list_models")
    }
    assert {shown_name(name) for name in theirs} >= {"owl-verse", "app-bars", "app-voice"}
    started = client.predict("owned", TEXT, "tiny", 100, 30, api_name="/start_training")
    assert shown_name(started["name"]) == "owned"
    seen = other.predict(api_name="/training_status")
    assert (seen["state"], seen["name"], seen["message"]) == ("running", None, "")
    with pytest.raises(AppError, match="only the visitor who started"):
        other.predict(api_name="/stop_training")
    assert client.predict(api_name="/stop_training")["state"] in ("stopping", "stopped")
    assert wait_until_done(client)["state"] == "stopped"


def test_a_refusal_is_said_in_the_visitors_language(client):
    """A visitor whose browser asks for Chinese is refused in Chinese, the case's numbers kept; the
    English of a refusal with no Chinese of its own follows a Chinese lead."""
    chinese = Client(client.src, verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    with pytest.raises(AppError, match=r"^文本太短：此规模至少需要 10,400 个字符（现有 9 个）$"):
        chinese.predict("fine", "too short", "tiny", 1, 1, api_name="/start_training")
    with pytest.raises(AppError, match=r"^未能完成：preset must be one of tiny, small, base"):
        chinese.predict("fine", TEXT, "gigantic", 1, 1, api_name="/start_training")
    with pytest.raises(AppError, match=r"^the text is too short"):  # others as before
        client.predict("fine", "too short", "tiny", 1, 1, api_name="/start_training")


def test_every_chinese_refusal_fills_in_only_what_its_pattern_finds():
    import string

    from aigc_demo.ui.refusal_texts import ZH

    for pattern, words in ZH:
        asked = {name for _, name, _, _ in string.Formatter().parse(words) if name}
        assert asked <= set(pattern.groupindex), (pattern.pattern, asked)


def test_a_file_of_the_wrong_kind_gets_a_message_in_the_visitors_language(client, tmp_path):
    """Every endpoint that takes a file, given one of another kind, refuses it with words a person
    reads — in Chinese for a Chinese browser — never Python's."""
    from gradio_client import handle_file

    wrong = tmp_path / "notes.png"
    wrong.write_text("these are notes, not a picture")
    chinese = Client(client.src, verbose=False, headers={"Accept-Language": "zh-CN"})
    verdict = chinese.predict(handle_file(str(wrong)), api_name="/check_file")[0]  # a verdict, not a refusal
    assert re.search(r"[\u4e00-\u9fff]", verdict), verdict
    calls = {
        "/add_model": [handle_file(str(wrong)), "gift"],
        "/encode": ["any", "0", None, handle_file(str(wrong))],
        "/start_image_training": ["pics", [handle_file(str(wrong))], "vae", "tiny", 1, 1, "", {}],
        "/start_speech_training": ["voice", [handle_file(str(wrong))], "tiny", 1, 1, "", {}],
    }
    wait_until_done(client)
    for endpoint, arguments in calls.items():
        with pytest.raises(AppError) as refused:
            chinese.predict(*arguments, api_name=endpoint)
        said = str(refused.value)
        assert re.search(r"[\u4e00-\u9fff]", said), (endpoint, said)  # in Chinese
        assert not any(mark in said for mark in ("Traceback", "Error(", "site-packages", str(tmp_path))), said
