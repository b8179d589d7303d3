"""Long audio written to a file, and the chapter marks and tags written into it, read back by
other readers than the ones that wrote them."""

from __future__ import annotations

import base64

import av
import numpy as np
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus

from kokoro_tts.engine.audiofile import Mark, Tags, add_chapters, write
from tests.support.audio import id3_chapters
from tests.support.documents import png

pytestmark = pytest.mark.unit

RATE = 24000
#: The chapters of a pandoc EPUB whose MP3 came out shuffled: titles of every length.
MARKS = [Mark("Title Page", 0.0, 1.5), Mark("The Harbour", 1.5, 3.2), Mark("The Storm", 3.2, 4.6),
         Mark("The Return", 4.6, 6.0)]


def tone(seconds: float) -> np.ndarray:
    return (0.3 * np.sin(np.arange(int(seconds * RATE)) / 7)).astype(np.float32)


def test_mp3_chapter_frames_are_in_chronological_order(tmp_path):
    path = tmp_path / "book.mp3"
    write([tone(3.0), tone(3.0)], "mp3", path)
    assert add_chapters(path, "mp3", Tags("The Lighthouse"), MARKS)
    children, chapters = id3_chapters(path.read_bytes())
    assert [(title, start, end) for _, title, start, end in chapters] == [
        (m.title, round(m.start * 1000), round(m.end * 1000)) for m in MARKS]
    assert children == [element for element, *_ in chapters]
    with av.open(str(path)) as container:  # FFmpeg's ID3 reader
        found = [(c["metadata"]["title"], float(c["start"] * c["time_base"])) for c in container.chapters()]
        assert found == [(m.title, m.start) for m in MARKS]
        assert container.metadata["title"] == "The Lighthouse"


BOOK = Tags("The Lighthouse", "Ada Lovelace", png())


@pytest.mark.parametrize("fmt", ["m4b", "m4a"])
def test_mp4_chapters_title_author_and_cover(tmp_path, fmt):
    path = tmp_path / f"book.{fmt}"
    write([tone(3.0), tone(3.0)], fmt, path)
    assert add_chapters(path, fmt, BOOK, MARKS)
    data = path.read_bytes()
    assert data[8:12] == (b"M4B " if fmt == "m4b" else b"M4A ") and data.find(b"moov") < data.find(b"mdat")
    with av.open(str(path)) as container:  # FFmpeg reads the QuickTime chapter track
        found = [(c["metadata"]["title"], float(c["start"] * c["time_base"])) for c in container.chapters()]
        assert found == [(m.title, m.start) for m in MARKS]
        assert abs(container.duration / 1e6 - 6.0) < 0.001
        assert sum(frame.samples for frame in container.decode(audio=0)) >= 6 * RATE  # it plays, all of it
    audio = MP4(str(path))  # mutagen reads the Nero chapters and the iTunes tags
    assert [(c.title, round(c.start, 3)) for c in audio.chapters] == [(m.title, m.start) for m in MARKS]
    assert audio.tags["\xa9nam"] == audio.tags["\xa9alb"] == ["The Lighthouse"]
    assert audio.tags["\xa9ART"] == ["Ada Lovelace"]
    [cover] = audio.tags["covr"]
    assert bytes(cover) == png() and cover.imageformat == MP4Cover.FORMAT_PNG
    assert audio.tags.get("stik") == ([2] if fmt == "m4b" else None)  # an audiobook


def test_mp3_flac_and_opus_carry_author_and_cover(tmp_path):
    for fmt in ("mp3", "flac", "opus"):
        path = tmp_path / f"book.{fmt}"
        write([tone(2.0)], fmt, path)
        assert add_chapters(path, fmt, BOOK, MARKS[:2])
    id3 = ID3(str(tmp_path / "book.mp3"))
    assert id3["TPE1"].text == ["Ada Lovelace"] and id3["TALB"].text == ["The Lighthouse"]
    assert id3.getall("APIC")[0].data == png() and id3.getall("APIC")[0].mime == "image/png"
    flac = FLAC(str(tmp_path / "book.flac"))
    assert flac["ARTIST"] == ["Ada Lovelace"] and flac.pictures[0].data == png()
    opus = OggOpus(str(tmp_path / "book.opus"))
    assert opus["ARTIST"] == ["Ada Lovelace"]
    assert Picture(base64.b64decode(opus["METADATA_BLOCK_PICTURE"][0])).data == png()


def test_a_book_without_author_or_cover_has_neither_tag(tmp_path):
    path = tmp_path / "book.m4b"
    write([tone(2.0)], "m4b", path)
    assert add_chapters(path, "m4b", Tags("Notes"), MARKS[:1])
    tags = MP4(str(path)).tags
    assert tags["\xa9nam"] == ["Notes"] and "\xa9ART" not in tags and "covr" not in tags


@pytest.mark.parametrize("fmt", ["wav", "pcm", "aac"])
def test_formats_without_a_place_for_chapters(tmp_path, fmt):
    path = tmp_path / f"book.{fmt}"
    write([tone(1.0)], fmt, path)
    assert not add_chapters(path, fmt, BOOK, MARKS[:1])
