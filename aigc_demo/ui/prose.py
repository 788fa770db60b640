"""Texts shown as HTML made on the server: a browser shows them without running a Markdown parser of
its own (a Markdown block costs a phone a parser's run each time the page is built)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# CommonMark without raw HTML: what a card says (anyone may upload one) is shown as text, never as markup,
# and links to javascript: and the like are left as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
# What backslash-escapes in CommonMark: words anyone may have written (a card of a model a visitor gave,
# a receipt) shown as text inside a Markdown block, never as a picture fetched from, or a link to, a
# stranger's address.
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, made on the server."""
    return _MARKDOWN.render(markdown)


def as_text(words: str) -> str:
    """Words to put into Markdown that show as they are written (a picture's or a link's syntax
    included), every punctuation mark escaped."""
    return _PUNCTUATION.sub(r"\\\1", words)


def prose(html: str) -> str:
    """A block of the page's text, styled as Gradio styles its Markdown."""
    return f'<div class="prose">{html}</div>'
