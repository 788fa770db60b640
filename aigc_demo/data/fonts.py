"""The ``fonts`` dataset: open typeface families from npm's ``@fontsource`` packages, drawn as glyphs.

``font_packages.tsv`` pins each family the glyph models may learn from: its package id, version and
the registry's sha512 of the package. On first use each package is fetched from the npm registry,
checked against that sum, and only what a glyph model reads is kept: ``metadata.json`` (category,
weights, styles, licence), the licence file, and the font files of the ``latin`` subset and, for
the Chinese families, of the ``chinese-simplified`` or ``chinese-traditional`` subset. The glyphs are
then drawn with Pillow (which reads woff2 itself) into a cached array.

A glyph is drawn white on black in a 64 x 64 square: one em is ``EM`` pixels, the baseline at
``BASELINE``, the ink centred across. Faces whose largest glyph would not fit are drawn smaller as a
whole, so sizes within a face stay true. A character the font lacks (drawn as its "missing" box)
counts as absent.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aigc_demo.data.debian_fonts import FONTS as DEBIAN_FONTS
from aigc_demo.data.debian_fonts import DebianFont, fetch_debian_font

SIZE = 64
EM = 46
BASELINE = 50
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + ".,:;!?'\"-()&@#$%/+*="
PACKAGES = Path(__file__).with_name("font_packages.tsv")
REGISTRY = "https://registry.npmjs.org/@fontsource/{id}/-/{id}-{version}.tgz"
FACE_FILE = re.compile(
    r"^package/files/(?P<id>[a-z0-9-]+)-(?P<subset>latin|chinese-simplified|chinese-traditional)"
    r"-(?P<weight>\d{3})-(?P<style>normal|italic)\.woff2$"
)
SUBSETS = {"latin": ("latin",), "chinese": ("chinese-simplified", "chinese-traditional")}
CATEGORIES = ("serif", "sans-serif", "display", "handwriting", "monospace")
CHINESE = {  # the list's Chinese families, drawn for the Chinese model, and the style a reader names
    "noto-sans-sc": "hei",
    "noto-serif-sc": "song",
    "noto-sans-tc": "hei",
    "noto-serif-tc": "song",
    "ma-shan-zheng": "kai",  # brush regular script
    "zcool-kuaile": "display",
    "zcool-qingke-huangyou": "display",
    "zcool-xiaowei": "display",
    "liu-jian-mao-cao": "hand",  # cursive
    "long-cang": "hand",
    "zhi-mang-xing": "hand",
}
CHINESE_STYLES = ("kai", "song", "hei", "hand", "display")  # 楷 宋 黑 手写 美术


@dataclass(frozen=True)
class Package:
    id: str
    version: str
    integrity: str  # "sha512-<base64>", as the registry gives it


@dataclass(frozen=True)
class Face:
    """One font file of a family: a weight (100-900) in a style ("normal" or "italic")."""

    family: str
    weight: int
    style: str
    category: str
    path: Path


def packages(listing: Path = PACKAGES) -> list[Package]:
    rows = [
        line.split("\t") for line in listing.read_text().splitlines() if line and not line.startswith("#")
    ]
    return [Package(*row) for row in rows]


def latin_packages() -> list[Package]:
    return [p for p in packages() if p.id not in CHINESE]


def common_hanzi() -> str:
    """GB 2312's first level: the 3,755 most used characters of simplified Chinese."""
    cells = ((row, cell) for row in range(0xB0, 0xD8) for cell in range(0xA1, 0xFF))
    return "".join(bytes(pair).decode("gb2312") for pair in cells if pair < (0xD7, 0xFA))


HANZI = "，。、！？" + common_hanzi()


def chinese_held_out() -> tuple[str, ...]:
    """Too few Chinese families for one in ten: the two (of the list's and Debian's) that come first
    by the same hash."""
    families = [*CHINESE, *(font.id for font in DEBIAN_FONTS)]
    return tuple(sorted(families, key=lambda f: hashlib.sha256(f.encode()).digest())[:2])


def is_held_out(family: str) -> bool:
    """About one family in ten, chosen by its name, is kept out of training to measure on."""
    return hashlib.sha256(family.encode()).digest()[0] % 10 == 0


def fetch_family(package: Package, cache: Path) -> Path:
    """The family's folder in ``cache`` (metadata, licence, Latin font files), fetched on first use."""
    from aigc_demo.data.downloads import DownloadError, _download

    folder = cache / package.id
    if (folder / "metadata.json").is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    url = REGISTRY.format(id=package.id, version=package.version)
    archive = _download(url, cache / f"{package.id}.tgz")
    try:
        data = archive.read_bytes()
        if _integrity(data) != package.integrity:
            raise DownloadError(f"{url} did not match its checksum; nothing was kept")
        _unpack(data, folder)
    finally:
        archive.unlink(missing_ok=True)
    return folder


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _unpack(data: bytes, folder: Path) -> None:
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            keep = name in ("package/metadata.json", "package/LICENSE") or FACE_FILE.match(name)
            if keep and member.isfile():
                (staging / Path(name).name).write_bytes(tar.extractfile(member).read())
    os.replace(staging, folder)


def faces(folder: Path, script: str = "latin") -> list[Face]:
    """The family's faces for ``script`` ("latin" or "chinese": simplified if it has them, else
    traditional), lightest first, upright before italic."""
    meta = json.loads((folder / "metadata.json").read_text())
    paths = sorted(folder.glob("*.woff2"))
    matches = [FACE_FILE.match("package/files/" + path.name) for path in paths]
    present = {m["subset"] for m in matches if m}
    subset = next((s for s in SUBSETS[script] if s in present), None)
    found = []
    for path, match in zip(paths, matches, strict=True):
        if match and match["subset"] == subset:
            category = CHINESE.get(folder.name, "") if script == "chinese" else meta.get("category") or ""
            found.append(Face(folder.name, int(match["weight"]), match["style"], category, path))
    return sorted(found, key=lambda f: (f.weight, f.style != "normal"))


def family_about(cache: Path, family: str) -> list[str]:
    """[id, name, category, licence] of a fetched family (a visitor's font: its name alone)."""
    path = (
        next((p for p in (cache / family, cache / "debian" / family) if p.is_dir()), cache) / "metadata.json"
    )
    if not path.is_file():  # a visitor's font: its name alone
        return [family, family, "", ""]
    meta = json.loads(path.read_text())
    licence = meta.get("license") or ""  # older packages give a link instead of a record
    return [
        family,
        meta.get("family") or family,
        meta.get("category") or "",
        str(licence.get("type", "") if isinstance(licence, dict) else licence),
    ]


def draw_face(path: Path | bytes, chars: str = LATIN) -> tuple[np.ndarray, np.ndarray]:
    """``(glyphs, present)``: each character of ``chars`` drawn (``(N, 64, 64)`` uint8, white ink on
    black) and whether the font has it (a missing one is left black)."""
    from PIL import ImageFont

    source = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    font = ImageFont.truetype(source, EM)
    missing = _missing_mask(font)
    boxes = [font.getbbox(ch, anchor="ls") for ch in chars]
    scale = _fitting_scale(boxes)
    if scale < 1:
        source = io.BytesIO(path) if isinstance(path, bytes) else str(path)
        font = ImageFont.truetype(source, max(8, int(EM * scale)))
        missing = _missing_mask(font)
    glyphs = np.zeros((len(chars), SIZE, SIZE), np.uint8)
    present = np.zeros(len(chars), bool)
    for i, ch in enumerate(chars):
        mask = font.getmask(ch)
        if ch.isspace() or _same_mask(mask, missing) or mask.size[0] == 0:
            continue
        glyphs[i] = _placed(font, ch)
        present[i] = glyphs[i].any()
    return glyphs, present


def _missing_mask(font):
    return font.getmask("\U000f0000")  # a private-use code point no text font draws


def _same_mask(a, b) -> bool:
    return a.size == b.size and bytes(a) == bytes(b)


def _fitting_scale(boxes: list[tuple[int, int, int, int]]) -> float:
    widest = max(right - left for left, _, right, _ in boxes)
    above = -min(top for _, top, _, _ in boxes)
    below = max(bottom for _, _, _, bottom in boxes)
    return min(
        1.0,
        (SIZE - 2) / max(widest, 1),
        (BASELINE - 1) / max(above, 1),
        (SIZE - BASELINE - 1) / max(below, 1),
    )


def _placed(font, ch: str) -> np.ndarray:
    from PIL import Image, ImageDraw

    left, _, right, _ = font.getbbox(ch, anchor="ls")
    canvas = Image.new("L", (SIZE, SIZE), 0)
    x = (SIZE - (right - left)) / 2 - left
    ImageDraw.Draw(canvas).text((x, BASELINE), ch, fill=255, font=font, anchor="ls")
    return np.asarray(canvas)


@dataclass
class GlyphSet:
    """Every face's glyphs: ``glyphs[face, char]`` (uint8) and ``present[face, char]``."""

    glyphs: np.ndarray
    present: np.ndarray
    chars: str
    families: list[str]
    weights: np.ndarray
    italic: np.ndarray
    categories: list[str]

    def held_out(self) -> tuple[GlyphSet, GlyphSet]:
        """(to learn from, to check on): every tenth typeface checked on, at least one of each."""
        checked = np.zeros(len(self.glyphs), bool)
        checked[len(self.glyphs) - 1 :: -10] = True
        return self.subset(~checked), self.subset(checked)

    def subset(self, keep: np.ndarray) -> GlyphSet:
        index = np.flatnonzero(keep)
        return GlyphSet(
            self.glyphs[index],
            self.present[index],
            self.chars,
            [self.families[i] for i in index],
            self.weights[index],
            self.italic[index],
            [self.categories[i] for i in index],
        )


def build_glyph_set(
    cache: Path, chars: str = LATIN, families: list[str] | None = None, script: str = "latin"
) -> GlyphSet:
    """Every listed family fetched and drawn (kept in ``cache`` as one array after the first time);
    the Chinese set by default for ``script="chinese"``."""
    default = latin_packages() if script == "latin" else [p for p in packages() if p.id in CHINESE]
    chosen = [p for p in packages() if p.id in families] if families else default
    drawn_as = f"{SIZE} {EM} {BASELINE} {chars}"
    debian = DEBIAN_FONTS if script == "chinese" and not families else ()
    sums = [p.integrity for p in chosen] + [font.sha256 for font in debian]
    key = hashlib.sha256(("\n".join(sums) + drawn_as).encode()).hexdigest()[:12]
    drawn = cache / f"glyphs-{key}.npz"
    if drawn.is_file():
        return _read(drawn, chars)
    least = 0.9 if script == "latin" else 0.6  # traditional faces draw two thirds of the simplified set
    rows = []
    listed = [face for package in chosen for face in faces(fetch_family(package, cache), script)]
    for face in listed + _debian_faces(cache, debian):
        glyphs, present = draw_face(face.path, chars)
        if present.mean() >= least:
            rows.append((face, glyphs, present))
    glyph_set = GlyphSet(
        np.stack([g for _, g, _ in rows]),
        np.stack([p for _, _, p in rows]),
        chars,
        [f.family for f, _, _ in rows],
        np.array([f.weight for f, _, _ in rows]),
        np.array([f.style == "italic" for f, _, _ in rows]),
        [f.category for f, _, _ in rows],
    )
    _write(drawn, glyph_set)
    return glyph_set


def _debian_faces(cache: Path, fonts: tuple[DebianFont, ...]) -> list[Face]:
    """The Debian fonts' one face each, fetched (only when the set is drawn: its key is their sums)."""
    folders = [(font, fetch_debian_font(font, cache / "debian")) for font in fonts]
    return [
        Face(font.id, 400, "normal", font.style, folder / Path(font.member).name) for font, folder in folders
    ]


def _write(path: Path, s: GlyphSet) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        glyphs=s.glyphs,
        present=s.present,
        weights=s.weights,
        italic=s.italic,
        families=np.array(s.families),
        categories=np.array(s.categories),
    )
    from aigc_demo.backend.atomic import atomic_write_bytes

    atomic_write_bytes(path, buffer.getvalue())


def _read(path: Path, chars: str) -> GlyphSet:
    with np.load(path) as data:
        return GlyphSet(
            data["glyphs"],
            data["present"],
            chars,
            data["families"].tolist(),
            data["weights"],
            data["italic"],
            data["categories"].tolist(),
        )
