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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

MAX_TOKENS = 510
FIRST_CHUNK_TOKENS = 64
GROWTH = 2.0
#: A unit is split only when it is over this many times the current chunk limit.
SPLIT_SLACK = 2.0

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


def tokenize(phonemes: str, table: dict[str, int] | None = None) -> list[int]:
    """Token ids for a phoneme string; symbols the model does not know are skipped."""
    table = table or vocab()
    return [table[c] for c in phonemes if c in table]


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


def _split(text: str, start: int, end: int, pattern: re.Pattern[str], skip=None) -> list[tuple[int, int]]:
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
    return bool(word) and word.group(1).lower().lstrip("(\"'") in _ABBREVIATIONS


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


def chunk_text(
    text: str,
    phonemize: Callable[[str], str],
    max_tokens: int = MAX_TOKENS,
    first_tokens: int = FIRST_CHUNK_TOKENS,
    growth: float = GROWTH,
    table: dict[str, int] | None = None,
) -> Iterator[Chunk]:
    """Yield chunks lazily, phonemizing only as far as needed: the first chunk comes out fast."""
    table = table or vocab()
    index = 0
    cur: list[tuple[_Unit, str, int]] = []  # units packed into the chunk being built

    def limit() -> int:
        return int(min(max_tokens, max(1, first_tokens) * growth**index))

    def emit() -> Chunk:
        nonlocal index, cur
        start, end = cur[0][0].start, cur[-1][0].end
        phon = " ".join(p for _, p, _ in cur if p)
        chunk = Chunk(index, start, end, text[start:end], phon, tuple(tokenize(phon, table)), PAUSES[cur[-1][0].after])
        index += 1
        cur = []
        return chunk

    def size() -> int:
        return sum(n for _, _, n in cur) + max(0, sum(1 for _, p, _ in cur if p) - 1)

    # While the parts of a split unit are packed, aim at parts of equal size for what is left of it
    # (no stub of one word at the end): [end offset of the split unit, its tokens, tokens packed].
    targets: list[list[int]] = []

    frozen: list[int] = []  # the cap of the chunk being built, fixed when it starts

    def cap() -> int:
        if cur and frozen:
            return frozen[0]
        if not targets or targets[-1][1] - targets[-1][2] <= limit():
            return limit()
        left = targets[-1][1] - targets[-1][2]
        return min(limit(), math.ceil(left / math.ceil(left / limit()) * 1.15))

    queue: deque[_Unit] = deque(_Unit(s, e, 0, after) for s, e, after in sentences(text))
    while queue:
        unit = queue.popleft()
        while targets and targets[-1][0] <= unit.start:
            targets.pop()
        phon = phonemize(text[unit.start : unit.end].strip())
        n = len(tokenize(phon, table))
        if cur and size() + 1 + n > cap():
            yield emit()
        # Split only what is well over the limit: a sentence a little too long stays whole.
        if n > min(max_tokens, SPLIT_SLACK * cap()) and unit.level < 2:
            pattern = _CLAUSE if unit.level == 0 else _WORD
            spans = _split(text, unit.start, unit.end, pattern)
            if len(spans) > 1:
                kind = "clause" if unit.level == 0 else "word"
                subs = [_Unit(s, e, unit.level + 1, kind) for s, e in spans]
                subs[-1] = _Unit(subs[-1].start, subs[-1].end, unit.level + 1, unit.after)
                targets.append([unit.end, n, 0])
                queue.extendleft(reversed(subs))
                continue
            if unit.level == 0:  # one clause only: try words
                queue.appendleft(_Unit(unit.start, unit.end, 1, unit.after))
                continue
        if n > max_tokens:  # a single "word" longer than the model's context: split its phonemes
            toks = phon
            first = True
            while toks:
                piece, toks = _cut(toks, max_tokens, table)
                s = unit.start if first else unit.end
                after = unit.after if not toks else "word"
                cur = [(_Unit(s, unit.end, 2, after), piece, len(tokenize(piece, table)))]
                yield emit()
                first = False
            continue
        if not cur:
            frozen[:] = [cap()]
        cur.append((unit, phon, n))
        for target in targets:
            target[2] += n + 1
        # Short sentences share a chunk (the model phrases them well); paragraphs never do.
        if unit.after == "paragraph" or (unit.after == "sentence" and size() >= limit() * 0.5):
            yield emit()
    if cur:
        yield emit()


def _cut(phonemes: str, max_tokens: int, table: dict[str, int]) -> tuple[str, str]:
    count = 0
    for i, c in enumerate(phonemes):
        if c in table:
            count += 1
            if count > max_tokens:
                return phonemes[:i], phonemes[i:]
    return phonemes, ""
