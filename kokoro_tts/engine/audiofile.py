"""Long audio written to a file piece by piece, and chapter marks and tags written into it.

A book is hours of audio: it is encoded as it is read, never held whole in memory, into a real
file, so that libsndfile can complete the headers a stream leaves open (FLAC's length, WAV's
sizes), and FFmpeg can put an MP4's index first. Chapter marks go where the format has a place
for them: ID3 chapters (CHAP, CTOC) in MP3, the ``CHAPTERxxx`` comments of Vorbis comments in
Opus and FLAC, a chapter track and a Nero ``chpl`` box in MP4 (m4a, m4b); WAV, PCM and ADTS AAC
have none. The same formats get the title, the author and the cover image, as players show them.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TALB, TIT2, TPE1, CTOCFlags
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus

from . import mp4
from .audio import MP4_FORMATS, check_format, encode_stream, open_writer
from .timing import clock

#: How a cover image starts -> its type (players take PNG and JPEG; MP4 nothing else).
_IMAGES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
#: ID3's and FLAC's picture type for the front cover.
_FRONT_COVER = 3


def image_type(data: bytes) -> str | None:
    """"image/png" or "image/jpeg" by the bytes themselves (a name or a manifest can lie); else None."""
    return next((kind for magic, kind in _IMAGES.items() if data.startswith(magic)), None)


@dataclass(frozen=True)
class Mark:
    """A chapter: its title and where it starts and ends, in seconds."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Tags:
    """What a file says of itself: its title (also the album), its author, its cover (PNG or JPEG)."""

    title: str
    author: str = ""
    cover: bytes | None = None

    def cover_type(self) -> str | None:
        return image_type(self.cover) if self.cover else None


def write(pieces: Iterable[np.ndarray], fmt: str, path: Path) -> None:
    """Encode `pieces` (24 kHz mono float32) into the file `path` as they come."""
    fmt = check_format(fmt)
    if fmt in ("pcm", "aac"):  # headerless streams: written as streamed
        with open(path, "wb") as out:
            for data in encode_stream(pieces, fmt):
                out.write(data)
        return
    if fmt in MP4_FORMATS:
        mp4.write(pieces, fmt, path)
        return
    with open_writer(str(path), fmt) as snd:  # a real file: libsndfile completes its headers at close
        for piece in pieces:
            snd.write(np.asarray(piece, dtype=np.float32))


def _id3(path: Path, book: Tags, marks: list[Mark]) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[book.title]))
    tags.add(TALB(encoding=3, text=[book.title]))
    if book.author:
        tags.add(TPE1(encoding=3, text=[book.author]))
    mime = book.cover_type()
    if book.cover and mime:
        tags.add(APIC(encoding=3, mime=mime, type=_FRONT_COVER, desc="Cover", data=book.cover))
    ids = [f"chp{i}" for i in range(len(marks))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                  sub_frames=[TIT2(encoding=3, text=[book.title])]))
    for element_id, mark in zip(ids, marks, strict=True):
        tags.add(CHAP(element_id=element_id, start_time=int(mark.start * 1000), end_time=int(mark.end * 1000),
                      sub_frames=[TIT2(encoding=3, text=[mark.title])]))
    tags.save(str(path), v2_version=4)
    _chronological(path)


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _frame_order(frame: bytes) -> tuple[int, int]:
    """Other frames first, then the table of contents, then the chapters by their start."""
    if frame[:4] == b"CHAP":
        body = frame[10:]
        after_id = body.index(b"\0") + 1
        return 2, struct.unpack(">I", body[after_id : after_id + 4])[0]
    return (1 if frame[:4] == b"CTOC" else 0), 0


def _chronological(path: Path) -> None:
    """Rewrite the frames of the file's ID3v2.4 tag in place: CTOC, then CHAP by start time.

    mutagen writes frames by size (shortest first), so CHAP frames came out shuffled, and players
    that list chapters in the order they find them showed the book so. Only the order changes:
    the frames and the tag's size stay the same.
    """
    with open(path, "r+b") as f:
        header = f.read(10)
        if header[:3] != b"ID3" or header[3] != 4 or header[5] & 0xC0:  # no unsynchronisation, no extension
            return
        body = f.read(_syncsafe(header[6:10]))
        frames: list[bytes] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos] != 0:  # padding (zeros) ends the frames
            end = pos + 10 + _syncsafe(body[pos + 4 : pos + 8])
            frames.append(body[pos:end])
            pos = end
        ordered = sorted(frames, key=_frame_order)  # stable: the other frames keep their order
        f.seek(10)
        f.write(b"".join(ordered))


def _picture(book: Tags) -> Picture | None:
    """The cover as a FLAC picture block (Opus carries the same block, in base64)."""
    mime = book.cover_type()
    if not book.cover or not mime:
        return None
    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = _FRONT_COVER, mime, "Cover", book.cover
    return picture


def _vorbis(path: Path, fmt: str, book: Tags, marks: list[Mark]) -> None:
    audio = OggOpus(str(path)) if fmt == "opus" else FLAC(str(path))
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    tags["TITLE"] = tags["ALBUM"] = book.title
    if book.author:
        tags["ARTIST"] = book.author
    for number, mark in enumerate(marks, start=1):
        tags[f"CHAPTER{number:03d}"] = clock(mark.start)
        tags[f"CHAPTER{number:03d}NAME"] = mark.title
    picture = _picture(book)
    if picture is not None and isinstance(audio, FLAC):
        audio.add_picture(picture)
    elif picture is not None:
        tags["METADATA_BLOCK_PICTURE"] = base64.b64encode(picture.write()).decode("ascii")
    audio.save()


def _mp4(path: Path, fmt: str, book: Tags, marks: list[Mark]) -> None:
    """Chapters by FFmpeg (it writes them only into a new file), then the tags by mutagen."""
    mp4.remux(path, fmt, [(mark.title, mark.start, mark.end) for mark in marks])
    audio = MP4(str(path))
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    tags["\xa9nam"] = tags["\xa9alb"] = [book.title]
    if book.author:
        tags["\xa9ART"] = tags["aART"] = [book.author]
    mime = book.cover_type()
    if book.cover and mime:
        kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(book.cover, imageformat=kind)]
    if fmt == "m4b":
        tags["stik"] = [2]  # media kind: audiobook
    audio.save()


def add_chapters(path: Path, fmt: str, book: Tags, marks: list[Mark]) -> bool:
    """Write the chapter marks and the tags into the file; False where the format holds none."""
    fmt = check_format(fmt)
    marks = sorted(marks, key=lambda mark: mark.start)
    if fmt == "mp3":
        _id3(path, book, marks)
    elif fmt in ("opus", "flac"):
        _vorbis(path, fmt, book, marks)
    elif fmt in MP4_FORMATS:
        _mp4(path, fmt, book, marks)
    else:
        return False
    return True
