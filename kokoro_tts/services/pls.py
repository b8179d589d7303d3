"""PLS 1.0 lexicons (W3C Pronunciation Lexicon Specification) read into rules and written from them.

Read with defusedxml and no DTD at all (no entity expansion, no external file), within MAX_BYTES: a
lexicon is a file anyone may upload. Each grapheme of a lexeme is one rule, said as the lexeme's
preferred pronunciation (its first `prefer="true"` phoneme or alias, else its first: PLS's own
rule). Phonemes in `ipa` are mapped to Kokoro's set (engine/ipa.py); `x-kokoro` phonemes are that
set already, which is what the export writes, so that an exported lexicon comes back as it was.
A document that cannot be read is refused whole (`invalid_pls`); a lexeme that cannot be a rule is
reported with its position, and the caller refuses the lot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as Writer  # writing only: parsing goes through defusedxml

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ..engine import EngineError
from ..engine.errors import Message
from ..engine.ipa import to_kokoro
from ..engine.pronounce import check_phonemes
from .errors import ServiceError

NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Phonemes in Kokoro's own set, as stored: not a PLS alphabet, a private one as PLS allows ("x-").
KOKORO = "x-kokoro"
ALPHABETS = ("ipa", KOKORO)
MAX_BYTES = 1024 * 1024
CONTENT_TYPE = "application/pls+xml"


@dataclass(frozen=True)
class Lexeme:
    """One lexeme: its graphemes and how they are said, or why it cannot be a rule (`problem`)."""

    position: int  # 1 for the first lexeme of the document
    graphemes: tuple[str, ...]
    alias: str | None = None
    phonemes: str | None = None
    problem: tuple[str, str] | None = None  # (code, message)


def _invalid(message: str, details: dict[str, Any] | None = None) -> ServiceError:
    return ServiceError("invalid_pls", message, details)


def _root(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise ServiceError("payload_too_large", Message("A PLS document is at most {n} bytes.", n=MAX_BYTES))
    try:
        return ElementTree.fromstring(data, forbid_dtd=True)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise _invalid(Message("The PLS document is not well-formed XML (line {line}, column {column}).",
                               line=line, column=column + 1), {"line": line, "column": column + 1}) from None
    except DefusedXmlException:
        raise _invalid(Message("A PLS document may not declare a DTD or entities.")) from None


def _namespace(root: Any) -> str:
    """The lexicon's namespace as ElementTree writes it in tags (PLS's, or none)."""
    for namespace in (f"{{{NAMESPACE}}}", ""):
        if root.tag == f"{namespace}lexicon":
            return namespace
    raise _invalid(Message("This is not a PLS lexicon: its root element is not <lexicon>."))


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _preferred(lexeme: Any, ns: str) -> Any:
    said = [el for el in lexeme if el.tag in (f"{ns}phoneme", f"{ns}alias")]
    return next((el for el in said if el.get("prefer") == "true"), said[0] if said else None)


def _phonemes(element: Any, alphabet: str, lang: str | None, where: str) -> str:
    """Kokoro's phonemes for a <phoneme>, or EngineError saying what is wrong with them."""
    if alphabet.lower() == "ipa":
        return to_kokoro(_text(element), where, lang=lang)
    if alphabet.lower() == KOKORO:
        return check_phonemes(_text(element), where)
    raise EngineError(Message("{where}: the alphabet {alphabet!r} is not supported (use ipa or x-kokoro)",
                              where=where, alphabet=alphabet))


def _lexeme(element: Any, position: int, ns: str, root: Any) -> Lexeme:
    graphemes = tuple(_text(g) for g in element.findall(f"{ns}grapheme"))
    where = Message("lexeme {n}", n=position)
    said = _preferred(element, ns)
    if not graphemes:
        return Lexeme(position, graphemes, problem=("invalid_rule", Message("{where}: no grapheme", where=where)))
    if said is None:
        return Lexeme(position, graphemes, problem=("invalid_rule", Message("{where}: no phoneme nor alias",
                                                                            where=where)))
    if said.tag == f"{ns}alias":
        return Lexeme(position, graphemes, alias=_text(said))
    alphabet = said.get("alphabet") or root.get("alphabet") or ""
    try:
        return Lexeme(position, graphemes, phonemes=_phonemes(said, alphabet, root.get(XML_LANG), where))
    except EngineError as exc:
        return Lexeme(position, graphemes, problem=("invalid_phonemes", exc.message))


def read(data: bytes, max_rules: int) -> list[Lexeme]:
    """The lexemes of a PLS document, in order; `invalid_pls` if it is not one, or if its graphemes
    (rules) are more than `max_rules`, which no account can hold."""
    root = _root(data)
    ns = _namespace(root)
    elements = root.findall(f"{ns}lexeme")
    graphemes = sum(len(el.findall(f"{ns}grapheme")) for el in elements)
    if max(graphemes, len(elements)) > max_rules:
        raise _invalid(Message("A lexicon holds at most {n} rules here (one per grapheme).", n=max_rules))
    return [_lexeme(el, position, ns, root) for position, el in enumerate(elements, start=1)]


@dataclass(frozen=True)
class Said:
    """What the export needs of a rule."""

    text: str
    alias: str | None
    phonemes: str | None
    case_sensitive: bool


def write(rules: list[Said]) -> bytes:
    """A PLS 1.0 document of `rules`, phonemes in Kokoro's set (`x-kokoro`). PLS has no case flag:
    a case-insensitive rule is marked by a comment, and comes back case-sensitive if imported."""
    root = Writer.Element("lexicon", {"version": "1.0", "xmlns": NAMESPACE, "alphabet": KOKORO, XML_LANG: "und"})
    root.append(Writer.Comment(" Kokoro TTS pronunciation rules. Phonemes are in Kokoro's own set (x-kokoro). "))
    for rule in rules:
        lexeme = Writer.SubElement(root, "lexeme")
        if not rule.case_sensitive:
            lexeme.append(Writer.Comment(" case-insensitive (PLS has no such flag: imported, it is case-sensitive) "))
        Writer.SubElement(lexeme, "grapheme").text = rule.text
        if rule.alias is not None:
            Writer.SubElement(lexeme, "alias").text = rule.alias
        else:
            Writer.SubElement(lexeme, "phoneme").text = rule.phonemes or ""
    Writer.indent(root)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{Writer.tostring(root, encoding="unicode")}\n'.encode()
