"""Typefaces: the fonts dataset's maker, font files checked before they are drawn, the glyph VAE's
training, lines drawn and remade from their receipts, the ``type`` command and the Type page's API."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import resource
import tarfile
import time

import numpy as np
import pytest
import torch
from gradio_client import Client
from gradio_client.exceptions import AppError
from PIL import Image

from aigc_demo.cli import main
from aigc_demo.data import font_files, fonts
from aigc_demo.data.archive import Limits
from aigc_demo.data.downloads import DownloadError
from aigc_demo.pipelines import receipts, typefaces
from aigc_demo.pipelines.check import check_file
from tests.fonts_for_tests import font_bytes, make_glyph_model, write_fonts
from tests.helpers import running_app

LIMITS = Limits(100, 10**8)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return make_glyph_model(tmp_path_factory.mktemp("glyphs"))


@pytest.fixture
def type_hub(hub, trained):
    model, card = trained
    hub.save("blocks", model, card)
    return hub


def test_a_font_draws_each_character_it_has_and_says_which_it_lacks():
    glyphs, present = fonts.draw_face(font_bytes(chars="ABCabc"))
    assert glyphs.shape == (len(fonts.LATIN), 64, 64)
    assert glyphs.dtype == np.uint8
    has = {fonts.LATIN[i] for i in np.flatnonzero(present)}
    assert has == set("ABCabc")
    assert not glyphs[~present].any()  # a missing character is left black, not drawn as a box


def test_weight_and_slant_are_read_from_the_style_name():
    assert font_files.weight_and_italic(font_bytes(weight=700, slant=0.2)) == (700, True)
    assert font_files.weight_and_italic(font_bytes(weight=100)) == (100, False)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html>not a font</html>", "not a font file"),
        (
            b"wOF2"
            + b"\0\1\0\0"
            + (1000).to_bytes(4, "big")
            + (5).to_bytes(2, "big")
            + b"\0\0"
            + (2_000_000_000).to_bytes(4, "big")
            + b"\0" * 40,
            "more than a font holds",
        ),
        (b"\0\1\0\0" + (60_000).to_bytes(2, "big") + b"\0" * 100, "more than a font holds"),
    ],
)
def test_a_file_is_refused_from_its_header_before_anything_is_drawn(data, words):
    with pytest.raises(ValueError, match=words):
        font_files.check_font_bytes(data, 10**6)


def test_a_woff2_declaring_two_gigabytes_costs_nothing_through_the_pipeline(trained):
    model, _ = trained
    bomb = b"wOF2\0\1\0\0" + (100).to_bytes(4, "big") + (5).to_bytes(2, "big") + b"\0\0"
    bomb += (2_000_000_000).to_bytes(4, "big") + b"\0" * 60
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(ValueError, match="more than a font holds"):
        typefaces.font_style(model, bomb)
    assert time.perf_counter() - started < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB


def test_font_files_from_a_folder_become_typefaces_with_their_weights(tmp_path):
    write_fonts(tmp_path / "fonts", 4)
    (tmp_path / "fonts" / "notes.txt").write_text("not a font")
    read = font_files.read_font_files([tmp_path / "fonts"], LIMITS)
    assert len(read.glyphs) == 4
    assert read.present.all()
    assert sorted(read.weights.tolist()) == [100, 400, 700, 900]
    (tmp_path / "bad.ttf").write_bytes(b"nothing")
    with pytest.raises(ValueError, match=r"bad\.ttf could not be read as a font"):
        font_files.read_font_files([tmp_path / "bad.ttf"], LIMITS)


def _package(tmp_path, family: str) -> tuple[bytes, fonts.Package]:
    buffer = io.BytesIO()
    members = {
        "package/metadata.json": json.dumps(
            {"family": "Blocks", "category": "display", "license": {"type": "OFL-1.1"}}
        ),
        f"package/files/{family}-latin-400-normal.woff2": font_bytes(),
        f"package/files/{family}-latin-700-italic.woff2": font_bytes(weight=700, slant=0.2),
        f"package/files/{family}-cyrillic-400-normal.woff2": font_bytes(),
        "package/index.css": "@font-face {}",
    }
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    return data, fonts.Package(family, "1.0.0", integrity)


def test_the_dataset_maker_checks_each_package_and_keeps_only_what_it_draws(tmp_path, monkeypatch):
    data, package = _package(tmp_path, "blocks")
    registry = tmp_path / "registry"
    (registry / "blocks").mkdir(parents=True)
    (registry / "blocks" / "blocks-1.0.0.tgz").write_bytes(data)
    monkeypatch.setattr(fonts, "REGISTRY", registry.as_uri() + "/{id}/{id}-{version}.tgz")
    folder = fonts.fetch_family(package, tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == [
        "blocks-latin-400-normal.woff2",
        "blocks-latin-700-italic.woff2",
        "metadata.json",
    ]
    assert [(f.weight, f.style, f.category) for f in fonts.faces(folder)] == [
        (400, "normal", "display"),
        (700, "italic", "display"),
    ]
    tampered = fonts.Package("blocks", "1.0.0", "sha512-" + base64.b64encode(b"\0" * 64).decode())
    with pytest.raises(DownloadError, match="did not match its checksum"):
        fonts.fetch_family(tampered, tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere" / "blocks").exists()
    assert len(fonts.packages()) == 517  # the pinned list this project trains on


def test_training_finds_styles_that_draw_unseen_characters_better_than_at_the_start(tmp_path):
    from aigc_demo.training.glyphs import GlyphTrainingConfig, train_glyph_vae, validation_loss

    read = font_files.read_font_files(write_fonts(tmp_path / "fonts", 8), LIMITS)
    train, valid = read.held_out()
    config = GlyphTrainingConfig(epochs=40, batch_size=4, style_dim=8, channels=8, learning_rate=3e-3)
    untrained = train_glyph_vae(
        train,
        valid,
        GlyphTrainingConfig(epochs=1, batch_size=4, style_dim=8, channels=8, learning_rate=1e-9),
        log=lambda _: None,
    )[0]
    _, metrics, directions = train_glyph_vae(train, valid, config, log=lambda _: None)
    assert metrics["valid_loss_nats"] < 0.8 * validation_loss(untrained, valid, 0)
    assert {d["name"] for d in directions} >= {"weight", "italic"}


def test_a_line_is_checked_drawn_and_remade_byte_for_byte_from_its_receipt(type_hub, tmp_path):
    loaded = type_hub.load("blocks")
    made = receipts.make(
        loaded,
        "line",
        text="Hi  there",
        seed=3,
        family="",
        named={"weight": 1.5},
        start=None,
        temperature=0.8,
        discovered=[0.5, -1.0],
    )
    assert made.content.pixels.shape[0] == 64 + 2 * typefaces.MARGIN
    assert made.receipt["settings"]["text"] == "Hi  there"
    path = receipts.save(receipts.with_mark(made), tmp_path / "line.png")
    assert "identical" in check_file(type_hub, path).message
    with pytest.raises(ValueError, match="cannot draw é ü"):
        typefaces.check_text(loaded.module, "Müde é")
    with pytest.raises(ValueError, match="at most 40"):
        typefaces.check_text(loaded.module, "a" * 41)
    family = typefaces.family_names(loaded)[0]
    bolder = typefaces.style_code(loaded, family=family, named={"weight": 2})
    assert not torch.equal(bolder, typefaces.style_code(loaded, family=family))
    axes = typefaces.discovered_axes(loaded.module)  # where the learned families differ most
    assert axes.shape == (typefaces.DISCOVERED, loaded.module.style_dim)
    moved = typefaces.style_code(loaded, family=family, discovered=[1.0])
    assert torch.allclose(moved - typefaces.style_code(loaded, family=family), axes[0])


def test_the_type_command_writes_a_line_glyphs_and_a_fonts_style(type_hub, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIGC_HOME", str(type_hub.user_dir.parent))
    type_hub.user_dir.rename(type_hub.user_dir.parent / "checkpoints")
    out = tmp_path / "line.png"
    assert (
        main(
            [
                "type",
                "--checkpoint",
                "blocks",
                "--text",
                "Hello",
                "--direction",
                "weight=1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert Image.open(out).height == 64 + 2 * typefaces.MARGIN
    npy, labels = tmp_path / "g.npy", tmp_path / "g.json"
    assert (
        main(
            [
                "type",
                "--checkpoint",
                "blocks",
                "--glyphs",
                "20",
                "--seed",
                "4",
                "--npy",
                str(npy),
                "--labels-out",
                str(labels),
            ]
        )
        == 0
    )
    glyphs = np.load(npy)
    assert glyphs.shape == (20, 64, 64)
    assert glyphs.dtype == np.uint8
    written = json.loads(labels.read_text())
    assert len(written) == 20
    assert set(written) <= set(fonts.LATIN)
    font = tmp_path / "mine.ttf"
    font.write_bytes(font_bytes(weight=900))
    assert (
        main(["type", "--checkpoint", "blocks", "--font", str(font), "--text", "Mine", "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    main(["check", str(out)])
    assert "identical to what its receipt makes" in capsys.readouterr().out


def test_the_type_page_draws_a_word_through_its_api_and_refuses_what_it_cannot(type_hub):
    with running_app(type_hub) as url:
        client = Client(url, verbose=False)
        amounts = [1.0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0]
        first = client.predict("blocks", "Handgloves", 2, "", *amounts, api_name="/type_line")
        again = client.predict("blocks", "Handgloves", 2, "", *amounts, api_name="/type_line")
        assert np.array_equal(np.asarray(Image.open(first)), np.asarray(Image.open(again)))
        grid = client.predict("blocks", "Abc", 5, api_name="/type_grid")
        assert Image.open(grid).height == 8 * (64 + 2 * typefaces.MARGIN)
        with pytest.raises(AppError, match="cannot draw"):
            client.predict("blocks", "日本", 2, "", *amounts, api_name="/type_line")
        with pytest.raises(AppError, match="at most 40"):
            client.predict("blocks", "x" * 100_000, 2, "", *amounts, api_name="/type_line")


def test_a_visitor_fine_tunes_the_typeface_model_on_a_zip_of_their_fonts(type_hub, tmp_path):
    import zipfile

    from aigc_demo.recipes import JobRequest, Run, recipe

    archive = tmp_path / "my-fonts.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in write_fonts(tmp_path / "mine", 4):
            packed.write(path, f"fonts/{path.name}")
    chosen = recipe("typefaces")
    request = JobRequest(
        kind="typefaces", name="my-type", files=[str(archive)], epochs=3, minutes=1, start_from="blocks"
    )
    plan = chosen.plan_job(request, type_hub, LIMITS)
    assert plan.config.learning_rate == chosen.fine_tune_rate
    trained = chosen.train(plan, Run(log=lambda _: None))
    assert [row[0] for row in trained.extras["families"]] == ["blocks-0", "blocks-1", "blocks-2"]
    assert trained.model.family_codes.shape == (3, 8)
    assert chosen.preview(plan)(trained.model).shape[0] == 2 * (64 + 2 * typefaces.MARGIN)
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as packed:
        packed.writestr("a.ttf", font_bytes())
    with pytest.raises(ValueError, match="at least 2 fonts"):
        chosen.plan_job(dataclasses.replace(request, name="other", files=[str(one)]), type_hub, LIMITS)
