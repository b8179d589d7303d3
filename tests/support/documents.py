"""Documents for the upload tests, written by an independent library (EbookLib)."""

from __future__ import annotations

from pathlib import Path

from ebooklib import epub


def make_epub(tmp_path: Path, version: int = 3) -> bytes:
    book = epub.EpubBook()
    book.set_identifier("kokoro-test")
    book.set_title("The Lighthouse")
    book.set_language("en")
    cover = epub.EpubHtml(title="Cover", file_name="cover.xhtml", content="<p><img src='c.png'/></p>")
    one = epub.EpubHtml(title="Dusk", file_name="text/one.xhtml",
                        content="<h1>Chapter One</h1><p>The keeper climbed the stairs.</p><p>He lit the lamp.</p>")
    two = epub.EpubHtml(title="Storm", file_name="text/two.xhtml",
                        content="<h2>Chapter Two</h2><p>The waves <em>broke</em> high.</p><script>x()</script>")
    for item in (cover, one, two):
        book.add_item(item)
    book.toc = (epub.Link("text/one.xhtml", "Dusk", "one"), epub.Link("text/two.xhtml", "Storm", "two"))
    book.add_item(epub.EpubNcx())
    if version == 3:
        book.add_item(epub.EpubNav())
        book.spine = ["nav", cover, one, two]
    else:
        book.spine = [cover, one, two]
    path = tmp_path / "book.epub"
    epub.write_epub(str(path), book, {"epub3_pages": False} if version == 3 else {"epub3_pages": False,
                                                                                  "epub2_guide": True})
    return path.read_bytes()
