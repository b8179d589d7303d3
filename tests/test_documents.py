"""Uploads read as chapters: EPUB files written by an independent library (EbookLib), HTML,
Markdown and text, and the files that must be refused without harm."""

from __future__ import annotations

import io
import zipfile

import pytest

from kokoro_tts.documents import DocumentError, Limits, read
from tests.support.documents import BOOK_AUTHOR, BOOK_TITLE, make_book_epub, make_epub, png

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("version", [2, 3])
def test_epub_chapters_in_reading_order_titled_by_the_contents(tmp_path, version):
    document = read("book.epub", make_epub(tmp_path, version))
    assert document.title == "The Lighthouse"
    assert [(c.title, c.text) for c in document.chapters] == [
        ("Dusk", "Chapter One\n\nThe keeper climbed the stairs.\n\nHe lit the lamp."),
        ("Storm", "Chapter Two\n\nThe waves broke high."),
    ]  # the cover (no text) and the contents page are no chapters; scripts are never read


def test_epub_title_author_and_cover_from_its_metadata(tmp_path):
    document = read("lighthouse.epub", make_book_epub(tmp_path))
    assert (document.title, document.author, document.cover) == (BOOK_TITLE, BOOK_AUTHOR, png())
    assert [c.title for c in document.chapters] == ["Title Page", "The Harbour", "The Storm", "The Return"]


def _rewritten(data: bytes, change) -> bytes:
    """The EPUB `data` with each member passed through `change(name, bytes)`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _zip({name: change(name, archive.read(name)) for name in archive.namelist()})


def test_epub2_cover_named_by_its_meta_and_several_authors(tmp_path):
    def epub2(name: str, data: bytes) -> bytes:
        if name.endswith(".opf"):  # no EPUB 3 property: only <meta name="cover" content="cover-img">
            data = data.replace(b' properties="cover-image"', b"")
            data = data.replace(b"</dc:creator>", b"</dc:creator><dc:creator>Mary\n  Shelley</dc:creator>", 1)
        return data

    document = read("old.epub", _rewritten(make_book_epub(tmp_path), epub2))
    assert document.author == f"{BOOK_AUTHOR}, Mary Shelley" and document.cover == png()


@pytest.mark.parametrize(("cover", "limits"), [
    (b"GIF89a not a png nor a jpeg", Limits()),
    (png(), Limits(max_cover=40)),  # larger than allowed: left out, the book read all the same
])
def test_a_cover_that_will_not_do_is_left_out(tmp_path, cover, limits):
    document = read("book.epub", make_book_epub(tmp_path, cover=cover), limits)
    assert document.cover is None and document.author == BOOK_AUTHOR and len(document.chapters) == 4


def test_html_splits_at_top_headings_and_hides_what_is_not_text():
    html = (b"<html><head><title>Notes</title><style>p{}</style></head><body><p>Before.</p>"
            b"<h1>First</h1><p>One<br>line.</p><div>Two</div><h2>Second</h2><h3>Sub</h3><p>Three.</p></body></html>")
    document = read("notes.html", html)
    assert document.title == "Notes"
    assert [(c.title, c.text) for c in document.chapters] == [
        ("Notes", "Before."), ("First", "First\n\nOne\nline.\n\nTwo"), ("Second", "Second\n\nSub\n\nThree."),
    ]


def test_markdown_and_text():
    md = read("story.md", b"# Title\n\nIntro *here*.\n\n## Part\n\n- a [link](http://x)\n")
    assert md.title == "Title"
    assert [(c.title, c.text) for c in md.chapters] == [("Title", "Title\n\nIntro here."), ("Part", "Part\n\na link")]
    text = read("plain.txt", "\ufeffLine one.\r\n\r\n\r\n\r\nLine\ttwo.\x00".encode())
    assert text.title == "plain" and text.chapters[0].text == "Line one.\n\nLine two."


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BOMB_XML = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<container><rootfiles><rootfile full-path="&b;"/></rootfiles></container>')


@pytest.mark.parametrize(("name", "data", "code"), [
    ("book.pdf", b"%PDF-1.7", "unsupported_file"),
    ("book", b"text", "unsupported_file"),
    ("latin1.txt", "café".encode("latin-1"), "unreadable_file"),
    ("broken.epub", b"PK\x03\x04 not really a zip", "unreadable_file"),
    ("empty.epub", _zip({"mimetype": b"application/epub+zip"}), "unreadable_file"),
    ("entities.epub", _zip({"META-INF/container.xml": BOMB_XML}), "unreadable_file"),
    ("bomb.epub", _zip({"big.xhtml": b"\0" * (3 * 1024 * 1024)}), "file_too_large"),
    ("blank.txt", b" \n\t\n", "empty_text"),
    ("scripts.html", b"<script>alert(1)</script><style>p{}</style>", "empty_text"),
])
def test_refused_files(name, data, code):
    with pytest.raises(DocumentError) as refused:
        read(name, data, Limits(max_archive=2 * 1024 * 1024))
    assert refused.value.code == code
