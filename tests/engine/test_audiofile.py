"""Long audio written to a file, and the chapter marks and tags written into it, read back by
other readers than the ones that wrote them."""

from __future__ import annotations

import av
import numpy as np
import pytest

from kokoro_tts.engine.audiofile import Mark, add_chapters, write
from tests.support.audio import id3_chapters

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
    assert add_chapters(path, "mp3", "The Lighthouse", MARKS)
    children, chapters = id3_chapters(path.read_bytes())
    assert [(title, start, end) for _, title, start, end in chapters] == [
        (m.title, round(m.start * 1000), round(m.end * 1000)) for m in MARKS]
    assert children == [element for element, *_ in chapters]
    with av.open(str(path)) as container:  # FFmpeg's ID3 reader
        found = [(c["metadata"]["title"], float(c["start"] * c["time_base"])) for c in container.chapters()]
        assert found == [(m.title, m.start) for m in MARKS]
        assert container.metadata["title"] == "The Lighthouse"
