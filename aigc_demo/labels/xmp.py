"""The label as an XMP packet: what is written, and reading it back from a stranger's file.

Three properties of one ``rdf:Description``:

- ``TC260:AIGC`` (namespace ``http://www.tc260.org.cn/ns/AIGC/1.0/``): the implicit label of
  GB 45438-2025 as TC260's metadata practice writes it, a JSON object of ``Label`` ("1": generated),
  ``ContentProducer``, ``ProduceID``, ``ReservedCode1``, ``ContentPropagator``, ``PropagateID`` and
  ``ReservedCode2``;
- ``Iptc4xmpExt:DigitalSourceType``: IPTC's ``trainedAlgorithmicMedia``, the term readers outside
  China look for;
- ``studio:Receipt``: this app's receipt, a JSON object naming the model, its checkpoint's sha256 and
  every setting, from which ``python -m aigc_demo check`` makes the content again.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
XMP_NS = "http://ns.adobe.com/xap/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RECEIPT_NS = "urn:aigc-studio:receipt:1.0/"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
AIGC_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
MAX_PACKET_BYTES = 256 * 1024  # ours are ~1-3 kB; a larger packet is not read


class LabelError(ValueError):
    """A label that cannot be read, with the reason in words."""


@dataclass(frozen=True)
class Label:
    """The label of one file: the TC260 fields (``aigc``), and the receipt when this app wrote it."""

    aigc: dict[str, str]
    receipt: dict[str, Any] | None
    creator_tool: str = ""

    @property
    def generated(self) -> bool:
        return self.aigc.get("Label") == "1"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def produce_id(receipt: dict[str, Any]) -> str:
    """The content's id: the same receipt makes the same content, so it gets the same id."""
    return hashlib.sha256(canonical_json(receipt).encode()).hexdigest()[:32]


def label_for(receipt: dict[str, Any], producer: str, tool: str) -> Label:
    """The label this app writes: generated (Label 1), by ``producer``, with its receipt."""
    aigc = dict.fromkeys(AIGC_FIELDS, "")
    aigc.update(Label="1", ContentProducer=producer, ProduceID=produce_id(receipt))
    return Label(aigc, receipt, tool)


def to_xmp(label: Label) -> str:
    """The XMP packet (a UTF-8 string) that carries ``label``."""
    receipt = ""
    if label.receipt is not None:
        receipt = f"<studio:Receipt>{escape(canonical_json(label.receipt))}</studio:Receipt>"
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NS}" xmlns:Iptc4xmpExt="{IPTC_EXT_NS}"'
        f' xmlns:xmp="{XMP_NS}" xmlns:studio="{RECEIPT_NS}">'
        f"<TC260:AIGC>{escape(_in_field_order(label.aigc))}</TC260:AIGC>"
        f"<Iptc4xmpExt:DigitalSourceType>{TRAINED_ALGORITHMIC_MEDIA}</Iptc4xmpExt:DigitalSourceType>"
        f"<xmp:CreatorTool>{escape(label.creator_tool)}</xmp:CreatorTool>"
        f"{receipt}"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )


def _in_field_order(aigc: dict[str, str]) -> str:
    """The TC260 JSON with its fields in the order the standard lists them."""
    ordered = {key: aigc[key] for key in AIGC_FIELDS if key in aigc}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def from_xmp(packet: bytes) -> Label | None:
    """The label in an XMP packet, or None when the packet has no ``TC260:AIGC`` field.

    The packet may come from anyone: it is refused when larger than ``MAX_PACKET_BYTES`` or when
    it declares a document type (entities are how XML bombs work); its JSON must be objects."""
    if len(packet) > MAX_PACKET_BYTES:
        raise LabelError(f"its XMP metadata is {len(packet) // 1024} kB, larger than a label can be")
    try:  # read as the UTF-8 a label is written in, so no other encoding hides a declaration
        text = packet.decode("utf-8")
    except UnicodeDecodeError:
        raise LabelError("its XMP metadata is not UTF-8, as a label always is") from None
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise LabelError("its XMP metadata declares a document type, which a label never does")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise LabelError("its XMP metadata is not well-formed XML") from None
    aigc = _property(root, TC260_NS, "AIGC")
    if aigc is None:
        return None
    receipt = _property(root, RECEIPT_NS, "Receipt")
    tool = _property(root, XMP_NS, "CreatorTool") or ""
    fields = _json_object(aigc, "TC260:AIGC")
    return Label(
        {key: str(value) for key, value in fields.items()},
        None if receipt is None else _json_object(receipt, "receipt"),
        tool,
    )


def _property(root: ET.Element, namespace: str, name: str) -> str | None:
    """A property's text, written as an element or as an attribute of an ``rdf:Description``."""
    tag = f"{{{namespace}}}{name}"
    for element in root.iter():
        if element.tag == tag:
            return element.text or ""
        if tag in element.attrib:
            return element.attrib[tag]
    return None


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise LabelError(f"its {what} field is not JSON") from None
    if not isinstance(value, dict):
        raise LabelError(f"its {what} field is not a JSON object")
    return value
