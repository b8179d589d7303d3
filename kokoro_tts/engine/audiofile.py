"""Long audio written to a file piece by piece, and chapter marks written into it.

A book is hours of audio: it is encoded as it is read, never held whole in memory, into a real
file, so that libsndfile can complete the headers a stream leaves open (FLAC's length, WAV's sizes). Chapter
marks go where the format has a place for them: ID3 chapters (CHAP, CTOC) in MP3, the
``CHAPTERxxx`` comments of Vorbis comments in Opus and FLAC; WAV, PCM and ADTS AAC have none.
"""

from __future__ import annotations

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
    if fmt == "mp3":
        _id3(path, title, marks)
    elif fmt in ("opus", "flac"):
        _vorbis(path, fmt, title, marks)
    else:
        return False
    return True
