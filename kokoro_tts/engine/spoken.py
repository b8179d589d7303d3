"""Text as it will be spoken, remembering where each character came from in the request.

Markup, pronunciation rules and normalisation rewrite the request's text ("$5" becomes "five
dollars"); captions and refunds are about the original text. A ``Spoken`` keeps, for every
character of the rewritten text, the span of the original it stands for, through any number of
rewrites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Characters of Unicode's private use area stand in the text for words with given phonemes
#: (``Spoken.phonemes``): the chunker sees an ordinary word, the phonemizer its phonemes.
MARK_BASE = 0xF0000
#: Where marks come from: the supplementary private use areas (a request's own are removed).
PRIVATE_USE = re.compile("[\U000f0000-\U0010ffff]")
#: Control characters other than tab and line breaks (which end clauses and paragraphs): never
#: spoken, stored or charged; removed from a request's text, and from a document's.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` of the current text by ``text``."""

    start: int
    end: int
    text: str


def clashes(edits: Iterable[Edit], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of ``edits`` (the earlier claim wins)."""
    return any(start < e.end and e.start < end for e in edits)


@dataclass
class Spoken:
    """``text``, and for each of its characters the original span ``(starts[i], ends[i])``."""

    text: str
    starts: list[int]
    ends: list[int]
    #: the original span this text covers (a segment of the request)
    origin: tuple[int, int]
    #: phonemes of the words marked by private-use characters (see MARK_BASE)
    phonemes: dict[str, str]

    @classmethod
    def of(cls, original: str, start: int, end: int) -> Spoken:
        """The part ``[start, end)`` of ``original``, unchanged."""
        positions = list(range(start, end))
        return cls(original[start:end], positions, [p + 1 for p in positions], (start, end), {})

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (empty spans map to a point)."""
        if start >= end:
            point = self.starts[start] if start < len(self.starts) else self.origin[1]
            return point, point
        return min(self.starts[start:end]), max(self.ends[start:end])

    def at(self, pos: int) -> int:
        """The original offset where ``text[pos:]`` begins (the segment's end past the text)."""
        return self.starts[pos] if pos < len(self.starts) else self.origin[1]

    def mark(self, phonemes: str) -> str:
        """A one-character word standing for ``phonemes``."""
        key = chr(MARK_BASE + len(self.phonemes))
        self.phonemes[key] = phonemes
        return key

    def apply(self, edits: Iterable[Edit]) -> None:
        """Rewrite the text by non-overlapping edits (in any order); each new character maps to
        the whole original span of what it replaced."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        cur = 0
        for edit in sorted(edits, key=lambda e: e.start):
            if edit.start < cur:
                continue  # overlaps the previous edit: the first one wins
            pieces.append(self.text[cur : edit.start])
            starts += self.starts[cur : edit.start]
            ends += self.ends[cur : edit.start]
            lo, hi = self.source(edit.start, edit.end)
            pieces.append(edit.text)
            starts += [lo] * len(edit.text)
            ends += [hi] * len(edit.text)
            cur = edit.end
        pieces.append(self.text[cur:])
        starts += self.starts[cur:]
        ends += self.ends[cur:]
        self.text, self.starts, self.ends = "".join(pieces), starts, ends
