"""Long audio written to a file piece by piece, and chapter marks written into it.

A book is hours of audio: it is encoded as it is read, never held whole in memory, into a real
file, so that libsndfile can complete the headers a stream leaves open (FLAC's length, WAV's sizes). Chapter
marks go where the format has a place for them: ID3 chapters (CHAP, CTOC) in MP3, the
``CHAPTERxxx`` comments of Vorbis comments in Opus and FLAC; WAV, PCM and ADTS AAC have none.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from mutagen.flac import FLAC
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags
from mutagen.oggopus import OggOpus

from .audio import check_format, encode_stream, open_writer
from .timing import clock


@dataclass(frozen=True)
class Mark:
    """A chapter: its title and where it starts and ends, in seconds."""

    title: str
    start: float
    end: float


def write(pieces: Iterable[np.ndarray], fmt: str, path: Path) -> None:
    """Encode `pieces` (24 kHz mono float32) into the file `path` as they come."""
    fmt = check_format(fmt)
    if fmt in ("pcm", "aac"):  # headerless streams: written as streamed
        with open(path, "wb") as out:
            for data in encode_stream(pieces, fmt):
                out.write(data)
        return
    with open_writer(str(path), fmt) as snd:  # a real file: libsndfile completes its headers at close
        for piece in pieces:
            snd.write(np.asarray(piece, dtype=np.float32))


def _id3(path: Path, title: str, marks: list[Mark]) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    ids = [f"chp{i}" for i in range(len(marks))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                  sub_frames=[TIT2(encoding=3, text=[title])]))
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


def _vorbis(path: Path, fmt: str, title: str, marks: list[Mark]) -> None:
    audio = OggOpus(str(path)) if fmt == "opus" else FLAC(str(path))
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    tags["TITLE"] = title
    for number, mark in enumerate(marks, start=1):
        tags[f"CHAPTER{number:03d}"] = clock(mark.start)
        tags[f"CHAPTER{number:03d}NAME"] = mark.title
    audio.save()


def add_chapters(path: Path, fmt: str, title: str, marks: list[Mark]) -> bool:
    """Write the title and chapter marks into the file; False where the format holds none."""
    fmt = check_format(fmt)
    marks = sorted(marks, key=lambda mark: mark.start)
    if fmt == "mp3":
        _id3(path, title, marks)
    elif fmt in ("opus", "flac"):
        _vorbis(path, fmt, title, marks)
    else:
        return False
    return True
