"""Which phonemes belong to which word, for word timings.

A phonemizer reads a whole sentence (so that espeak-ng reduces "the" and links words as speech
does) and returns words of phonemes separated by spaces, but not always one per input word: it
joins "in the" into "ɪnðə" and may drop a lone dash. Then words and phoneme groups are matched
by a small dynamic programme, where one group may cover several words (its phonemes are then
shared out by length) and one word several groups. The cost of a match compares the group with
the words phonemized one by one (when the phonemizer is at hand), else their relative lengths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Indel

_RUN = re.compile(r"\S+")
_SOUND = re.compile(r"\w")
#: How far (in groups) the alignment may stray from the diagonal, beyond the difference in counts.
BAND = 3
#: Past this many cells, the programme is not run: the phonemes are shared out by length.
MAX_CELLS = 40_000
#: Extra cost of joining or dropping, so that equal lengths prefer one to one.
PENALTY = 0.02


@dataclass(frozen=True)
class WordPhonemes:
    """Word ``text[start:end]`` is spoken by ``phonemes[ph_start:ph_end]``."""

    start: int
    end: int
    ph_start: int
    ph_end: int


@dataclass(frozen=True)
class Phonemized:
    phonemes: str
    words: tuple[WordPhonemes, ...] = ()

    def shifted(self, chars: int, phonemes: int) -> tuple[WordPhonemes, ...]:
        return tuple(WordPhonemes(w.start + chars, w.end + chars, w.ph_start + phonemes, w.ph_end + phonemes)
                     for w in self.words)


def _weights(spans: list[tuple[int, int]], text: str) -> list[float]:
    sizes = [max(1, len(_SOUND.findall(text[s:e]))) for s, e in spans]
    total = sum(sizes)
    return [s / total for s in sizes]


#: (words, groups) a step of the alignment consumes.
_STEPS = ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3), (1, 0), (0, 1))
StepCost = Callable[[int, int, int, int], float]


def _by_length(a: list[float], b: list[float]) -> StepCost:
    def cost(i: int, di: int, j: int, dj: int) -> float:
        return abs(sum(a[i : i + di]) - sum(b[j : j + dj]))

    return cost


def _by_sound(expected: Sequence[str], groups: Sequence[str]) -> StepCost:
    """Mismatched symbols between words said alone and the groups, per average word."""
    scale = max(1.0, sum(len(g) for g in groups) / max(1, len(groups)))

    def cost(i: int, di: int, j: int, dj: int) -> float:
        said, got = "".join(expected[i : i + di]), "".join(groups[j : j + dj])
        longest = max(len(said), len(got))
        return Indel.normalized_distance(said, got) * longest / scale

    return cost


def _path(n: int, m: int, step_cost: StepCost) -> list[tuple[int, int]]:
    """The cheapest monotone matching of ``n`` words to ``m`` groups, as steps."""
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    band = min(abs(n - m), 4 * BAND) + BAND
    for i in range(n + 1):
        centre = i * m / max(1, n)
        for j in range(max(0, int(centre) - band), min(m, int(centre) + band) + 1):
            if cost[i][j] == inf:
                continue
            for di, dj in _STEPS:
                if i + di > n or j + dj > m:
                    continue
                joined = di + dj - 1 + (di == 0 or dj == 0)
                c = cost[i][j] + step_cost(i, di, j, dj) + PENALTY * joined
                if c < cost[i + di][j + dj]:
                    cost[i + di][j + dj], back[i + di][j + dj] = c, (di, dj)
    steps, i, j = [], n, m
    while (i, j) != (0, 0):
        di, dj = back[i][j]
        if (di, dj) == (0, 0):
            return []  # out of the band: no alignment
        steps.append((di, dj))
        i, j = i - di, j - dj
    return steps[::-1]


def _share(words: list[tuple[int, int]], text: str, lo: int, hi: int) -> list[WordPhonemes]:
    """Words that one group of phonemes ``[lo, hi)`` speaks, each given a part by its length."""
    weights = _weights(words, text)
    out, cur = [], float(lo)
    for (s, e), w in zip(words, weights, strict=True):
        nxt = cur + w * (hi - lo)
        out.append(WordPhonemes(s, e, round(cur), round(nxt)))
        cur = nxt
    return out


def _letters(text: str) -> str:
    return "".join(_SOUND.findall(text))


def align(text: str, phonemes: str, phonemize: Callable[[str], str] | None = None) -> tuple[WordPhonemes, ...]:
    """Each word of ``text`` (a run of non-space) with the span of ``phonemes`` that speaks it;
    words that get no phonemes are left out. ``phonemize`` reads single words, for a better match."""
    words = [(m.start(), m.end()) for m in _RUN.finditer(text)]
    groups = [(m.start(), m.end()) for m in _RUN.finditer(phonemes)]
    if not words or not groups:
        return ()
    if len(words) == len(groups):
        return tuple(WordPhonemes(ws, we, gs, ge) for (ws, we), (gs, ge) in zip(words, groups, strict=True))
    if len(words) * (min(abs(len(words) - len(groups)), 4 * BAND) + BAND) > MAX_CELLS:
        return tuple(_share(words, text, groups[0][0], groups[-1][1]))
    if phonemize is not None:
        expected = [_letters(phonemize(text[s:e])) for s, e in words]
        step_cost = _by_sound(expected, [_letters(phonemes[s:e]) for s, e in groups])
    else:
        step_cost = _by_length(_weights(words, text), _weights(groups, phonemes))
    steps = _path(len(words), len(groups), step_cost)
    if not steps:
        return tuple(_share(words, text, groups[0][0], groups[-1][1]))
    out: list[WordPhonemes] = []
    i = j = 0
    for di, dj in steps:
        if di and dj:
            out += _share(words[i:i + di], text, groups[j][0], groups[j + dj - 1][1])
        i, j = i + di, j + dj
    return tuple(out)


def phonemize_words(phonemize: Callable[[str], str], text: str) -> Phonemized:
    """Phonemize ``text`` whole, and align its words to the result (words said alone through the
    phonemizer's cached ``word`` where it has one)."""
    phonemes = phonemize(text)
    return Phonemized(phonemes, align(text, phonemes, getattr(phonemize, "word", phonemize)))
