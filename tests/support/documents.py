"""Documents for the upload tests, written by an independent library (EbookLib)."""

from __future__ import annotations

import struct
import zlib
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


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 60, 30)) -> bytes:
    """A small PNG of one colour, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


#: The book of the pandoc EPUB whose MP3 chapters came out shuffled: a title page, then three chapters.
BOOK_TITLE = "The Lighthouse"
BOOK_AUTHOR = "Ada Lovelace"
BOOK_CHAPTERS = [
    ("Title Page", "The Lighthouse, by Ada Lovelace."),
    ("The Harbour", "The boats came home at dusk."),
    ("The Storm", "The waves broke high on the rocks."),
    ("The Return", "At dawn the sea was calm again."),
]


#: The same book made by pandoc 2.17.1.1 from `lighthouse.md` beside it, `png()` as its cover
#: (`pandoc lighthouse.md -o lighthouse.epub --epub-cover-image=cover.png`): a real pandoc EPUB.
PANDOC_EPUB = Path(__file__).resolve().parent.parent / "data" / "lighthouse.epub"


def make_book_epub(tmp_path: Path, cover: bytes | None = None) -> bytes:
    """An EPUB 3 laid out as pandoc makes one: a cover image and page, a title page, chapters
    titled by the navigation document, dc:title and dc:creator."""
    book = epub.EpubBook()
    book.set_identifier("kokoro-book")
    book.set_title(BOOK_TITLE)
    book.set_language("en")
    book.add_author(BOOK_AUTHOR)
    book.set_cover("media/cover.png", cover if cover is not None else png())
    pages = []
    for number, (title, text) in enumerate(BOOK_CHAPTERS):
        name = "text/title_page.xhtml" if number == 0 else f"text/ch{number:03d}.xhtml"
        page = epub.EpubHtml(title=title, file_name=name, content=f"<h1>{title}</h1><p>{text}</p>")
        book.add_item(page)
        pages.append(page)
    book.toc = [epub.Link(page.file_name, title, f"c{i}") for i, (page, (title, _)) in
                enumerate(zip(pages, BOOK_CHAPTERS, strict=True))]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["cover", *pages, "nav"]
    path = tmp_path / "lighthouse.epub"
    epub.write_epub(str(path), book, {"epub3_pages": False})
    return path.read_bytes()
