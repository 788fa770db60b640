"""The app's pages: one per use of generative models, each at its own address (``/`` is the Image
page, ``/text`` the Text page, ...). A browser is sent, and builds, only the page it opens, so a phone
pays for one page's components at a time; the navigation between them is plain links.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

# CommonMark without raw HTML: what a card says (anyone may upload one) is shown as text, never as markup,
# and links to javascript: and the like are left as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})

PAGES = ("image", "text", "speech", "chat", "train", "about")
HOME = PAGES[0]


def path_of(page: str) -> str:
    """The page's address relative to the app's root: "" for the home page, else its name."""
    return "" if page == HOME else page


def nav_html(current: str, names: dict[str, str], label: str) -> str:
    """The links to every page, ``current`` marked as the page shown. Addresses are relative, so the
    links stay right behind a proxy that serves the app under a path of its own."""
    links = []
    for page in PAGES:
        href = path_of(page) or "./"
        marked = ' aria-current="page"' if page == current else ""
        links.append(f'<a href="{href}"{marked}>{escape(names[page])}</a>')
    return f'<nav class="pages" aria-label="{escape(label)}">{"".join(links)}</nav>'


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, made on the server: the browser shows it without parsing it itself (a
    Markdown block costs a phone a parser's run each time the page is built)."""
    return _MARKDOWN.render(markdown)


def prose(html: str) -> str:
    """A block of the page's text, styled as Gradio styles its Markdown."""
    return f'<div class="prose">{html}</div>'
