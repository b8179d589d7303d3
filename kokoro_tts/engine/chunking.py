"""Long text -> phoneme chunks the model accepts (at most 510 tokens each).

Text is split by paragraph, then sentence; a sentence too long for the current limit is split by
clause, a clause by word; a word is never cut and no text is dropped: the chunks' source spans tile
the whole input, so their character counts add up to ``len(text)``. The first chunk is short so audio
starts early, and the limit then doubles chunk by chunk, so each chunk is computed while the previous
one plays. A sentence only a little over the limit is kept whole, and a split unit is cut into
parts of about equal size.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .wordalign import Phonemized, WordPhonemes, align

MAX_TOKENS = 510
FIRST_CHUNK_TOKENS = 64
GROWTH = 2.0
#: A unit is split only when it is over this many times the current chunk limit; while the limit
#: is squeezed (the model is shared), only a little over it.
SPLIT_SLACK = 2.0
SQUEEZED_SLACK = 1.25

#: Silence (seconds) inserted after a chunk, by what ends it.
PAUSES = {"paragraph": 0.7, "sentence": 0.3, "clause": 0.12, "word": 0.0, "end": 0.0}

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs etc e.g i.e cf fig no vol mt lt col gen sgt jan feb mar apr jun "
    "jul aug sep sept oct nov dec approx dept est inc ltd co".split()
)
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A sentence ends with terminal punctuation (and closing quotes/brackets) before whitespace, with
# CJK terminal punctuation anywhere, or at a line break.
_SENTENCE = re.compile(r"""[.!?…]+["'”’»)\]]*\s+|[。！？]+["'”’」』)]*\s*|\n\s*""")
_CLAUSE = re.compile(r"""[,;:—–]["'”’»)\]]*\s+|\s+[—–-]\s+|[、，；：]\s*""")
_WORD = re.compile(r"\S+\s*")


@lru_cache(maxsize=1)
def vocab() -> dict[str, int]:
    """Kokoro v1.0's phoneme -> token id table (the same in the ONNX exports and the torch config)."""
    path = importlib.resources.files(__package__) / "data" / "vocab.json"
    return json.loads(path.read_text("utf-8"))


#: Tokens that are punctuation or space: a text made only of these has nothing to say.
SILENT_SYMBOLS = frozenset(';:,.!?¡¿—…"«»“”()[]{} \'-–')


def speakable(tokens: tuple[int, ...] | list[int], table: dict[str, int] | None = None) -> bool:
    """Whether some token is a sound (not only punctuation and spaces)."""
    silent = {(table or vocab()).get(c) for c in SILENT_SYMBOLS}
    return any(t not in silent for t in tokens)


def tokenize(phonemes: str, table: dict[str, int] | None = None) -> list[int]:
    """Token ids for a phoneme string; symbols the model does not know are skipped."""
    table = table or vocab()
    return [table[c] for c in phonemes if c in table]


@dataclass(frozen=True)
class ChunkWord:
    """A word of the text, ``text[start:end]``, spoken by ``tokens[tok_start:tok_end]`` of its chunk."""

    start: int
    end: int
    tok_start: int
    tok_end: int


@dataclass(frozen=True)
class Chunk:
    """One model call's worth of input, and the span of source text it speaks."""

    index: int
    start: int
    end: int
    text: str
    phonemes: str
    tokens: tuple[int, ...]
    pause: float
    words: tuple[ChunkWord, ...] = ()

    @property
    def chars(self) -> int:
        """Source characters this chunk accounts for (spans tile the input, whitespace included)."""
        return self.end - self.start


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    level: int  # 0 sentence, 1 clause, 2 word
    after: str  # what ends it: paragraph, sentence, clause, word, end


def _split(
    text: str,
    start: int,
    end: int,
    pattern: re.Pattern[str],
    skip: Callable[[str, re.Match[str]], bool] | None = None,
) -> list[tuple[int, int]]:
    """Spans of ``text[start:end]`` ending after each match of ``pattern`` (trailing space included)."""
    spans, cur = [], start
    for m in pattern.finditer(text, start, end):
        if m.end() >= end or m.end() <= cur:
            continue
        if skip is not None and skip(text, m):
            continue
        spans.append((cur, m.end()))
        cur = m.end()
    spans.append((cur, end))
    return [s for s in spans if s[1] > s[0]]


def _is_abbreviation(text: str, m: re.Match[str]) -> bool:
    if text[m.start()] != ".":
        return False
    word = re.search(r"(\S+)$", text[: m.start()])
    return word is not None and word.group(1).lower().lstrip("(\"'") in _ABBREVIATIONS


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, what ends it) for each sentence; the spans tile ``text``."""
    out: list[tuple[int, int, str]] = []
    paragraphs = _split(text, 0, len(text), _PARAGRAPH)
    for p, (ps, pe) in enumerate(paragraphs):
        spans = _split(text, ps, pe, _SENTENCE, _is_abbreviation)
        for i, (s, e) in enumerate(spans):
            last = i == len(spans) - 1
            after = "sentence" if not last else ("end" if p == len(paragraphs) - 1 else "paragraph")
            out.append((s, e, after))
    return out


Phonemize = Callable[[str], "str | Phonemized"]


def chunk_text(
    text: str,
    phonemize: Phonemize,
    max_tokens: int = MAX_TOKENS,
    first_tokens: int = FIRST_CHUNK_TOKENS,
    growth: float = GROWTH,
    table: dict[str, int] | None = None,
    squeeze: Callable[[int], int | None] | None = None,
) -> Generator[Chunk, None, None]:
    """Yield chunks lazily, phonemizing only as far as needed: the first chunk comes out fast.

    `squeeze(index)`, asked as each chunk starts, may lower its limit for now (the model is
    shared, so a long chunk would hold others up). A squeezed first chunk is still at least a
    clause: cut by words, speech would sound broken from its first second.
    """
    builder = _ChunkBuilder(text, phonemize, max_tokens, first_tokens, growth, table or vocab())
    builder.squeeze = squeeze
    yield from builder.chunks()


class _Packed(NamedTuple):
    """A unit placed in the chunk being built, with its phonemes and token count; its words'
    offsets are in the whole text (None: the unit is one word)."""

    unit: _Unit
    phonemes: str
    tokens: int
    words: tuple[WordPhonemes, ...] | None = None


@dataclass
class _SplitUnit:
    """A unit being packed in parts: the parts aim at equal sizes, so the last is no one-word stub."""

    end: int  # offset where the split unit ends
    tokens: int  # its tokens in all
    packed: int = 0  # tokens of its parts packed so far (with the spaces that join them)

    @property
    def left(self) -> int:
        return self.tokens - self.packed


class _ChunkBuilder:
    """The state of ``chunk_text``: units waiting, the chunk being built, and how big it may grow."""

    def __init__(
        self,
        text: str,
        phonemize: Phonemize,
        max_tokens: int,
        first_tokens: int,
        growth: float,
        table: dict[str, int],
    ) -> None:
        self.text = text
        self.phonemize = phonemize
        self.max_tokens = max_tokens
        self.first_tokens = first_tokens
        self.growth = growth
        self.table = table
        self.index = 0  # of the next chunk
        self.cur: list[_Packed] = []  # the chunk being built
        self.frozen_cap: int | None = None  # its size limit, fixed when it starts
        self.splits: list[_SplitUnit] = []  # split units being packed, innermost last
        self.queue: deque[_Unit] = deque(_Unit(s, e, 0, after) for s, e, after in sentences(text))
        self.squeeze: Callable[[int], int | None] | None = None
        self.squeezed = False  # whether the last limit was lowered by `squeeze`

    def chunks(self) -> Iterator[Chunk]:
        while self.queue:
            unit = self.queue.popleft()
            while self.splits and self.splits[-1].end <= unit.start:
                self.splits.pop()
            phon, words = self.phonemized(unit)
            n = len(tokenize(phon, self.table))
            if self.cur and self.size() + 1 + n > self.cap():
                yield self.emit()
            if self.split(unit, n):
                continue
            if n > self.max_tokens:
                yield from self.cut_word(unit, phon)
                continue
            self.add(unit, phon, n, words)
            if self.ends_chunk(unit):
                yield self.emit()
        if self.cur:
            yield self.emit()

    def phonemized(self, unit: _Unit) -> tuple[str, tuple[WordPhonemes, ...]]:
        """The unit's phonemes, and its words' phonemes with offsets in the whole text."""
        raw = self.text[unit.start : unit.end]
        stripped = raw.strip()
        out = self.phonemize(stripped)
        if not isinstance(out, Phonemized):
            out = Phonemized(out, align(stripped, out))
        lead = unit.start + len(raw) - len(raw.lstrip())
        return out.phonemes, out.shifted(lead, 0)

    def limit(self) -> int:
        """The size a chunk may reach now: small at first, growing chunk by chunk up to the model's."""
        limit = int(min(self.max_tokens, max(1, self.first_tokens) * self.growth**self.index))
        squeezed = self.squeeze(self.index) if self.squeeze is not None else None
        self.squeezed = squeezed is not None and max(1, squeezed) < limit
        return max(1, squeezed) if squeezed is not None and self.squeezed else limit

    def cap(self) -> int:
        """The size limit of the chunk being built (or about to start)."""
        if self.cur and self.frozen_cap is not None:
            return self.frozen_cap
        limit = self.limit()
        if not self.splits or self.splits[-1].left <= limit:
            return limit
        left = self.splits[-1].left
        return min(limit, math.ceil(left / math.ceil(left / limit) * 1.15))

    def size(self) -> int:
        """Tokens in the chunk being built, with one space between units that have phonemes."""
        return sum(p.tokens for p in self.cur) + max(0, sum(1 for p in self.cur if p.phonemes) - 1)

    def emit(self) -> Chunk:
        start, end = self.cur[0].unit.start, self.cur[-1].unit.end
        phon, words = self.joined()
        tokens = tuple(tokenize(phon, self.table))
        chunk = Chunk(self.index, start, end, self.text[start:end], phon, tokens, PAUSES[self.cur[-1].unit.after],
                      self.chunk_words(phon, words))
        self.index += 1
        self.cur = []
        return chunk

    def joined(self) -> tuple[str, list[WordPhonemes]]:
        """The chunk's phonemes (its units' joined by spaces) and its words' spans in them."""
        parts: list[str] = []
        words: list[WordPhonemes] = []
        offset = 0
        for p in self.cur:
            if not p.phonemes:
                continue
            if p.words is None:
                words.append(WordPhonemes(p.unit.start, p.unit.end, offset, offset + len(p.phonemes)))
            else:
                words += [WordPhonemes(w.start, w.end, w.ph_start + offset, w.ph_end + offset) for w in p.words]
            parts.append(p.phonemes)
            offset += len(p.phonemes) + 1
        return " ".join(parts), words

    def chunk_words(self, phon: str, words: list[WordPhonemes]) -> tuple[ChunkWord, ...]:
        """Words with the range of the chunk's tokens that speak them (none: left out)."""
        counts = [0]
        for c in phon:
            counts.append(counts[-1] + (c in self.table))
        out = (ChunkWord(w.start, w.end, counts[w.ph_start], counts[w.ph_end]) for w in words)
        return tuple(w for w in out if w.tok_end > w.tok_start)

    def split(self, unit: _Unit, n: int) -> bool:
        """Queue the parts of a unit well over the limit (clauses, else words); False if kept whole.

        A sentence only a little too long stays whole: the model phrases it better.
        """
        cap = self.cap()
        if n <= min(self.max_tokens, (SQUEEZED_SLACK if self.squeezed else SPLIT_SLACK) * cap) or unit.level >= 2:
            return False
        if unit.level == 1 and self.squeezed and self.index == 0 and n <= self.max_tokens:
            return False  # a clause stays whole in a squeezed first chunk
        spans = _split(self.text, unit.start, unit.end, _CLAUSE if unit.level == 0 else _WORD)
        if len(spans) > 1:
            kind = "clause" if unit.level == 0 else "word"
            parts = [_Unit(s, e, unit.level + 1, kind) for s, e in spans]
            parts[-1] = _Unit(parts[-1].start, parts[-1].end, unit.level + 1, unit.after)
            self.splits.append(_SplitUnit(unit.end, n))
            self.queue.extendleft(reversed(parts))
            return True
        if unit.level == 0:  # one clause only: try words
            self.queue.appendleft(_Unit(unit.start, unit.end, 1, unit.after))
            return True
        return False

    def cut_word(self, unit: _Unit, phon: str) -> Iterator[Chunk]:
        """A single "word" longer than the model's context: its phonemes are cut into chunks of their own."""
        rest = phon
        first = True
        while rest:
            piece, rest = _cut(rest, self.max_tokens, self.table)
            start = unit.start if first else unit.end
            after = unit.after if not rest else "word"
            # The whole word speaks in every piece: its time runs from the first to the last.
            words = (WordPhonemes(unit.start, unit.end, 0, len(piece)),)
            self.cur = [_Packed(_Unit(start, unit.end, 2, after), piece, len(tokenize(piece, self.table)), words)]
            yield self.emit()
            first = False

    def add(self, unit: _Unit, phon: str, n: int, words: tuple[WordPhonemes, ...]) -> None:
        if not self.cur:
            self.frozen_cap = self.cap()
        self.cur.append(_Packed(unit, phon, n, words))
        for split in self.splits:
            split.packed += n + 1

    def ends_chunk(self, unit: _Unit) -> bool:
        """Short sentences share a chunk (the model phrases them well); paragraphs never do."""
        return unit.after == "paragraph" or (unit.after == "sentence" and self.size() >= self.limit() * 0.5)


def _cut(phonemes: str, max_tokens: int, table: dict[str, int]) -> tuple[str, str]:
    count = 0
    for i, c in enumerate(phonemes):
        if c in table:
            count += 1
            if count > max_tokens:
                return phonemes[:i], phonemes[i:]
    return phonemes, ""
