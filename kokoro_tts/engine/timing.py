"""Word timings: from the model's per-token durations to words of the original text, and captions.

The model says how many 25 ms frames each token lasts (``durations``, the speed included), so a
word starts where the frames of the tokens before it end. Without durations (an export that
lacks them) the chunk's audio is shared out evenly between its tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .chunking import ChunkWord
from .tags import INLINE, TAG

FRAME_SECONDS = 600 / 24000
LEAD = 3 * FRAME_SECONDS
#: The words of the original text, a ``[word](/phonemes/)`` counting as one.
_WORD = re.compile(r"\[[^\[\]\n]+\]\(/[^/\n]+/\)\S*|\S+")


class Marked(Protocol):
    """A named point of the text (SSML's ``<mark>``)."""

    @property
    def name(self) -> str: ...

    @property
    def offset(self) -> int: ...


@dataclass(frozen=True)
class Timed:
    """A spoken word: the span of the original text it stands for, and when (seconds)."""

    start: int
    end: int
    begin: float
    finish: float

    def shifted(self, seconds: float) -> Timed:
        return Timed(self.start, self.end, self.begin + seconds, self.finish + seconds)


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float

    def as_dict(self) -> dict[str, object]:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class MarkTime:
    """An SSML mark and when it is reached: the start of the word after it."""

    name: str
    time: float

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "time": round(self.time, 3)}


class Timeline:
    """Pieces of audio laid end to end, and their words' times from the start of the first."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.timed: list[Timed] = []

    def add(self, seconds: float, words: Iterable[Timed]) -> None:
        self.timed += [w.shifted(self.offset) for w in words]
        self.offset += seconds

    def words(self, text: str) -> list[Word]:
        return caption_words(text, self.timed)

    def marks(self, marks: Iterable[Marked]) -> list[MarkTime]:
        """Each mark's time: when the first word from its offset on starts (the end, past the last)."""
        return [MarkTime(m.name, next((w.begin for w in self.timed if w.start >= m.offset), self.offset))
                for m in marks]


def token_edges(n_tokens: int, durations: np.ndarray | None, samples: int, rate: int) -> np.ndarray:
    """Seconds at which each of ``n_tokens`` tokens starts, and the last ends (n_tokens + 1 values).

    ``durations`` has one value per token of the padded input (a boundary token at each end).
    """
    if durations is not None and len(durations) == n_tokens + 2:
        edges = np.concatenate([[0.0], np.cumsum(np.asarray(durations, dtype=np.float64))]) * FRAME_SECONDS
        return edges[1 : n_tokens + 2]
    return np.linspace(0.0, samples / rate, n_tokens + 3)[1 : n_tokens + 2]


def chunk_timings(
    words: Sequence[ChunkWord], edges: np.ndarray, shift: float, length: float
) -> list[tuple[float, float]]:
    """(start, end) of each word, moved by ``shift`` seconds and kept within ``[0, length]``.

    The space between two words is shared between them, and the sound of a frame comes about
    ``LEAD`` before the frame itself (as Kokoro's own pipeline reckons: three frames).
    """
    times = [[float(edges[w.tok_start]), float(edges[w.tok_end])] for w in words]
    for (a, b), left, right in zip(zip(words, words[1:], strict=False), times, times[1:], strict=False):
        if a.tok_end <= b.tok_start:
            left[1] = right[0] = (left[1] + right[0]) / 2
    out = []
    for begin, finish in times:
        begin = min(max(begin + shift - LEAD, 0.0), length)
        out.append((begin, min(max(finish + shift - LEAD, begin), length)))
    return out


def _display(token: str) -> str:
    return INLINE.sub(r"\1", token)


def _merged(timed: Iterable[Timed]) -> list[Timed]:
    """Consecutive spoken words from one rewrite ("$5" said "five dollars"), whose original spans
    overlap, as one."""
    out: list[Timed] = []
    for t in timed:
        if out and t.start < out[-1].end and out[-1].start < t.end:
            last = out[-1]
            out[-1] = Timed(min(last.start, t.start), max(last.end, t.end), last.begin, max(last.finish, t.finish))
        else:
            out.append(t)
    return out


def caption_words(text: str, timed: Iterable[Timed]) -> list[Word]:
    """One entry per word of ``text`` that was spoken, punctuation attached, in order.

    A rewrite covering several written words ("10:30 am") shares its time between them by length.
    """
    untagged = TAG.sub(lambda m: " " * len(m.group(0)), text)  # a tag is not a word, nor part of one
    spans = [(m.start(), m.end()) for m in _WORD.finditer(untagged)]
    found: dict[int, list[float]] = {}
    index = 0
    for t in _merged(timed):
        while index < len(spans) and spans[index][1] <= t.start:
            index += 1
        covered, j = [], index
        while j < len(spans) and spans[j][0] < max(t.end, t.start + 1):
            covered.append(j)
            j += 1
        total = sum(spans[i][1] - spans[i][0] for i in covered) or 1
        at = t.begin
        for i in covered:
            step = (t.finish - t.begin) * (spans[i][1] - spans[i][0]) / total
            times = found.setdefault(i, [at, at + step])
            times[0], times[1] = min(times[0], at), max(times[1], at + step)
            at += step
    return [Word(_display(text[spans[i][0] : spans[i][1]]), *found[i]) for i in sorted(found)]


def clock(seconds: float, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT, chapter comments) or with a comma (SRT)."""
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def cues(words: Sequence[Word], per_cue: int = 7, max_seconds: float = 3.5) -> list[tuple[float, float, str]]:
    """Words grouped into caption cues of a few words each (a sentence end closes a cue)."""
    out: list[tuple[float, float, str]] = []
    group: list[Word] = []
    for w in words:
        group.append(w)
        if len(group) >= per_cue or w.end - group[0].start >= max_seconds or w.word.endswith((".", "!", "?", "。")):
            out.append((group[0].start, group[-1].end, " ".join(g.word for g in group)))
            group = []
    if group:
        out.append((group[0].start, group[-1].end, " ".join(g.word for g in group)))
    return out


def webvtt(words: Sequence[Word]) -> str:
    return webvtt_cues(cues(words))


def webvtt_cues(timed: Sequence[tuple[float, float, str]]) -> str:
    """A WebVTT file of (start, end, text) cues: words, or chapter titles (a ``kind="chapters"`` track)."""
    lines = ["WEBVTT", ""]
    for start, end, text in timed:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # cue text is markup
        lines += [f"{clock(start, '.')} --> {clock(end, '.')}", text, ""]
    return "\n".join(lines)


def srt(words: Sequence[Word]) -> str:
    lines = []
    for n, (start, end, text) in enumerate(cues(words), 1):
        lines += [str(n), f"{clock(start, ',')} --> {clock(end, ',')}", text, ""]
    return "\n".join(lines)
