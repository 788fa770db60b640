"""Public datasets fetched on first use: over real HTTP (a loopback server), checked, cached."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import zipfile

import pytest

from aigc_demo.data.downloads import (
    DATASETS,
    DownloadError,
    PublicDataset,
    RemoteFile,
    dataset_path,
    wav_set_digest,
)
from aigc_demo.data.spoken_digits import load_spoken_digits
from tests.helpers import free_port, write_tone_recordings


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on loopback: (folder, base URL); counts the requests."""
    folder = tmp_path / "site"
    folder.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/", requests
    server.shutdown()
    server.server_close()


def one_file(url: str, checksum: str) -> dict[str, PublicDataset]:
    return {"lines": PublicDataset("lines", (RemoteFile(url, "input.txt", checksum),))}


def test_a_dataset_is_downloaded_once_checked_and_then_read_from_the_cache(served, tmp_path):
    site, base, requests = served
    (site / "input.txt").write_text("to be or not to be\n" * 100)
    checksum = "sha256:" + hashlib.sha256((site / "input.txt").read_bytes()).hexdigest()
    catalogue = one_file(base + "input.txt", checksum)
    path = dataset_path("lines", tmp_path / "cache", catalogue)
    assert path.read_text().startswith("to be or not")
    assert len(requests) == 1
    assert dataset_path("lines", tmp_path / "cache", catalogue) == path
    assert len(requests) == 1  # the cached copy matched its checksum: no second download
    path.write_text("tampered")
    dataset_path("lines", tmp_path / "cache", catalogue)
    assert len(requests) == 2
    assert path.read_text().startswith("to be or not")


def test_a_wrong_checksum_keeps_nothing(served, tmp_path):
    site, base, _ = served
    (site / "input.txt").write_text("not what was published")
    with pytest.raises(DownloadError, match="did not match its checksum"):
        dataset_path("lines", tmp_path / "cache", one_file(base + "input.txt", "md5:" + "0" * 32))
    assert list((tmp_path / "cache" / "lines").iterdir()) == []


def test_an_offline_host_gets_a_message_that_says_what_to_do(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/input.txt"  # nothing listens there
    with pytest.raises(
        DownloadError, match=r"may be offline\. Download it elsewhere and put it at .*input\.txt"
    ):
        dataset_path("lines", tmp_path / "cache", one_file(closed, "md5:" + "0" * 32))
    assert list((tmp_path / "cache" / "lines").iterdir()) == []


def test_recordings_are_checked_by_content_and_unpacked(served, tmp_path):
    site, base, requests = served
    recordings = write_tone_recordings(tmp_path / "wavs", speakers=("ann",), per_digit=1)
    with zipfile.ZipFile(site / "archive.zip", "w") as archive:
        for path in sorted(recordings.iterdir()):
            archive.write(path, f"dataset-main/recordings/{path.name}")
        archive.writestr("dataset-main/README.md", "readme")
    digest = wav_set_digest({p.name: p.read_bytes() for p in recordings.iterdir()})
    remote = RemoteFile(base + "archive.zip", "recordings.zip", f"wav-set:{digest}")
    catalogue = {"digits": PublicDataset("digits", (remote,))}
    folder = dataset_path("digits", tmp_path / "cache", catalogue)
    assert sorted(p.name for p in folder.iterdir()) == ["recordings"]
    assert len(load_spoken_digits(folder)) == 10
    dataset_path("digits", tmp_path / "cache", catalogue)
    assert len(requests) == 1
    wrong = RemoteFile(base + "archive.zip", "recordings.zip", "wav-set:" + "0" * 64)
    with pytest.raises(DownloadError, match="did not match"):
        dataset_path("other", tmp_path / "cache", {"other": PublicDataset("other", (wrong,))})
    assert list((tmp_path / "cache" / "other").iterdir()) == []


def test_the_catalogue_names_every_public_dataset_with_a_checksum():
    assert set(DATASETS) == {
        "mnist",
        "fashion-mnist",
        "tiny-shakespeare",
        "fsdd",
        "tang-poems",
        "chitchat",
        "kdconv",
    }
    assert all(d.corpus is None or d.corpus.checksum.startswith("sha256:") for d in DATASETS.values())
    for dataset in DATASETS.values():
        for remote in dataset.files:
            algorithm, value = remote.checksum.split(":")
            assert len(value) == {"sha256": 64, "md5": 32, "wav-set": 64}[algorithm]
            assert remote.url.startswith("https://")


def test_a_local_copy_of_a_public_dataset_is_named_by_its_public_name_in_a_card_s_command(
    tmp_path, monkeypatch
):
    import hashlib

    from aigc_demo.cli.train import portable_command
    from aigc_demo.data.downloads import DATASETS, PublicDataset, RemoteFile, public_name_of

    text = tmp_path / "copy" / "poems.txt"
    text.parent.mkdir()
    text.write_text("床前明月光\n")
    checksum = "sha256:" + hashlib.sha256(text.read_bytes()).hexdigest()
    monkeypatch.setitem(
        DATASETS, "moon", PublicDataset("moon", (RemoteFile("https://x/poems.txt", "poems.txt", checksum),))
    )
    assert public_name_of(text) == "moon"
    assert public_name_of(text.parent) == "moon"  # the folder that holds it
    assert portable_command(["train", "text", "--data", str(text), "--out", "m"]) == (
        "python -m aigc_demo train text --data moon --out m"
    )
    text.write_text("床前明月光。\n")  # one character more: not the public file any more
    assert public_name_of(text) is None
    assert f"--data {text}" in portable_command(["train", "text", "--data", str(text)])


def _tang_package(path) -> None:
    """An npm-style package of the poems: 30 batch files, two poems in the first (one untitled, one
    with an empty line), none in the others."""
    import io
    import json
    import tarfile

    with tarfile.open(path, "w:gz") as package:
        for start in range(0, 30_000, 1000):
            poems = []
            if start == 0:
                poems = [
                    {"title": " 靜夜思", "author": "李白", "paragraphs": ["床前明月光， 疑是地上霜。", ""]},
                    {"title": "", "author": "佚名", "paragraphs": ["春眠不覺曉"]},
                    {"title": "空", "author": "某", "paragraphs": [" "]},
                ]
            data = json.dumps(poems, ensure_ascii=False).encode()
            member = tarfile.TarInfo(f"package/dist/quantangshi/poet.tang.{start}.json")
            member.size = len(data)
            package.addfile(member, io.BytesIO(data))


def _chitchat_wheel(path) -> None:
    import json

    def said(sender, *texts):
        return [{"text": text, "sender": sender, "timestamp": ""} for text in texts]

    talk = [
        [said("a", f" hi {i} ", ""), said("b", "yo", "sup"), said("a", "  "), said("b", "ok")]
        for i in range(10)
    ]
    conversations = {f"c{i}": {"messages": messages} for i, messages in enumerate(talk)}
    conversations["again"] = {"messages": talk[0]}  # the same turns as c0
    conversations["alone"] = {"messages": [said("a", "anyone?")]}
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("chitchat_dataset/dataset.json", json.dumps(conversations))


def test_corpora_are_made_from_their_published_sources_as_their_readmes_say(tmp_path):
    import json

    from aigc_demo.data import corpora

    _tang_package(tmp_path / "chinese-poetry.tgz")
    expected = "靜夜思\n李白\n床前明月光， 疑是地上霜。\n\n無題\n佚名\n春眠不覺曉\n"
    assert corpora.tang_poems(tmp_path).decode() == expected
    _chitchat_wheel(tmp_path / "chitchat_dataset.whl")
    lines = [json.loads(line) for line in corpora.chitchat(tmp_path).decode().splitlines()]
    assert len(lines) == 9  # 90% of the ten distinct conversations of two turns or more
    assert {line["id"] for line in lines} <= {f"c{i}" for i in range(10)}
    assert lines[0]["turns"][1:] == ["yo\nsup\nok"]  # b's two turns, once a's empty one went, are one
    for name in corpora.KDCONV_FILES:
        talk = [{"messages": [{"message": f" {name} {i} A "}, {"message": "B"}]} for i in range(5)]
        (tmp_path / name).write_text(json.dumps(talk, ensure_ascii=False), encoding="utf-8")
    made = [json.loads(line) for line in corpora.kdconv(tmp_path).decode().splitlines()]
    assert len(made) == 27  # 90% of 30, in source order
    assert made[0]["id"].split("/")[0] == "film"
    assert made[0]["turns"][1] == "B"
    ids = [conversation["id"] for conversation in made]
    source_order = [f"{n[:-5].replace('-', '/')}/{i}" for n in corpora.KDCONV_FILES for i in range(5)]
    assert ids == [i for i in source_order if i in ids]


def test_a_corpus_is_made_from_checked_downloads_checked_itself_and_kept_alone(served, tmp_path):
    from aigc_demo.data import corpora
    from aigc_demo.data.downloads import Corpus

    site, base, requests = served
    _tang_package(site / "package.tgz")
    source = "sha256:" + hashlib.sha256((site / "package.tgz").read_bytes()).hexdigest()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "chinese-poetry.tgz").write_bytes((site / "package.tgz").read_bytes())
    made = "sha256:" + hashlib.sha256(corpora.tang_poems(tmp_path / "src")).hexdigest()
    remote = RemoteFile(base + "package.tgz", "chinese-poetry.tgz", source)
    catalogue = {"poems": PublicDataset("poems", (remote,), Corpus("poems.txt", made, corpora.tang_poems))}
    path = dataset_path("poems", tmp_path / "cache", catalogue)
    assert path.read_text(encoding="utf-8").startswith("靜夜思")
    assert [p.name for p in path.parent.iterdir()] == ["poems.txt"]  # the package is not kept
    assert dataset_path("poems", tmp_path / "cache", catalogue) == path
    assert len(requests) == 1
    wrong = Corpus("poems.txt", "sha256:" + "0" * 64, corpora.tang_poems)
    drifted = {"poems": PublicDataset("drifted", (remote,), wrong)}
    with pytest.raises(DownloadError, match="did not match its checksum; nothing was kept"):
        dataset_path("poems", tmp_path / "cache", drifted)
    assert not (tmp_path / "cache" / "drifted" / "poems.txt").exists()
