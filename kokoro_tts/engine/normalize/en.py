"""English normalisation rules, in the order they claim text (see ``normalize.edits``)."""

from __future__ import annotations

import re

from num2words import num2words

from . import Rule

MONTHS = ("January February March April May June July August September October November December").split()
_CURRENCIES = {"$": ("dollar", "cent"), "€": ("euro", "cent"), "£": ("pound", "penny"), "¥": ("yen", "sen")}
_CODES = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SCALES = "thousand|million|billion|trillion"
_UNITS = {
    "kg": "kilogram", "mg": "milligram", "km": "kilometer", "cm": "centimeter", "mm": "millimeter",
    "mi": "mile", "ft": "foot", "lb": "pound", "lbs": "pound", "oz": "ounce", "ml": "milliliter",
    "mph": "mile per hour", "km/h": "kilometer per hour", "kph": "kilometer per hour",
    "kb": "kilobyte", "mb": "megabyte", "gb": "gigabyte", "tb": "terabyte",
    "khz": "kilohertz", "mhz": "megahertz", "ghz": "gigahertz", "hz": "hertz", "kw": "kilowatt",
    "kwh": "kilowatt hour", "°c": "degree Celsius", "°f": "degree Fahrenheit", "sq ft": "square foot",
    "min": "minute", "hr": "hour", "hrs": "hour", "sec": "second", "ms": "millisecond",
}
#: Units that are also ordinary words or letters: only right after the number ("5m", not "5 m"), in
#: this case only ("4G" is a network, "1980s" a decade).
_TIGHT_UNITS = {"m": "meter", "g": "gram", "h": "hour", "W": "watt", "V": "volt"}
_IRREGULAR = {"foot": "feet", "degree Celsius": "degrees Celsius", "degree Fahrenheit": "degrees Fahrenheit",
              "penny": "pence", "yen": "yen", "sen": "sen", "mile per hour": "miles per hour",
              "kilometer per hour": "kilometers per hour", "square foot": "square feet",
              "kilowatt hour": "kilowatt hours"}
ABBREVIATIONS = {
    "Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Prof.": "Professor", "Jr.": "Junior",
    "Sr.": "Senior", "St.": "Saint", "Mt.": "Mount", "etc.": "et cetera", "e.g.": "for example",
    "i.e.": "that is", "vs.": "versus", "approx.": "approximately", "Inc.": "Incorporated", "Ltd.": "Limited",
    "Jan.": "January", "Feb.": "February", "Aug.": "August", "Sept.": "September",
    "Oct.": "October", "Nov.": "November", "Dec.": "December",
}
#: Abbreviations that come before a name: never the end of a sentence.
TITLES = frozenset({"Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "St.", "Mt."})
_DIGITS = "zero one two three four five six seven eight nine".split()
#: Longer numbers (account numbers, say) are read digit by digit.
MAX_DIGITS = 15


def words(n: int | float) -> str:
    """A number in words as Americans say it: no commas (they would be read as pauses), no "and"
    ("two hundred fifty")."""
    return str(num2words(n)).replace(",", "").replace(" and ", " ")


def digits(text: str) -> str:
    return " ".join(_DIGITS[int(d)] for d in text if d.isdigit())


def number(text: str) -> str:
    """An integer or decimal as written ("1,200", "3.14", "-2") in words; past trillions, digit by digit."""
    text = text.replace(",", "")
    sign = "minus " if text.startswith(("-", "−")) else ""
    text = text.lstrip("-−")
    whole, _, frac = text.partition(".")
    said = words(int(whole or 0)) if len(whole) <= MAX_DIGITS else digits(whole)
    if frac:
        said += " point " + digits(frac)
    return sign + said


def plural(unit: str, amount: str) -> str:
    if amount.replace(",", "") in ("1", "1.0", "one"):
        return unit
    return _IRREGULAR.get(unit, unit if unit.endswith("s") else unit + "s")


def _year(n: int) -> str:
    return str(num2words(n, to="year")).replace(",", "").replace(" and ", " ")


_SUFFIXES = {"k": "thousand", "m": "million", "b": "billion", "bn": "billion"}


def _money(m: re.Match[str]) -> str:
    symbol = m.group("sym") or _CODES[m.group("code").upper()]
    amount = m.group("amount")
    scale = m.group("scale") or _SUFFIXES.get((m.group("suffix") or "").lower())
    unit, sub = _CURRENCIES[symbol]
    whole, _, cents = amount.replace(",", "").partition(".")
    if scale:
        return f"{number(amount)} {scale} {plural(unit, 'many')}"
    said = f"{number(whole)} {plural(unit, whole)}"
    cents = cents.ljust(2, "0")[:2]
    if cents and int(cents):
        said += f" and {words(int(cents))} {plural(sub, str(int(cents)))}"
    return said


def _time(m: re.Match[str]) -> str:
    hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
    if hour > 24 or minute > 59:
        return m.group(0)
    if minute == 0:
        said = words(hour) + ("" if half else " o'clock")
    elif minute < 10:
        said = f"{words(hour)} oh {words(minute)}"
    else:
        said = f"{words(hour)} {words(minute)}"
    return said + (f" {half[0]} m" if half else "")


def _iso_date(m: re.Match[str]) -> str:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{MONTHS[month - 1]} {num2words(day, to='ordinal')} {_year(year)}"


def _month_date(m: re.Match[str]) -> str:
    day = int(m.group(2))
    said = f"{m.group(1)} {num2words(day, to='ordinal')}"
    return said + (f" {_year(int(m.group(3)))}" if m.group(3) else "")


def _unit(m: re.Match[str]) -> str:
    key = m.group("unit")
    unit = _UNITS.get(key.lower()) or _TIGHT_UNITS[key]
    return f"{number(m.group('amount'))} {plural(unit, m.group('amount'))}"


def _abbreviation(m: re.Match[str]) -> str:
    """The word in full; an abbreviation ending a sentence keeps its full stop as the sentence's."""
    short = m.group("abbr")
    ends = m.group("end") is not None and short not in TITLES and short.endswith(".")
    return ABBREVIATIONS[short] + ("." if ends else "")


def _decade(m: re.Match[str]) -> str:
    """"1980s" as "nineteen eighties", "'90s" as "nineties"."""
    said = _year(int(m.group(1))) if len(m.group(1)) == 4 else words(int(m.group(1)))
    head, _, last = said.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


def _phone(m: re.Match[str]) -> str:
    groups = re.findall(r"\d+", m.group(0))
    return ", ".join(" ".join(_DIGITS[int(d)] for d in g) for g in groups)


def _spell_address(text: str) -> str:
    names = {".": " dot ", "@": " at ", "/": " slash ", "-": " dash ", "_": " underscore ", ":": " colon "}
    said = "".join(names.get(c, c) for c in text)
    return re.sub(r"\s+", " ", said).strip()


def _url(m: re.Match[str]) -> str:
    return _spell_address(re.sub(r"^(https?://)?(www\.)?", "", m.group(0), flags=re.I).rstrip("/"))


def _integer(m: re.Match[str]) -> str:
    text = m.group(0)
    plain = text.replace(",", "")
    year = plain.isdigit() and len(plain) == 4 and (1100 <= int(plain) <= 1999 or 2010 <= int(plain) <= 2099)
    if year and "," not in text and "." not in text:
        return _year(int(plain))
    return number(text)


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_NAMES = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_TIGHT_NAMES = "|".join(_TIGHT_UNITS)
_ABBR = "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))

RULES: tuple[Rule, ...] = (
    Rule("emails", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), lambda m: _spell_address(m.group(0))),
    Rule("urls", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]", re.I), _url),
    Rule("phones", re.compile(r"(?<![\w+])(?:\+?1[\s.-])?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"), _phone),
    Rule("money", re.compile(rf"(?:(?P<sym>[$€£¥])\s?|(?P<code>\b(?:USD|EUR|GBP|JPY))\s)(?P<amount>{_NUM})"
                             rf"(?:\s(?P<scale>{_SCALES})\b|(?P<suffix>bn|[kKmMbB])\b)?"), _money),
    Rule("percentages", re.compile(rf"(?<![\w.])(-?(?:{_NUM}))\s?%"), lambda m: f"{number(m.group(1))} percent"),
    Rule("dates", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), _iso_date),
    Rule("dates", re.compile(rf"\b({'|'.join(MONTHS)})\s(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(\d{{4}}))?\b"),
         _month_date),
    Rule("times", re.compile(r"\b(\d{1,2}):(\d{2})(?:\s?([AaPp])\.?[Mm])?(?![\w:])"), _time),
    Rule("units", re.compile(rf"(?<![\w.])(?P<amount>{_NUM})\s?(?P<unit>{_UNIT_NAMES})(?![\w/])", re.I), _unit),
    Rule("units", re.compile(rf"(?<![\w.])(?P<amount>{_NUM})(?P<unit>{_TIGHT_NAMES})\b"), _unit),
    Rule("abbreviations", re.compile(rf"(?<![\w.])(?P<abbr>{_ABBR})(?!\w)(?P<end>(?=\s+[A-Z]|\s*$))?"),
         _abbreviation),
    Rule("abbreviations", re.compile(r"(?<![\w.])No\.(?=\s?\d)"), lambda m: "number"),
    Rule("numbers", re.compile(r"(?<![\w'])'?(\d{1,3}0)s\b"), _decade),
    Rule("numbers", re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.I),
         lambda m: str(num2words(int(m.group(1)), to="ordinal"))),
    Rule("numbers", re.compile(rf"(?<![\w.])-?(?:{_NUM})(?![\w])"), _integer),
)
