"""EPUB (2 and 3): the spine's documents in reading order, one chapter each, titled by the
table of contents (else their first heading); the title, authors and cover image from the
package's metadata, for the tags of the audio.

Read with zipfile and defusedxml (no entity expansion, no external references). Against zip
bombs, the sizes the archive declares are checked before anything is inflated, and what is really
inflated is counted as it comes (headers can lie): only the text is inflated, a chunk at a time,
and each chapter is parsed as it is inflated. The cover is read only if it says it is small enough,
and no more of it is inflated than that; one that is too large or not a PNG or JPEG is left out.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ..engine.audiofile import image_type
from ..engine.errors import Message
from ..engine.spoken import CONTROL
from .html_text import HtmlText
from .model import Budget, Chapter, Document, DocumentError, chapters

#: Bytes inflated at a time.
CHUNK = 64 * 1024
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB = "{http://www.idpf.org/2007/ops}"


@dataclass(frozen=True)
class _Package:
    folder: str
    title: str
    spine: list[str]  # archive paths, in reading order
    toc: str | None  # archive path of the NCX or the EPUB 3 navigation document
    toc_is_nav: bool
    author: str = ""
    cover: str | None = None  # archive path of the cover image


def _open(data: bytes, name: str, budget: Budget) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise DocumentError("unreadable_file", Message("{name} is not an EPUB (not a zip archive)",
                                                       name=name)) from None
    entries = archive.infolist()
    limits = budget.limits
    if len(entries) > limits.max_entries or sum(e.file_size for e in entries) > limits.max_archive:
        raise DocumentError("file_too_large", Message("{name} unpacks to more than {limit} bytes",
                                                      name=name, limit=limits.max_archive))
    return archive


def _inflate(archive: zipfile.ZipFile, path: str, name: str, budget: Budget) -> Iterator[bytes]:
    """A member's bytes, a chunk at a time, each counted against the budget as it is inflated."""
    try:
        with archive.open(path) as member:
            while chunk := member.read(CHUNK):
                budget.unpack(len(chunk))
                yield chunk
    except KeyError:
        raise DocumentError("unreadable_file", Message("{name}: {path} is missing from the EPUB",
                                                       name=name, path=path)) from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error):
        raise DocumentError("unreadable_file", Message("{name}: {path} cannot be unpacked",
                                                       name=name, path=path)) from None


def _member(archive: zipfile.ZipFile, path: str, name: str, budget: Budget) -> bytes:
    return b"".join(_inflate(archive, path, name, budget))


def _xml(data: bytes, name: str) -> Any:
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException):
        raise DocumentError("unreadable_file", Message("{name}: the EPUB's XML is broken or unsafe",
                                                       name=name)) from None


def _join(folder: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(folder, unquote(urldefrag(href).url)))


def _package(archive: zipfile.ZipFile, name: str, budget: Budget) -> _Package:
    container = _xml(_member(archive, "META-INF/container.xml", name, budget), name)
    rootfile = next((el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile")), None)
    if not rootfile:
        raise DocumentError("unreadable_file", Message("{name}: the EPUB names no package document", name=name))
    opf = _xml(_member(archive, rootfile, name, budget), name)
    folder = posixpath.dirname(rootfile)
    items = {el.get("id"): el for el in opf.iter(f"{_OPF}item")}
    spine_el = opf.find(f"{_OPF}spine")
    refs = [] if spine_el is None else [r for r in spine_el.iter(f"{_OPF}itemref") if r.get("linear") != "no"]
    spine = [_join(folder, items[r.get("idref")].get("href", "")) for r in refs if r.get("idref") in items]
    nav = next((el for el in items.values() if "nav" in (el.get("properties") or "").split()), None)
    ncx = items.get(spine_el.get("toc")) if spine_el is not None else None
    toc_el = nav if nav is not None else ncx
    toc = _join(folder, toc_el.get("href", "")) if toc_el is not None else None
    title_el = opf.find(f".//{_DC}title")
    title = " ".join((title_el.text or "").split()) if title_el is not None else ""
    return _Package(folder, title, spine, toc, nav is not None, _authors(opf), _cover_path(opf, items, folder))


def _authors(opf: Any) -> str:
    """The creators (dc:creator), in their order: the book's authors."""
    names = [" ".join("".join(el.itertext()).split()) for el in opf.iter(f"{_DC}creator")]
    return ", ".join(name for name in names if name)[:200]


def _cover_path(opf: Any, items: dict[Any, Any], folder: str) -> str | None:
    """The cover image: EPUB 3's `properties="cover-image"`, else EPUB 2's `<meta name="cover">`."""
    item = next((el for el in items.values() if "cover-image" in (el.get("properties") or "").split()), None)
    if item is None:
        meta = next((el for el in opf.iter(f"{_OPF}meta") if el.get("name") == "cover"), None)
        item = items.get(meta.get("content")) if meta is not None else None
    return _join(folder, item.get("href", "")) if item is not None and item.get("href") else None


def _cover(archive: zipfile.ZipFile, path: str | None, budget: Budget) -> bytes | None:
    """The cover's bytes, if it is a PNG or a JPEG within `max_cover`; else None (the book is read all
    the same: a cover is no reason to refuse it)."""
    limit = budget.limits.max_cover
    try:
        info = archive.getinfo(path) if path else None
        if info is None or info.file_size > limit:
            return None
        with archive.open(info) as member:
            data = member.read(limit + 1)  # what is inflated stops there, whatever the header said
    except (KeyError, zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error):
        return None
    return data if len(data) <= limit and image_type(data) else None


def _toc_titles(archive: zipfile.ZipFile, package: _Package, name: str, budget: Budget) -> dict[str, str]:
    """Archive path of a document -> the first title the table of contents gives it."""
    if package.toc is None or package.toc not in archive.namelist():
        return {}
    root = _xml(_member(archive, package.toc, name, budget), name)
    here = posixpath.dirname(package.toc)
    titles: dict[str, str] = {}
    if package.toc_is_nav:
        links = [(a.get("href", ""), "".join(a.itertext())) for a in root.iter(f"{_XHTML}a")]
    else:
        links = [
            (point.find(f"{_NCX}content").get("src", ""), "".join(point.find(f"{_NCX}navLabel").itertext()))
            for point in root.iter(f"{_NCX}navPoint")
            if point.find(f"{_NCX}content") is not None and point.find(f"{_NCX}navLabel") is not None
        ]
    for href, label in links:
        if href and label.strip():
            titles.setdefault(_join(here, href), " ".join(label.split()))
    return titles


def _chapter(
    archive: zipfile.ZipFile, path: str, titles: dict[str, str], name: str, budget: Budget
) -> tuple[str, str]:
    """One document of the spine, parsed as it is inflated; titled by the contents, else its
    first heading, else its <title>."""
    parser = HtmlText(budget, split=False)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in _inflate(archive, path, name, budget):
            parser.feed(CONTROL.sub("", decoder.decode(chunk)))
        parser.feed(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise DocumentError("unreadable_file", Message("{name}: {path} is not UTF-8 text",
                                                       name=name, path=path)) from None
    parser.close()
    title = titles.get(path) or parser.first_heading or parser.title_text()
    return title, "".join(parser.texts[0])


def read_epub(data: bytes, name: str, budget: Budget) -> Document:
    with _open(data, name, budget) as archive:
        package = _package(archive, name, budget)
        titles = _toc_titles(archive, package, name, budget)
        reading = [path for path in package.spine if path != package.toc]  # the contents page is no chapter
        parts = [_chapter(archive, path, titles, name, budget) for path in reading]
        cover = _cover(archive, package.cover, budget)
    numbered = [(title or f"Chapter {i}", text) for i, (title, text) in enumerate(parts, start=1)]
    found: list[Chapter] = chapters(numbered)
    return Document((package.title or name)[:200], found, CONTROL.sub("", package.author), cover)
