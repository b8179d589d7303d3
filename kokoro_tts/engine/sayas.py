"""SSML's ``say-as``: a span read as letters, a number, digits, a date, a time or a phone number.

English and French read with the words of their normalisation tables (``normalize.en``/``fr``);
other languages get num2words where it knows them, and letters one by one. A span that does not
read as asked ("abc" as a cardinal) is spoken as written, as the SSML specification allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from num2words import num2words

from .normalize import en, fr
from .spoken import Edit

#: ``interpret-as`` values read here; "spell-out" and "number" are common aliases of the first ones.
INTERPRETATIONS = ("characters", "spell-out", "cardinal", "number", "ordinal", "digits", "date", "time",
                   "telephone")
DATE_FORMATS = ("mdy", "dmy", "ymd", "md", "dm", "ym", "my", "d", "m", "y")
_EN_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "ay bee see dee ee eff gee aitch eye jay kay el em en oh pee cue ar ess tee you vee double-you ex why zee"
).split(), strict=True))
_FR_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "a bé cé dé e effe gé ache i ji ka elle emme enne o pé ku erre esse té u vé double-vé ixe i-grec zède"
).split(), strict=True))
_TIME = re.compile(r"^(\d{1,2})\s*[:h.]\s*(\d{2})?(?:\s*([ap])\.?\s*m\.?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class _Reader:
    """How one language says letters, numbers, dates and times."""

    letters: dict[str, str]
    digit: Callable[[str], str]
    cardinal: Callable[[str], str]
    ordinal: Callable[[int], str]
    date: Callable[[dict[str, int]], str]
    time: Callable[[re.Match[str]], str]
    phone: Callable[[re.Match[str]], str]


def _en_date(parts: dict[str, int]) -> str:
    said = [en.MONTHS[parts["m"] - 1]] if "m" in parts else []
    if "d" in parts:
        said.append(str(num2words(parts["d"], to="ordinal")))
    if "y" in parts:
        said.append(str(num2words(parts["y"], to="year")).replace(",", "").replace(" and ", " "))
    return " ".join(said)


def _fr_date(parts: dict[str, int]) -> str:
    said = []
    if "d" in parts:
        said.append("premier" if parts["d"] == 1 else fr.words(parts["d"]))
    if "m" in parts:
        said.append(fr.MOIS[parts["m"] - 1])
    if "y" in parts:
        said.append(fr.words(parts["y"]))
    return " ".join(said)


def _other(lang: str) -> _Reader:
    code = lang.split("-")[0]

    def cardinal(text: str) -> str:
        return str(num2words(int(text.replace(",", "")), lang=code))

    return _Reader({}, cardinal, cardinal, lambda n: str(num2words(n, lang=code, to="ordinal")),
                   lambda parts: " ".join(cardinal(str(v)) for v in parts.values()),
                   lambda m: m.group(0), lambda m: " ".join(m.group(0)))


def _reader(lang: str) -> _Reader:
    if lang.startswith("en"):
        return _Reader(_EN_LETTERS, en.digits, en.number, lambda n: str(num2words(n, to="ordinal")), _en_date,
                       en._time, en._phone)
    if lang == "fr":
        return _Reader(_FR_LETTERS, fr.digits, fr.number,
                       lambda n: "premier" if n == 1 else str(num2words(n, lang="fr", to="ordinal")), _fr_date,
                       fr._time, fr._phone)
    return _other(lang)


def _letters(text: str, reader: _Reader) -> list[Edit]:
    """Each letter or digit its own word (so each gets its own timing); other characters as written."""
    edits = []
    for i, char in enumerate(text):
        name = reader.letters.get(char.lower()) or (reader.digit(char) if char.isdigit() else None)
        if name is None and not char.isspace() and not reader.letters:
            name = char  # a language without a table of letter names: the character on its own
        if name is not None:
            edits.append(Edit(i, i + 1, (" " if i else "") + name))
    return edits


def _date(text: str, fmt: str, lang: str) -> dict[str, int]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    fmt = fmt if fmt in DATE_FORMATS else ("ymd" if re.match(r"\s*\d{4}", text) else "mdy" if lang.startswith("en")
                                           else "dmy")
    if len(numbers) != len(fmt):
        raise ValueError(text)
    parts = dict(zip(fmt, numbers, strict=True))
    if not 1 <= parts.get("m", 1) <= 12 or not 1 <= parts.get("d", 1) <= 31:
        raise ValueError(text)
    return parts


def _said(text: str, how: str, fmt: str, lang: str, reader: _Reader) -> str:
    if how in ("cardinal", "number"):
        return reader.cardinal(text)
    if how == "ordinal":
        return reader.ordinal(int(re.sub(r"\D", "", text)))
    if how == "digits":
        return " ".join(reader.digit(d) for d in text if d.isdigit())
    if how == "date":
        return reader.date(_date(text, fmt, lang))
    if how == "time":
        found = _TIME.match(text)
        if found is None:
            raise ValueError(text)
        return reader.time(found)
    whole = re.fullmatch(r".+", text, re.DOTALL)
    if whole is None:
        raise ValueError(text)
    return reader.phone(whole)


def edits(text: str, how: str, fmt: str, lang: str) -> list[Edit]:
    """Rewrites of ``text`` (offsets in it) that say it as ``how``; none where it does not read so."""
    reader = _reader(lang)
    if how in ("characters", "spell-out"):
        return _letters(text, reader)
    core = text.strip()
    if not core:
        return []
    try:
        said = _said(core, how, fmt.lower(), lang, reader)
    except (ValueError, KeyError, ArithmeticError, NotImplementedError):
        return []
    lead = len(text) - len(text.lstrip())
    return [Edit(lead, lead + len(core), said)] if said and said != core else []
