"""Chinese typefaces: the common characters, Debian's font packages fetched and checked, a family's
Chinese faces, and the glyph VAE that re-draws a kept reference glyph in a style."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import lzma
import tarfile

import numpy as np
import pytest
import torch

from aigc_demo.backend.checkpoint import DatasetInfo, ModelCard
from aigc_demo.data import debian_fonts, font_files, fonts
from aigc_demo.data.archive import Limits
from aigc_demo.data.downloads import DownloadError
from aigc_demo.models.glyph_vae import GlyphVAE
from aigc_demo.pipelines import typefaces
from aigc_demo.recipes.typefaces import typeface_preview
from aigc_demo.training.glyphs import GlyphTrainingConfig, reference_glyphs, train_glyph_vae, validation_loss
from aigc_demo.ui.type_handlers import TypeHandlers, TypeState
from tests.fonts_for_tests import font_bytes, make_glyph_model

CHARS = fonts.HANZI[:40]


def test_the_common_characters_are_gb2312s_first_level_each_once():
    hanzi = fonts.common_hanzi()
    assert len(hanzi) == len(set(hanzi)) == 3755
    assert hanzi[0] == "啊"
    assert hanzi[-1] == "座"
    assert fonts.HANZI.startswith("，。、！？")
    assert len(fonts.HANZI) == 3760


def test_a_chinese_family_gives_its_simplified_faces_and_a_traditional_one_its_own(tmp_path):
    for subset in ("chinese-simplified", "chinese-traditional", "latin"):
        (tmp_path / f"noto-sans-sc-{subset}-400-normal.woff2").write_bytes(b"")
    (tmp_path / "metadata.json").write_text(json.dumps({"category": "sans-serif"}))
    found = fonts.faces(tmp_path, "chinese")
    assert [f.path.name for f in found] == ["noto-sans-sc-chinese-simplified-400-normal.woff2"]
    (found[0].path).unlink()
    assert "traditional" in fonts.faces(tmp_path, "chinese")[0].path.name
    assert [f.path.name for f in fonts.faces(tmp_path)] == ["noto-sans-sc-latin-400-normal.woff2"]


def _deb(member: str, font: bytes) -> bytes:
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        info = tarfile.TarInfo("./" + member)
        info.size = len(font)
        tar.addfile(info, io.BytesIO(font))
    entries = [(b"debian-binary", b"2.0\n"), (b"data.tar.xz", lzma.compress(tar_bytes.getvalue()))]
    out = b"!<arch>\n"
    for name, body in entries:
        header = name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6) + b"100644".ljust(8)
        out += header + str(len(body)).encode().ljust(10) + b"`\n" + body + b"\n" * (len(body) % 2)
    return out


def test_a_debian_font_package_is_checked_and_only_its_font_kept(tmp_path, monkeypatch):
    font = font_bytes(chars="永和九年")
    member = "usr/share/fonts/truetype/test/blocks.ttf"
    deb = _deb(member, font)
    archive = tmp_path / "archive"
    (archive / "blocks").mkdir(parents=True)
    (archive / "blocks" / "blocks.deb").write_bytes(deb)
    monkeypatch.setattr(debian_fonts, "ARCHIVE", archive.as_uri() + "/")
    entry = debian_fonts.DebianFont(
        "blocks", "Blocks", "blocks/blocks.deb", hashlib.sha256(deb).hexdigest(), member, "kai", "OFL-1.1"
    )
    folder = debian_fonts.fetch_debian_font(entry, tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == ["blocks.ttf", "metadata.json"]
    assert (folder / "blocks.ttf").read_bytes() == font
    assert json.loads((folder / "metadata.json").read_text())["category"] == "kai"
    assert fonts.family_about(tmp_path / "cache" / "..", "blocks")[0] == "blocks"
    tampered = dataclasses.replace(entry, sha256="0" * 64)
    with pytest.raises(DownloadError, match="did not match its checksum"):
        debian_fonts.fetch_debian_font(tampered, tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere" / "blocks" / "metadata.json").exists()
    assert len({f.id for f in debian_fonts.FONTS}) == len(debian_fonts.FONTS) == 9


def _chinese_fonts(tmp_path):
    paths = []
    for i, (weight, slant) in enumerate([(100, 0), (400, 0), (700, 0), (900, 0), (400, 0.2), (700, 0.2)]):
        path = tmp_path / f"blocks-{i}.ttf"
        path.write_bytes(font_bytes(f"Blocks {i}", weight, slant, chars=CHARS))
        paths.append(path)
    read = font_files.read_font_files(paths, Limits(100, 10**8), CHARS)
    read.families = ["reference" if w == 400 and not it else f"f{i}" for i, (w, it) in
                     enumerate(zip(read.weights, read.italic, strict=True))]  # fmt: skip
    return read


def test_a_reference_model_redraws_its_kept_glyphs_and_learns_styles(tmp_path, hub):
    read = _chinese_fonts(tmp_path)
    train, valid = read.held_out()
    config = GlyphTrainingConfig(
        epochs=60, batch_size=4, style_dim=8, channels=8, learning_rate=3e-3, reference_family="reference"
    )
    expected = reference_glyphs(train, "reference")
    regular = train.families.index("reference")
    assert np.array_equal(expected, train.glyphs[regular])
    untrained = train_glyph_vae(
        train, valid, dataclasses.replace(config, epochs=1, learning_rate=1e-9), log=lambda _: None
    )[0]
    model, metrics, _ = train_glyph_vae(train, valid, config, log=lambda _: None)
    assert model.config["reference"] is True
    kept = model.references(torch.arange(len(CHARS)))[:, 0]
    assert torch.equal(kept, torch.from_numpy(expected > 127).float())
    assert metrics["valid_loss_nats"] < 0.8 * validation_loss(untrained, valid, 0)
    card = ModelCard(kind="glyph-vae", config=dict(model.config), dataset=DatasetInfo(name="block fonts"))
    hub.save("blocks-zh", model, card)
    again = hub.load("blocks-zh").module
    assert torch.equal(again.reference_bits, model.reference_bits)
    style, chars = torch.zeros(3, 8), model.char_ids(CHARS[:3])
    with torch.no_grad():
        assert torch.allclose(again.decode(style, chars), model.decode(style, chars))
    latin, latin_card = make_glyph_model(tmp_path / "latin")
    hub.save("blocks", latin, latin_card)
    handlers = TypeHandlers(hub)
    names = ["blocks", "blocks-zh"]
    chinese = CHARS[5:7] + " " + CHARS[8:10]
    assert handlers.model_for(chinese, "blocks", names) == "blocks-zh"  # the page follows the script
    assert handlers.model_for("Hello", "blocks-zh", names) == "blocks"
    assert handlers.model_for("Hello " + CHARS[6], "blocks", names) == "blocks"  # none draws both: it says so
    assert typeface_preview(model).shape[0] == 2 * (64 + 2 * typefaces.MARGIN)  # a Train preview: two lines
    line = handlers.written(TypeState("blocks-zh", CHARS[5:9]))
    assert line.width == 4 * typefaces.EM_WIDTH + 2 * typefaces.MARGIN  # one em a character


def test_a_model_of_few_families_makes_up_typefaces_from_their_spread():
    model = GlyphVAE(CHARS, style_dim=4, channels=4, reference=True)
    codes = torch.tensor([[10.0, 0, 0, 0], [12, 0, 0, 0], [11, 1, 0, 0], [11, -1, 0, 0]])
    model.keep_families(codes)
    made = typefaces.made_up_styles(model, torch.Generator().manual_seed(0), 0.8, 2000)
    assert torch.allclose(made.mean(0), codes.mean(0), atol=0.1)
    assert made[:, 2:].abs().max() < 1e-6  # within the span of the families it learned
    model.keep_families(torch.zeros(0, 4))
    assert made[:, 0].mean() > 9 > typefaces.made_up_styles(model, torch.Generator(), 0.8, 2000)[:, 0].mean()


def test_fonts_for_a_model_of_many_characters_are_counted_before_any_is_drawn(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(font_files, "draw_face", lambda *args: drawn.append(args))
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"font-{i}.ttf")
        paths[-1].write_bytes(font_bytes(f"Font {i}", chars=CHARS[:3]))
    with pytest.raises(ValueError, match="give at most 4 fonts at a time"):
        font_files.read_font_files(paths, Limits(100, 10**8), fonts.HANZI)
    assert drawn == []  # refused from the count alone
