"""French normalisation rules, in the order they claim text (see ``normalize.edits``)."""

from __future__ import annotations

import re

from num2words import num2words

from . import Rule

MOIS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
_CURRENCIES = {"€": ("euro", "centime"), "$": ("dollar", "cent"), "£": ("livre", "penny")}
_CODES = {"EUR": "€", "USD": "$", "GBP": "£"}
_UNITS = {
    "kg": "kilogramme", "mg": "milligramme", "g": "gramme", "km": "kilomètre", "cm": "centimètre",
    "mm": "millimètre", "m": "mètre", "l": "litre", "ml": "millilitre", "cl": "centilitre",
    "km/h": "kilomètre-heure", "h": "heure", "min": "minute", "s": "seconde", "ms": "milliseconde",
    "ko": "kilooctet", "mo": "mégaoctet", "go": "gigaoctet", "to": "téraoctet", "°c": "degré Celsius",
    "kw": "kilowatt", "kwh": "kilowattheure", "w": "watt", "v": "volt", "hz": "hertz",
}
ABBREVIATIONS = {
    "M.": "Monsieur", "MM.": "Messieurs", "Mme": "Madame", "Mmes": "Mesdames", "Mlle": "Mademoiselle",
    "etc.": "et cetera",
    "p. ex.": "par exemple", "c.-à-d.": "c'est-à-dire", "n°": "numéro", "N°": "numéro", "av.": "avenue",
    "bd": "boulevard", "env.": "environ",
}
#: Titles, only before a name ("Me voici" is not "Maître voici").
TITLES = {"Dr": "Docteur", "Pr": "Professeur", "Me": "Maître", "St": "Saint", "Ste": "Sainte"}
_DIGITS = "zéro un deux trois quatre cinq six sept huit neuf".split()


def words(n: int) -> str:
    return str(num2words(n, lang="fr"))


def digits(text: str) -> str:
    return " ".join(_DIGITS[int(d)] for d in text if d.isdigit())


def number(text: str) -> str:
    """"1 200", "1.200", "3,14", "-2" in words (a comma is the decimal mark in French); past
    trillions, digit by digit."""
    text = re.sub(r"[\s\u00a0\u202f.]", "", text)
    sign = "moins " if text.startswith(("-", "−")) else ""
    whole, _, frac = text.lstrip("-−").partition(",")
    said = words(int(whole or 0)) if len(whole) <= 15 else digits(whole)
    if frac:
        said += " virgule " + (digits(frac) if frac.startswith("0") or len(frac) > 15 else words(int(frac)))
    return sign + said


def plural(unit: str, amount: str) -> str:
    whole = re.sub(r"[\s\u00a0\u202f.]", "", amount).split(",")[0].lstrip("-")
    if whole in ("0", "1"):
        return unit
    if " " in unit:  # "degré Celsius": the noun takes the plural
        head, _, tail = unit.partition(" ")
        return f"{plural(head, amount)} {tail}"
    if unit.endswith(("s", "x", "z")):
        return unit
    return unit.replace("-heure", "s-heure") if unit.endswith("-heure") else unit + "s"


def _money(m: re.Match[str]) -> str:
    symbol = m.group("sym") or m.group("sym2") or _CODES[m.group("code").upper()]
    amount = m.group("amount") or m.group("amount2")
    unit, sub = _CURRENCIES[symbol]
    whole, _, cents = re.sub(r"[\s\u00a0\u202f.]", "", amount).partition(",")
    said = f"{words(int(whole or 0))} {plural(unit, whole)}"
    if cents and int(cents):
        said += f" {words(int(cents.ljust(2, '0')[:2]))}"
    return said


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2) or m.group(3) or 0)
    if hour > 24 or minute > 59:
        return m.group(0)
    said = f"{'une' if hour == 1 else words(hour)} {'heure' if hour <= 1 else 'heures'}"
    return said + (f" {words(minute)}" if minute else "")


def _date(m: re.Match[str]) -> str:
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{'premier' if day == 1 else words(day)} {MOIS[month - 1]} {words(year)}"


def _unit(m: re.Match[str]) -> str:
    unit = _UNITS.get(m.group("unit").lower())
    if unit is None:  # a letter whose lower case is not ASCII ("İ"), matched by re.I
        return m.group(0)
    return f"{number(m.group('amount'))} {plural(unit, m.group('amount'))}"


def _ordinal(m: re.Match[str]) -> str:
    n = int(m.group(1))
    if n == 1:
        return "première" if m.group(2).lower() in ("re", "ère") else "premier"
    return str(num2words(n, lang="fr", to="ordinal"))


def _phone(m: re.Match[str]) -> str:
    pairs = re.findall(r"\d\d", re.sub(r"\D", "", m.group(0)))
    return ", ".join(("zéro " + _DIGITS[int(p[1])]) if p[0] == "0" else words(int(p)) for p in pairs)


def _spell_address(text: str) -> str:
    names = {".": " point ", "@": " arobase ", "/": " barre oblique ", "-": " tiret ", "_": " tiret bas ",
             ":": " deux-points "}
    said = "".join(names.get(c, c) for c in text)
    return re.sub(r"\s+", " ", said).strip()


_NUM = r"\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_UNIT_NAMES = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_ABBR = "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))

RULES: tuple[Rule, ...] = (
    Rule("emails", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), lambda m: _spell_address(m.group(0))),
    Rule("urls", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]", re.I),
         lambda m: _spell_address(re.sub(r"^(https?://)?(www\.)?", "", m.group(0), flags=re.I).rstrip("/"))),
    Rule("phones", re.compile(r"(?<![\w+])0\d(?:[\s.-]?\d\d){4}\b"), _phone),
    Rule("money", re.compile(rf"(?P<amount>{_NUM})\s?(?:(?P<sym>[€$£])|(?P<code>EUR|USD|GBP)\b)"
                             rf"|(?P<sym2>[€$£])\s?(?P<amount2>{_NUM})"), _money),
    Rule("percentages", re.compile(rf"(?<![\w,])(-?(?:{_NUM}))\s?%"), lambda m: f"{number(m.group(1))} pour cent"),
    Rule("dates", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), _date),
    Rule("times", re.compile(r"\b(\d{1,2})(?:\s?h\s?(\d{2})?|:(?=\d{2}\b)(\d{2}))(?![\w:])"), _time),
    Rule("units", re.compile(rf"(?<![\w,])(?P<amount>{_NUM})\s?(?P<unit>{_UNIT_NAMES})(?![\w/])", re.I), _unit),
    Rule("abbreviations", re.compile(rf"(?<![\w.])(?:{_ABBR})(?![\w])"), lambda m: ABBREVIATIONS[m.group(0)]),
    Rule("abbreviations", re.compile(rf"(?<![\w.])(?:{'|'.join(TITLES)})\.?(?=\s+[A-ZÀ-Ý])"),
         lambda m: TITLES[m.group(0).rstrip(".")]),
    Rule("numbers", re.compile(r"\b(\d+)(er|re|ère|e|ème|ᵉ)\b", re.I), _ordinal),
    Rule("numbers", re.compile(rf"(?<![\w,])-?(?:{_NUM})(?![\w])"), lambda m: number(m.group(0))),
)
