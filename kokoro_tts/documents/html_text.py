"""HTML and Markdown: text by blocks, a new chapter at each top heading (h1, h2).

BeautifulSoup's own parser (Python's html.parser) reads any HTML, broken too, and expands no
entity declarations; Markdown is turned into HTML first (markdown-it, CommonMark).
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from ..engine.spoken import CONTROL
from .model import Document, chapters, decode

#: Never spoken.
HIDDEN = ["script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"]
#: Elements whose text stands on its own lines.
BLOCKS = [
    "p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote", "pre",
    "li", "dt", "dd", "tr", "table", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
]
CHAPTER_HEADINGS = ["h1", "h2"]
#: Stands where a chapter starts while the text is flattened (control characters are removed
#: from the document first, so none of its own can be taken for one).
_MARK = "\x1e"


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(CONTROL.sub("", html), "html.parser")


def prepare(soup: BeautifulSoup) -> BeautifulSoup:
    """Hidden parts removed, line breaks around blocks: ready to be flattened to text."""
    for tag in soup(HIDDEN):
        tag.decompose()
    for br in soup("br"):
        br.replace_with("\n")
    for block in soup(BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return soup


def plain_text(soup: BeautifulSoup | Tag) -> str:
    return soup.get_text("")


def first_heading(soup: BeautifulSoup) -> str | None:
    heading = soup.find(["h1", "h2", "h3"])
    return heading.get_text(" ").strip() or None if heading is not None else None


def split_chapters(soup: BeautifulSoup, title: str) -> list[tuple[str, str]]:
    """(title, text) for the text before the first top heading, then each top heading's part."""
    titles = []
    for heading in soup(CHAPTER_HEADINGS):
        titles.append(heading.get_text(" ").strip())
        heading.insert_before(_MARK)
    root = soup.body or soup
    pieces = plain_text(root).split(_MARK)
    parts = [(title, pieces[0])]
    parts += [(heading or title, text) for heading, text in zip(titles, pieces[1:], strict=True)]
    return parts


def title_of(soup: BeautifulSoup) -> str:
    """The <title>, read before `prepare` removes the head."""
    tag = soup.find("title")
    return tag.get_text(" ").strip() if tag is not None else ""


def read_html(data: bytes, name: str) -> Document:
    soup = parse(decode(data, name))
    title = title_of(soup)
    soup = prepare(soup)
    title = title or first_heading(soup) or name
    return Document(title, chapters(split_chapters(soup, title)))


def read_markdown(data: bytes, name: str) -> Document:
    html = MarkdownIt("commonmark", {"html": True}).render(decode(data, name))
    soup = prepare(parse(html))
    title = first_heading(soup) or name
    return Document(title, chapters(split_chapters(soup, title)))
