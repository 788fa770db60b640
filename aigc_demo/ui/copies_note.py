"""The copy check under a writing or a reply: which spans of it the model's training text holds word
for word, in the visitor's words."""

from __future__ import annotations

from aigc_demo.backend.hub import ModelHub
from aigc_demo.pipelines import copies
from aigc_demo.ui.i18n import translate

MOST_SPANS_SHOWN = 5


def copies_note(hub: ModelHub, model: str | None, text: str, lang: str) -> str:
    """Markdown: the verdict on ``text`` (what ``model`` wrote), its longest spans and their sources."""
    if not model or not text.strip():
        return ""
    try:
        found = copies.check_copies(hub, model, text)
    except ValueError:  # no index of this model's training text here
        return translate("copies_unavailable", lang)
    numbers = {"least": found.least, "learned": f"{found.learned:,}"}
    if not found.spans:
        return translate("copies_none", lang, **numbers)
    longest = sorted(found.spans, key=lambda span: span.start - span.end)[:MOST_SPANS_SHOWN]
    lines = [translate("copies_found", lang, count=len(found.spans), **numbers)]
    for span in sorted(longest, key=lambda span: span.start):
        shown = text[span.start : span.end].replace("\n", " ").strip()
        lines.append("- " + translate("copies_span", lang, span=shown, source=span.source))
    return "\n".join(lines)
