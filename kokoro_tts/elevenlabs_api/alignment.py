"""ElevenLabs' character alignment from this service's word timings.

ElevenLabs times each character; the engine times each word. A word's characters share its time
evenly, and what lies between two words (spaces, punctuation the word did not take) spans the
gap between them, so the times rise through the text and cover it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..engine.timing import Word


@dataclass
class Aligner:
    """Walks `text` word by word; each call aligns the characters up to the words given so far,
    so a stream can send the alignment of each piece with it."""

    text: str
    at: int = 0  # characters of `text` aligned so far
    clock: float = 0.0  # the end of the last word aligned
    chars: list[str] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)

    def _span(self, text: str, start: float, end: float) -> None:
        step = (end - start) / max(len(text), 1)
        for i, char in enumerate(text):
            self.chars.append(char)
            self.starts.append(round(start + i * step, 3))
            self.ends.append(round(start + (i + 1) * step, 3))

    def add(self, words: Sequence[Word]) -> None:
        for word in words:
            found = self.text.find(word.word, self.at)
            if found < 0:
                continue  # not in the text as written (it cannot be: captions are of the text)
            self._span(self.text[self.at : found], self.clock, word.start)
            self._span(word.word, word.start, word.end)
            self.at, self.clock = found + len(word.word), word.end

    def finish(self, end: float) -> None:
        """The characters after the last word, up to `end` seconds."""
        self._span(self.text[self.at :], self.clock, max(end, self.clock))
        self.at = len(self.text)

    def take(self) -> dict[str, list]:
        """The alignment made since the last take, in ElevenLabs' shape."""
        taken: dict[str, list] = {"characters": self.chars, "character_start_times_seconds": self.starts,
                 "character_end_times_seconds": self.ends}
        self.chars, self.starts, self.ends = [], [], []
        return taken


def alignment(text: str, words: Sequence[Word], duration: float) -> dict[str, list]:
    """The whole text's alignment."""
    aligner = Aligner(text)
    aligner.add(words)
    aligner.finish(duration)
    return aligner.take()
