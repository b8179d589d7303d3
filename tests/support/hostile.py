"""Uploads made to hurt the process that reads them (zip bombs, pathological markup), built
without holding what they unpack to in memory."""

from __future__ import annotations

import io
import struct
import zipfile

CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             b'<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
             b"</rootfiles></container>")
PACKAGE = (b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
           b'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Big</dc:title></metadata>'
           b'<manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
           b'<spine><itemref idref="c1"/></spine></package>')
_MEGABYTE = b"<p>" + b"a" * (1024 * 1024 - 7) + b"</p>\n"


def _epub(megabytes: int, declared: int | None) -> bytes:
    """An EPUB whose one chapter inflates to `megabytes` MB of text; its zip headers say it holds
    `declared` bytes (None: the truth)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("mimetype", b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("content.opf", PACKAGE)
        with archive.open("c1.xhtml", "w", force_zip64=True) as chapter:
            chapter.write(b"<html><body>")
            for _ in range(megabytes):
                chapter.write(_MEGABYTE)
            chapter.write(b"</body></html>")
    data = buffer.getvalue()
    return data if declared is None else _lie_about_sizes(data, b"c1.xhtml", declared)


#: Where a header keeps the uncompressed size, the name's length, the extra's length and the name.
_HEADERS = {b"PK\x03\x04": (22, 26, 28, 30), b"PK\x01\x02": (24, 28, 30, 46)}


def _lie_about_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """The archive with `name`'s uncompressed size set to `size` in its local and central headers:
    what a zip bomb's author does."""
    out = bytearray(data)
    for signature, (size_at, name_len_at, extra_len_at, name_at) in _HEADERS.items():
        start = out.find(signature)
        while start != -1:
            name_len, extra_len = (struct.unpack_from("<H", out, start + at)[0] for at in (name_len_at, extra_len_at))
            if out[start + name_at:start + name_at + name_len] == name:
                extra = start + name_at + name_len
                _set_size(out, start + size_at, extra, extra + extra_len, size)
            start = out.find(signature, start + 4)
    return bytes(out)


def _set_size(out: bytearray, field: int, extra: int, end: int, size: int) -> None:
    if struct.unpack_from("<I", out, field)[0] != 0xFFFFFFFF:
        struct.pack_into("<I", out, field, size)
        return
    while extra + 4 <= end:  # ZIP64: the size is in the extra field (tag 1), uncompressed size first
        tag, length = struct.unpack_from("<HH", out, extra)
        if tag == 1:
            struct.pack_into("<Q", out, extra + 4, size)
            return
        extra += 4 + length


def lying_zip_bomb(megabytes: int = 1024) -> bytes:
    """An EPUB of about a megabyte whose chapter inflates to `megabytes` MB of text, though both of
    its zip headers say 1,000 bytes."""
    return _epub(megabytes, declared=1000)


def big_epub(megabytes: int = 190) -> bytes:
    """A valid EPUB that says truly that it unpacks to `megabytes` MB (under 200 MB)."""
    return _epub(megabytes, declared=None)


def nested_divs(depth: int = 100_000) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>"


def many_headings(count: int = 100_000) -> bytes:
    return b"".join(b"# Heading %d\n\nText.\n\n" % n for n in range(count))


def flat_paragraphs(count: int = 30_000) -> bytes:
    return b"<html><body>" + b"<p>A line.</p>" * count + b"</body></html>"


def pause_tags(size: int = 600_000) -> bytes:
    return (b"[pause:0.1s] " * (size // 13 + 1))[:size]
