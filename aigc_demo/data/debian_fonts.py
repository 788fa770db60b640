"""Chinese typefaces packaged by Debian, added to the ``fonts`` list's Chinese families.

The list's Chinese families are mostly weights of two designs (Noto Sans and Serif SC) and a few
brush and display faces; Debian's font packages add the classic styles a Chinese reader names —
楷 (kai), 宋/明 (song), 黑 (hei), 仿宋, 圆 — from AR PL, WenQuanYi and cwTeX. Each package is pinned
by its file in Debian's archive and its sha256, fetched on first use, checked, and only its font
file kept, beside a ``metadata.json`` in the shape the fontsource packages use (family, category,
licence), so the rest of the dataset reads both alike.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import tarfile
from dataclasses import dataclass
from pathlib import Path

ARCHIVE = "https://deb.debian.org/debian/pool/main/f/"


@dataclass(frozen=True)
class DebianFont:
    id: str  # the family's id in the glyph set
    name: str
    file: str  # under ARCHIVE
    sha256: str
    member: str  # the font file inside the package
    style: str  # 楷 kai, 宋 song, 黑 hei
    licence: str


FONTS = (
    DebianFont(
        "arphic-ukai", "AR PL UKai", "fonts-arphic-ukai/fonts-arphic-ukai_0.2.20080216.2-5_all.deb",
        "b9db73184895b067f7911f9adbf3b137df99c2d4ec5425b4ad779a9834b7110b",
        "usr/share/fonts/truetype/arphic/ukai.ttc", "kai", "Arphic Public License",
    ),
    DebianFont(
        "arphic-uming", "AR PL UMing", "fonts-arphic-uming/fonts-arphic-uming_0.2.20080216.2-11_all.deb",
        "2676b21b90df94f23418610291b71b43720c95cdccb420b97ab56edfd3ce4cf5",
        "usr/share/fonts/truetype/arphic/uming.ttc", "song", "Arphic Public License",
    ),
    DebianFont(
        "wqy-zenhei", "WenQuanYi Zen Hei", "fonts-wqy-zenhei/fonts-wqy-zenhei_0.9.45-8_all.deb",
        "cfed2c29164ff2f133e40ed2046610b172b8618d174840936ac4ec9b6fd668e7",
        "usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "hei", "GPL-2.0 with font exception",
    ),
    DebianFont(
        "wqy-microhei", "WenQuanYi Micro Hei",
        "fonts-wqy-microhei/fonts-wqy-microhei_0.2.0-beta-3.1_all.deb",
        "239163df984eea5c9da3b551aee374936222cdbd67f1a1be3cdcf3d76143ad66",
        "usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "hei", "Apache-2.0 or GPL-3.0 with font exception",
    ),
    DebianFont(
        "cwtex-kai", "cwTeX Kai", "fonts-cwtex/fonts-cwtex-kai_1.0-4_all.deb",
        "7b0ac26332e88a2f4fd95af076e5a7776af4cf9578042017dafc0a59dbdb8bfc",
        "usr/share/fonts/truetype/cwtex/cwkai.ttf", "kai", "GPL-2.0 with font exception",
    ),
    DebianFont(
        "cwtex-ming", "cwTeX Ming", "fonts-cwtex/fonts-cwtex-ming_1.0-4_all.deb",
        "c6641f5d8d438d4bfa912e06204211b3d81fb167a586d09424922e0de42dac6e",
        "usr/share/fonts/truetype/cwtex/cwming.ttf", "song", "GPL-2.0 with font exception",
    ),
    DebianFont(
        "cwtex-fangsong", "cwTeX FangSong", "fonts-cwtex/fonts-cwtex-fs_1.0-4_all.deb",
        "94b4ce9d2fd613e04bcf2e293011ca5099b43d8a8a97c090580fe25d31845850",
        "usr/share/fonts/truetype/cwtex/cwfs.ttf", "song", "GPL-2.0 with font exception",
    ),
    DebianFont(
        "cwtex-heibold", "cwTeX Hei Bold", "fonts-cwtex/fonts-cwtex-heib_1.0-4_all.deb",
        "ead954743ecf0069bb8a381ac17f131a69e4ccce28db92a115ae8f13e9ada925",
        "usr/share/fonts/truetype/cwtex/cwheib.ttf", "hei", "GPL-2.0 with font exception",
    ),
    DebianFont(
        "cwtex-yen", "cwTeX Yen", "fonts-cwtex/fonts-cwtex-yen_1.0-4_all.deb",
        "c400c0c11897adc5d5846833cda6698c2e71f005f0a29f4060cb7b2e0dde8c48",
        "usr/share/fonts/truetype/cwtex/cwyen.ttf", "hei", "GPL-2.0 with font exception",
    ),
)  # fmt: skip


def fetch_debian_font(font: DebianFont, cache: Path) -> Path:
    """The font's folder in ``cache`` (``metadata.json`` and the font file), fetched on first use."""
    from aigc_demo.backend.atomic import atomic_write_bytes
    from aigc_demo.data.downloads import DownloadError, _download

    folder = cache / font.id
    if (folder / "metadata.json").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    url = ARCHIVE + font.file
    archive = _download(url, folder / "package.deb")
    try:
        data = archive.read_bytes()
    finally:
        archive.unlink(missing_ok=True)
    if hashlib.sha256(data).hexdigest() != font.sha256:
        raise DownloadError(f"{url} did not match its checksum; nothing was kept")
    atomic_write_bytes(folder / Path(font.member).name, _member(data, font.member))
    about = {"id": font.id, "family": font.name, "category": font.style, "license": {"type": font.licence}}
    atomic_write_bytes(folder / "metadata.json", json.dumps(about).encode())
    return folder


def _member(deb: bytes, member: str) -> bytes:
    """One file of a Debian package (an ``ar`` archive holding ``data.tar.xz``)."""
    if not deb.startswith(b"!<arch>\n"):
        raise ValueError("not a Debian package")
    at = 8
    while at + 60 <= len(deb):
        name, size = deb[at : at + 16].strip().decode(), int(deb[at + 48 : at + 58])
        body = deb[at + 60 : at + 60 + size]
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(lzma.decompress(body)), mode="r:") as tar:
                return tar.extractfile("./" + member).read()
        at += 60 + size + size % 2
    raise ValueError("the package holds no data archive")
