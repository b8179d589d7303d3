"""SSML (W3C Speech Synthesis Markup Language 1.1): the subset Kokoro can honour, read into the
engine's own parts (`tags.Part`).

A document becomes its transcript, the text it speaks (what a service charges for and what word
timings point into; markup is neither), and the parts that say how: pauses, voice and language
changes, a rate per span, words said another way (say-as, phoneme) and named marks. Parsed with
defusedxml (no DTD, no entities, nothing fetched), bounded in depth and in elements. Elements
this module does not know are read for their text, as the specification asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from . import ipa, sayas
from .errors import InvalidSsml, Message
from .pronounce import check_phonemes
from .tags import MAX_PAUSE, MIN_PAUSE, Part, Say

#: A document that starts so (after blanks) is SSML: an XML declaration, a DOCTYPE or <speak>.
_START = re.compile(r"\A\s*(?:<\?xml[\s?]|<!DOCTYPE\s+speak\b|<speak[\s/>])")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: A document may be this many times the longest text a request may speak (its markup included).
MARKUP_GROWTH = 4
MAX_DEPTH = 32
MAX_ELEMENTS = 5_000
#: SSML's break strengths, in seconds (x-strong is a long paragraph break).
STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.2, "medium": 0.4, "strong": 0.7, "x-strong": 1.2}
#: prosody rate's words, as factors on the request's speed.
RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.5}
#: Kokoro has no stress control: emphasis is said by slowing the span a little (or hurrying it).
EMPHASIS = {"strong": 0.85, "moderate": 0.92, "none": 1.0, "reduced": 1.1}
ALPHABETS = ("ipa", "x-kokoro")
#: Elements whose content is not spoken.
_SILENT = frozenset({"meta", "metadata", "lexicon", "desc"})
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)\s*$")
_RATE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Mark:
    """``<mark name>``: where in the transcript it stands."""

    name: str
    offset: int


@dataclass(frozen=True)
class Document:
    text: str
    parts: tuple[Part, ...]
    marks: tuple[Mark, ...]


def is_ssml(text: str) -> bool:
    return _START.match(text) is not None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class _Scope:
    """What an element's content inherits: its language, rate and voice (``""``: the request's)."""

    lang: str | None = None
    rate: float = 1.0
    voice: str = ""


@dataclass
class _Run:
    """Text being gathered under one language and rate, until a pause, a voice or a change ends it."""

    start: int
    scope: _Scope
    says: list[Say] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.parts: list[Part] = []
        self.marks: list[Mark] = []
        self.run: _Run | None = None
        self.elements = 0

    # -- the transcript -------------------------------------------------------------------------

    def add(self, text: str, scope: _Scope) -> tuple[int, int]:
        """Append ``text`` (white space as one space, as XML text is written) in ``scope``."""
        text = re.sub(r"\s+", " ", text)
        if self.length == 0 or self.pieces[-1][-1].isspace():
            text = text.lstrip()
        return self._append(text, scope)

    def _append(self, text: str, scope: _Scope) -> tuple[int, int]:
        if not text:
            return self.length, self.length
        changed = self.run is not None and (self.run.scope.lang, self.run.scope.rate) != (scope.lang, scope.rate)
        if changed and not text.isspace():  # a space between two spans goes with the first: no span of its own
            self.close()
        if self.run is None:
            self.run = _Run(self.length, scope)
        start = self.length
        self.pieces.append(text)
        self.length += len(text)
        return start, self.length

    def newline(self, count: int, scope: _Scope) -> None:
        """End a sentence (one line break) or a paragraph (two), as the chunker reads them."""
        tail = "".join(self.pieces[-3:]).rstrip(" ")
        have = len(tail) - len(tail.rstrip("\n"))
        if self.length and have < count:
            self._append("\n" * (count - have), scope)

    def close(self) -> None:
        if self.run is not None and self.length > self.run.start:
            scope = self.run.scope
            self.parts.append(Part("text", self.run.start, self.length, lang=scope.lang, rate=scope.rate,
                                   says=tuple(self.run.says)))
        self.run = None

    def point(self, kind: str, seconds: float = 0.0, voice: str = "") -> None:
        """A part with no text of its own (a pause, a voice change) where the transcript stands."""
        self.close()
        self.parts.append(Part(kind, self.length, self.length, seconds=seconds, voice=voice))

    def document(self) -> Document:
        """What was read, without the line breaks that ended the last paragraph (nothing follows)."""
        self.close()
        text = "".join(self.pieces).rstrip()
        end = len(text)
        parts = [replace(p, start=min(p.start, end), end=min(p.end, end)) for p in self.parts]
        marks = [replace(m, offset=min(m.offset, end)) for m in self.marks]
        return Document(text, tuple(p for p in parts if p.end > p.start or p.kind != "text"), tuple(marks))

    # -- elements -------------------------------------------------------------------------------

    def content(self, element: Element, scope: _Scope, depth: int) -> None:
        """The element's text and its children's, in order."""
        if element.text:
            self.add(element.text, scope)
        for child in element:
            self.element(child, scope, depth + 1)
            if child.tail:
                self.add(child.tail, scope)

    def element(self, element: Element, scope: _Scope, depth: int) -> None:
        self.elements += 1
        if depth > MAX_DEPTH or self.elements > MAX_ELEMENTS:
            raise InvalidSsml(Message("SSML nests at most {depth} elements deep and holds at most {n} of them",
                                      depth=MAX_DEPTH, n=MAX_ELEMENTS))
        name = _local(element.tag)
        if XML_LANG in element.attrib:
            scope = replace(scope, lang=element.attrib[XML_LANG].strip() or None)
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, element, scope, depth)
        elif name not in _SILENT:
            self.content(element, scope, depth)


def _text_of(element: Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _seconds(element: Element) -> float:
    time = element.get("time")
    if time is not None:
        found = _TIME.match(time)
        if found is None:
            raise InvalidSsml(Message('<break time="{time}">: a time is written like 1.5s or 500ms', time=time))
        return float(found.group(1)) / (1000 if found.group(2) == "ms" else 1)
    strength = element.get("strength", "medium")
    if strength not in STRENGTHS:
        raise InvalidSsml(Message('<break strength="{strength}">: one of {known}', strength=strength,
                                  known=", ".join(STRENGTHS)))
    return STRENGTHS[strength]


def _break(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    seconds = _seconds(element)
    if seconds > MAX_PAUSE:
        raise InvalidSsml(Message("<break>: a pause lasts at most {high} seconds", high=MAX_PAUSE))
    if seconds > 0:
        reader.point("pause", seconds=max(seconds, MIN_PAUSE))


def _rate(value: str) -> float:
    if value in RATES:
        return RATES[value]
    found = _RATE.match(value)
    if found is None:
        raise InvalidSsml(Message('<prosody rate="{rate}">: a word ({known}), a percentage or a number',
                                  rate=value, known=", ".join(RATES)))
    number, percent = float(found.group(1)), found.group(2)
    if value.strip().startswith(("+", "-")):  # relative: "+20%" is 1.2 times
        return 1 + number / 100 if percent else 1 + number
    return number / 100 if percent else number


def _prosody(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    """rate is honoured; pitch and volume are accepted and not applied (the model has neither)."""
    rate = element.get("rate")
    if rate is not None:
        factor = _rate(rate.strip())
        if factor <= 0:
            raise InvalidSsml(Message('<prosody rate="{rate}">: a rate is above zero', rate=rate))
        scope = replace(scope, rate=scope.rate * factor)
    reader.content(element, scope, depth)


def _emphasis(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    level = element.get("level", "moderate")
    reader.content(element, replace(scope, rate=scope.rate * EMPHASIS.get(level, 1.0)), depth)


def _voice(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    """``name`` (a voice id or a blend) from here to the element's end; other attributes are ignored."""
    name = (element.get("name") or "").strip()
    if not name:
        reader.content(element, scope, depth)
        return
    reader.point("voice", voice=name)
    reader.content(element, replace(scope, voice=name), depth)
    reader.point("voice", voice=scope.voice)


def _say(reader: _Reader, element: Element, scope: _Scope, how: str, detail: str) -> None:
    """The element's text into the transcript, said as ``how``."""
    text = _text_of(element)
    if not text:
        return
    if reader.length and reader.pieces[-1][-1].isalnum():
        reader.add(" ", scope)  # a word of its own, not glued to the one before ("the<say-as>…")
    start, end = reader.add(text, scope)
    assert reader.run is not None
    reader.run.says.append(Say(start, end, how, detail))
    if element.tail and element.tail[:1].isalnum():
        reader.add(" ", scope)


def _say_as(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    how = (element.get("interpret-as") or "").strip().lower()
    if how not in sayas.INTERPRETATIONS:
        reader.content(element, scope, depth)  # an interpretation not known here: as written
        return
    _say(reader, element, scope, how, element.get("format") or "")


def _phoneme(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    alphabet = (element.get("alphabet") or "ipa").strip().lower()
    given = element.get("ph")
    if given is None:
        raise InvalidSsml(Message("<phoneme> needs a ph attribute"))
    where = f'<phoneme ph="{given}">'
    if alphabet == "ipa":
        phonemes = ipa.to_kokoro(given, where, lang=scope.lang)  # r: English ɹ, a trill elsewhere
    elif alphabet in ("x-kokoro", "kokoro"):
        phonemes = check_phonemes(given, where)
    else:
        raise InvalidSsml(Message('<phoneme alphabet="{alphabet}">: one of {known}', alphabet=alphabet,
                                  known=", ".join(ALPHABETS)))
    _say(reader, element, scope, "phonemes", phonemes)


def _sub(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    """The alias is what is spoken (and counted); the element's own text is not."""
    alias = element.get("alias")
    if alias is None:
        raise InvalidSsml(Message("<sub> needs an alias attribute"))
    reader.add(alias, scope)


def _mark(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    name = element.get("name")
    if name is None:
        raise InvalidSsml(Message("<mark> needs a name attribute"))
    reader.marks.append(Mark(name, reader.length))


def _sentence(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    count = 2 if _local(element.tag) == "p" else 1
    reader.newline(count, scope)
    reader.content(element, scope, depth)
    reader.newline(count, scope)


def _audio(reader: _Reader, element: Element, scope: _Scope, depth: int) -> None:
    raise InvalidSsml(Message("<audio> is not supported: this server fetches no URL"))


_Handler = Callable[[_Reader, Element, _Scope, int], None]
_HANDLERS: dict[str, _Handler] = {
    "break": _break, "prosody": _prosody, "emphasis": _emphasis, "voice": _voice, "say-as": _say_as,
    "phoneme": _phoneme, "sub": _sub, "mark": _mark, "p": _sentence, "s": _sentence, "audio": _audio,
}


def _root(document: str) -> Element:
    try:
        root = SafeXml.fromstring(document, forbid_dtd=True)
    except ParseError as exc:
        line, column = exc.position
        raise InvalidSsml(Message("the SSML is not well-formed XML (line {line}, column {column})",
                                  line=line, column=column + 1), {"line": line, "column": column + 1}) from None
    except DefusedXmlException:
        raise InvalidSsml(Message("SSML may not hold a DTD or entity declarations")) from None
    if _local(root.tag) != "speak":
        raise InvalidSsml(Message("an SSML document's root element is <speak>"))
    return root


def window(document: Document, start: int, end: int) -> tuple[Part, ...]:
    """The parts of ``document.text[start:end]`` (a long-form job's part), offsets from ``start``:
    the voice in effect at ``start`` first, then the parts within (a pause or voice change at
    ``start`` included, one at ``end`` left to the next window unless nothing follows)."""
    last = end == len(document.text)
    voice, inside = "", []
    for part in document.parts:
        if part.kind == "text":
            if part.start < end and part.end > start:
                says = tuple(replace(s, start=s.start - start, end=s.end - start)
                             for s in part.says if s.start >= start and s.end <= end)
                inside.append(replace(part, start=max(part.start, start) - start, end=min(part.end, end) - start,
                                      says=says))
        elif part.start < start:
            voice = part.voice if part.kind == "voice" else voice
        elif part.start < end or (last and part.start == end):
            inside.append(replace(part, start=part.start - start, end=part.end - start))
    return ((Part("voice", 0, 0, voice=voice),) if voice else ()) + tuple(inside)


def parse(document: str) -> Document:
    """The transcript and parts of an SSML document; InvalidSsml when it is malformed or hostile."""
    reader = _Reader()
    reader.element(_root(document), _Scope(), 0)
    return reader.document()
