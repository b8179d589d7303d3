"""Pronunciation chosen by the caller: inline ``[word](/phonemes/)`` and per-account rules.

A rule says a whole word (or phrase) is spoken as other words (``alias``) or as given phonemes;
phonemes stand in the text as one private-use character each (``Spoken.mark``) that
``MarkedPhonemizer`` turns back into them, so the chunker treats them as ordinary words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .chunking import vocab
from .errors import InvalidPhonemes, Message
from .spoken import PRIVATE_USE, Edit, Spoken, clashes
from .tags import INLINE
from .wordalign import Phonemized, WordPhonemes, phonemize_words


@dataclass(frozen=True)
class PronunciationRule:
    """Say ``text`` (whole words) as ``alias`` or as ``phonemes``."""

    text: str
    alias: str | None = None
    phonemes: str | None = None
    case_sensitive: bool = True


def check_phonemes(phonemes: str, where: str) -> str:
    """``phonemes`` if the model knows every symbol; InvalidPhonemes naming the others."""
    text = " ".join(str(phonemes).split())
    table = vocab()
    unknown = sorted({c for c in text if c not in table and c != " "})
    if not text or unknown:
        if not unknown:
            raise InvalidPhonemes(Message("{where}: no phonemes", where=where))
        raise InvalidPhonemes(Message("{where}: symbols {symbols} are not in the model's phoneme set",
                                      where=where, symbols=" ".join(unknown)))
    return text


def _inline_edits(spoken: Spoken) -> list[Edit]:
    edits = []
    for m in INLINE.finditer(spoken.text):
        phonemes = check_phonemes(m.group(2), m.group(0))
        edits.append(Edit(m.start(), m.end(), spoken.mark(phonemes)))
    return edits


def _rule_pattern(rule: PronunciationRule) -> re.Pattern[str]:
    flags = 0 if rule.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<![\w]){re.escape(rule.text)}(?![\w])", flags)


def _rule_edits(spoken: Spoken, rules: Sequence[PronunciationRule]) -> list[Edit]:
    """Longer rules first, so that "New York City" wins over "New York"."""
    edits: list[Edit] = []
    for rule in sorted(rules, key=lambda r: -len(r.text)):
        for m in _rule_pattern(rule).finditer(spoken.text):
            if clashes(edits, m.start(), m.end()):
                continue
            said = rule.alias if rule.alias is not None else spoken.mark(rule.phonemes or "")
            edits.append(Edit(m.start(), m.end(), said))
    return edits


def apply(spoken: Spoken, rules: Sequence[PronunciationRule]) -> None:
    """Inline pronunciations first (the text's own word wins), then the account's rules."""
    spoken.apply(_inline_edits(spoken))
    if rules:
        spoken.apply(_rule_edits(spoken, rules))


class MarkedPhonemizer:
    """A G2P for text holding marks: each mark gets its phonemes, the text between marks is
    phonemized as usual (so "Kokoro-based" with a rule for "Kokoro" still says "based").
    `words`: whether to find each word's phonemes (for timings; checking a text needs none)."""

    def __init__(self, g2p: Callable[[str], str], marks: dict[str, str], words: bool = True) -> None:
        self.g2p = g2p
        self.marks = marks
        self.words = words

    def _run(self, text: str) -> Phonemized:
        return phonemize_words(self.g2p, text) if self.words else Phonemized(self.g2p(text))

    def __call__(self, text: str) -> Phonemized:
        if not self.marks or not PRIVATE_USE.search(text):
            return self._run(text)
        parts: list[Phonemized] = []
        starts: list[int] = []
        cur = 0
        for m in PRIVATE_USE.finditer(text):
            if text[cur : m.start()].strip():
                parts.append(self._run(text[cur : m.start()]))
                starts.append(cur)
            said = self.marks.get(m.group(0), "")
            parts.append(Phonemized(said, (WordPhonemes(0, 1, 0, len(said)),)))
            starts.append(m.start())
            cur = m.end()
        if text[cur:].strip():
            parts.append(self._run(text[cur:]))
            starts.append(cur)
        return _join(parts, starts)


def _join(parts: Iterable[Phonemized], starts: Iterable[int]) -> Phonemized:
    phonemes: list[str] = []
    words: list[WordPhonemes] = []
    offset = 0
    for part, start in zip(parts, starts, strict=True):
        if not part.phonemes:
            continue
        words += part.shifted(start, offset)
        phonemes.append(part.phonemes)
        offset += len(part.phonemes) + 1
    return Phonemized(" ".join(phonemes), tuple(words))
