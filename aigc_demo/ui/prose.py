"""Texts shown as HTML made on the server: a browser shows them without running a Markdown parser of
its own (a Markdown block costs a phone a parser's run each time the page is built)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# CommonMark without raw HTML: what a card says (anyone may upload one) is shown as text, never as markup,
# and links to javascript: and the like are left as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
# Text that anyone may have written (the cards of models visitors trained or gave): no pictures and no
# links either, which would make every visitor's browser fetch from, or lead to, a stranger's address.
_STRANGERS = MarkdownIt("commonmark", {"html": False}).disable(["image", "link", "autolink"])
# What backslash-escapes in CommonMark: a stranger's words shown as text inside a Markdown block.
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def markdown_html(markdown: str, strangers: bool = False) -> str:
    """Markdown as HTML, made on the server; ``strangers``: written by anyone (no pictures, no links)."""
    return (_STRANGERS if strangers else _MARKDOWN).render(markdown)


def as_text(words: str) -> str:
    """Words to put into Markdown that show as they are written (a picture's or a link's syntax
    included), every punctuation mark escaped."""
    return _PUNCTUATION.sub(r"\\\1", words)


def prose(html: str) -> str:
    """A block of the page's text, styled as Gradio styles its Markdown."""
    return f'<div class="prose">{html}</div>'
