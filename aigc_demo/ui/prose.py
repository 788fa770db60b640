"""Texts shown as HTML made on the server: a browser shows them without running a Markdown parser of
its own (a Markdown block costs a phone a parser's run each time the page is built)."""

from __future__ import annotations

from markdown_it import MarkdownIt

# CommonMark without raw HTML: what a card says (anyone may upload one) is shown as text, never as markup,
# and links to javascript: and the like are left as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, made on the server."""
    return _MARKDOWN.render(markdown)


def prose(html: str) -> str:
    """A block of the page's text, styled as Gradio styles its Markdown."""
    return f'<div class="prose">{html}</div>'
