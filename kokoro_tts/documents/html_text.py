"""HTML and Markdown: text by blocks, a new chapter at each top heading (h1, h2).

One pass of Python's own HTML parser (`html.parser`, which reads broken HTML too and expands no
entity declarations) and no tree: time and memory grow with the input, never with its nesting or
its number of headings, and the `Budget` stops the reading as soon as a document holds more tags,
headings or text than a job may. Markdown is turned into HTML first (markdown-it, CommonMark).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from ..engine.spoken import CONTROL
from .model import Budget, Document, chapters, decode

#: Never spoken.
HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"})
#: Elements whose text stands on its own lines.
BLOCKS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote", "pre",
    "li", "dt", "dd", "tr", "table", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
})
CHAPTER_HEADINGS = frozenset({"h1", "h2"})
#: A Markdown line that is an ATX heading (counted before the Markdown is rendered).
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)", re.M)
#: Headings that can give a document its title.
TITLE_HEADINGS = frozenset({"h1", "h2", "h3"})


class HtmlText(HTMLParser):
    """Text of an HTML document, fed in pieces: its chapters (split at top headings when
    `split`), its <title> and its first heading."""

    def __init__(self, budget: Budget, split: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.split = split
        self.hidden = 0  # how deep inside elements that are never spoken
        self.texts: list[list[str]] = [[]]  # the text of each chapter, in pieces
        self.headings: list[str] = []  # the heading that starts each chapter after the first
        self.title: list[str] = []  # the <title>'s text
        self.in_title = False
        self.heading: list[str] | None = None  # the text of the heading being read
        self.heading_tag = ""
        self.first_heading = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.budget.tag()
        if tag == "title" and not self.title:
            self.in_title = True
        if tag == "body":
            self.hidden = 0  # a <head> left open ends where the body starts
        if tag in HIDDEN:
            self.hidden += 1
        if self.hidden:
            return
        if tag == "br":
            self.texts[-1].append("\n")
        if tag in BLOCKS:
            self.texts[-1].append("\n\n")
        if tag in CHAPTER_HEADINGS and self.split:
            self.budget.chapter()
            self.texts.append([])
            self.headings.append("")
        if tag in TITLE_HEADINGS and self.heading is None:
            self.heading, self.heading_tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag in BLOCKS:
            self.texts[-1].append("\n\n")
        if tag == self.heading_tag and self.heading is not None:
            self._end_heading(" ".join(" ".join(self.heading).split()))

    def _end_heading(self, text: str) -> None:
        self.first_heading = self.first_heading or text
        if self.heading_tag in CHAPTER_HEADINGS and self.split and not self.headings[-1]:
            self.headings[-1] = text
        self.heading, self.heading_tag = None, ""

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)  # the <title> sits in the <head>, which is never spoken
        if self.hidden:
            return
        self.budget.text(data)
        self.texts[-1].append(data)
        if self.heading is not None:
            self.heading.append(data)

    def title_text(self) -> str:
        return " ".join(" ".join(self.title).split())

    def parts(self, title: str) -> list[tuple[str, str]]:
        """(title, text) for the text before the first top heading, then each top heading's part."""
        named = [title] + [heading or title for heading in self.headings]
        return [(name, "".join(text)) for name, text in zip(named, self.texts, strict=True)]


def _read(html: str, budget: Budget) -> HtmlText:
    parser = HtmlText(budget)
    parser.feed(CONTROL.sub("", html))
    parser.close()
    return parser


def read_html(data: bytes, name: str, budget: Budget) -> Document:
    """Titled by its <title>, else its first heading, else the file's name."""
    parser = _read(decode(data, name), budget)
    title = parser.title_text() or parser.first_heading or name
    return Document(title, chapters(parser.parts(title)))


def read_markdown(data: bytes, name: str, budget: Budget) -> Document:
    """Titled by its first heading, else the file's name."""
    source = decode(data, name)
    budget.source(len(source))
    for _ in _MARKDOWN_HEADING.finditer(source):  # before rendering, which costs per block
        budget.chapter()
    parser = _read(MarkdownIt("commonmark", {"html": True}).render(source), budget)
    title = parser.first_heading or name
    return Document(title, chapters(parser.parts(title)))
