"""EPUB (2 and 3): the spine's documents in reading order, one chapter each, titled by the
table of contents (else their first heading).

Read with zipfile and defusedxml (no entity expansion, no external references); the archive's
unpacked size is checked before anything is inflated, against zip bombs.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .html_text import first_heading, parse, plain_text, prepare, title_of
from .model import Chapter, Document, DocumentError, chapters, decode

MAX_ENTRIES = 10_000
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


def _open(data: bytes, name: str, limit: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise DocumentError("unreadable_file", f"{name} is not an EPUB (not a zip archive)") from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > limit:
        raise DocumentError("file_too_large", f"{name} unpacks to more than {limit} bytes")
    return archive


def _member(archive: zipfile.ZipFile, path: str, name: str) -> bytes:
    try:
        return archive.read(path)
    except KeyError:
        raise DocumentError("unreadable_file", f"{name}: {path} is missing from the EPUB") from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
        raise DocumentError("unreadable_file", f"{name}: {path} cannot be unpacked") from None


def _xml(data: bytes, name: str) -> Any:
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException):
        raise DocumentError("unreadable_file", f"{name}: the EPUB's XML is broken or unsafe") from None


def _join(folder: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(folder, unquote(urldefrag(href).url)))


def _package(archive: zipfile.ZipFile, name: str) -> _Package:
    container = _xml(_member(archive, "META-INF/container.xml", name), name)
    rootfile = next((el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile")), None)
    if not rootfile:
        raise DocumentError("unreadable_file", f"{name}: the EPUB names no package document")
    opf = _xml(_member(archive, rootfile, name), name)
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
    title = (title_el.text or "").strip() if title_el is not None else ""
    return _Package(folder, title, spine, toc, nav is not None)


def _toc_titles(archive: zipfile.ZipFile, package: _Package, name: str) -> dict[str, str]:
    """Archive path of a document -> the first title the table of contents gives it."""
    if package.toc is None or package.toc not in archive.namelist():
        return {}
    root = _xml(_member(archive, package.toc, name), name)
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


def _chapter(archive: zipfile.ZipFile, path: str, titles: dict[str, str], name: str) -> tuple[str, str]:
    soup = parse(decode(_member(archive, path, name), name))
    own_title = title_of(soup)
    soup = prepare(soup)
    title = titles.get(path) or first_heading(soup) or own_title
    return title, plain_text(soup)


def read_epub(data: bytes, name: str, limit: int) -> Document:
    with _open(data, name, limit) as archive:
        package = _package(archive, name)
        titles = _toc_titles(archive, package, name)
        reading = [path for path in package.spine if path != package.toc]  # the contents page is no chapter
        parts = [_chapter(archive, path, titles, name) for path in reading]
    numbered = [(title or f"Chapter {i}", text) for i, (title, text) in enumerate(parts, start=1)]
    found: list[Chapter] = chapters(numbered)
    return Document(package.title or name, found)
