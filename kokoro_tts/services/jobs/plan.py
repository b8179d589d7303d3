"""A job's plan: its chapters joined into one text, cut into parts a worker speaks one at a time.

A part is at most `size` characters, cut at the best break before that: a blank line, else a
line break, else a sentence end, else a space (never inside a markup tag), so each part is
spoken as naturally as a request of its own. Parts are contiguous: together they cover every
character of every chapter, so the characters charged are the sum of the parts' lengths.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from ...documents import Chapter
from ...engine.tags import INLINE, TAG

#: Chapters are joined with a blank line; the separator is never charged.
SEPARATOR = "\n\n"
_BREAKS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<=[.!?…;:。！？])[\"'”’»)\]]*\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class Plan:
    text: str
    #: [{"title", "start", "end"}, ...]: character offsets in `text`
    chapters: list[dict[str, Any]]
    #: [[start, end, chapter index], ...]
    parts: list[list[int]]

    @property
    def characters(self) -> int:
        return sum(end - start for start, end, _ in self.parts)


class _Tags:
    """Where a text's tags are, for asking whether a position falls inside one (in log time:
    a text may hold a hundred thousand tags)."""

    def __init__(self, text: str) -> None:
        spans = sorted((m.start(), m.end()) for pattern in (TAG, INLINE) for m in pattern.finditer(text))
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]

    def inside(self, position: int) -> bool:
        i = bisect_left(self.starts, position) - 1  # the last tag starting before `position`
        return i >= 0 and position < self.ends[i]


def _cut(text: str, start: int, size: int, tags: _Tags) -> int:
    """Where the part that begins at `start` ends: the last good break in its second half."""
    low, high = start + size // 2, start + size
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(text, low, high) if not tags.inside(m.end())]
        if ends:
            return ends[-1]
    return high


def split(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of each part of `text`, each at most `size` characters."""
    tags = _Tags(text)
    spans, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, size, tags)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def plan(chapters: list[Chapter], size: int) -> Plan:
    """The text, chapter marks and parts of a job made of `chapters`."""
    texts: list[str] = []
    marks: list[dict[str, Any]] = []
    parts: list[list[int]] = []
    offset = 0
    for index, chapter in enumerate(chapters):
        if index:
            texts.append(SEPARATOR)
            offset += len(SEPARATOR)
        parts += [[offset + a, offset + b, index] for a, b in split(chapter.text, size)]
        texts.append(chapter.text)
        marks.append({"title": chapter.title, "start": offset, "end": offset + len(chapter.text)})
        offset += len(chapter.text)
    return Plan("".join(texts), marks, parts)


def chapters_done(parts: list[list[int]], parts_done: int) -> int:
    """How many chapters are wholly spoken once the first `parts_done` parts are."""
    if parts_done >= len(parts):
        return len({chapter for _, _, chapter in parts})
    return parts[parts_done][2]
