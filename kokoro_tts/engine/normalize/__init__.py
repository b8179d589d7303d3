"""Text normalisation: numbers, money, times, units and the like written out as words.

espeak-ng reads "$5" as "dollar five", "kg" letter by letter and "10:30" as two numbers; the model
speaks what it is given, so English and French texts are rewritten first, by tables of rules per
kind (``KINDS``), each kind switched on or off by the caller. Other languages keep espeak-ng's
own reading. Rewrites are ``Edit``s of a ``Spoken`` text, so captions still show the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..spoken import Edit, Spoken, clashes

#: The kinds of rewrite, each on by default (``Options``).
KINDS = ("urls", "emails", "phones", "money", "percentages", "dates", "times", "units", "abbreviations", "numbers")


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    say: Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Options:
    """Whether to normalise at all, and which kinds (all by default)."""

    enabled: bool = True
    off: frozenset[str] = frozenset()

    @classmethod
    def from_request(cls, normalize: bool | None, kinds: Mapping[str, bool] | None) -> Options:
        off = frozenset(k for k, on in (kinds or {}).items() if not on)
        return cls(enabled=normalize is not False, off=off)


def _rules(lang: str) -> Sequence[Rule]:
    if lang.startswith("en"):
        from .en import RULES as EN

        return EN
    if lang == "fr":
        from .fr import RULES as FR

        return FR
    return ()


def edits(text: str, rules: Sequence[Rule], options: Options) -> list[Edit]:
    """Non-overlapping rewrites of ``text``: earlier rules claim their spans first."""
    claimed: list[Edit] = []
    for rule in rules:
        if rule.kind in options.off:
            continue
        for m in rule.pattern.finditer(text):
            if clashes(claimed, m.start(), m.end()):
                continue
            try:
                said = rule.say(m)
            except (ArithmeticError, ValueError, KeyError):  # a number too big for words, say: as written
                continue
            if said is not None and said != m.group(0):
                claimed.append(Edit(m.start(), m.end(), said))
    return claimed


def normalize(spoken: Spoken, lang: str, options: Options) -> None:
    """Rewrite ``spoken`` in place for ``lang`` (no-op for languages without rules)."""
    rules = _rules(lang)
    if options.enabled and rules:
        spoken.apply(edits(spoken.text, rules, options))


def normalize_text(text: str, lang: str, options: Options | None = None) -> str:
    """The normalised text alone (for tests and the CLI)."""
    spoken = Spoken.of(text, 0, len(text))
    normalize(spoken, lang, options or Options())
    return spoken.text
