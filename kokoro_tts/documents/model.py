"""What a document reads to, and the error when it cannot be read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..engine.spoken import CONTROL

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


class DocumentError(ValueError):
    """An upload that is not a readable document of a supported kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Chapter:
    title: str
    text: str


@dataclass(frozen=True)
class Document:
    title: str
    chapters: list[Chapter] = field(default_factory=list)


def clean(text: str) -> str:
    """Spoken text: no control characters, single spaces, at most one blank line in a row."""
    # Control characters are never spoken and would end up in the database; removed here also so
    # that our own separators cannot come from a document.
    text = CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM allowed); anything else is refused rather than guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("unreadable_file", f"{name} is not UTF-8 text") from None


def chapters(parts: list[tuple[str, str]]) -> list[Chapter]:
    """Chapters with text (cleaned); empty ones are dropped."""
    result = []
    for title, text in parts:
        body = clean(text)
        if body:
            result.append(Chapter(clean(title).replace("\n", " ")[:200], body))
    return result
