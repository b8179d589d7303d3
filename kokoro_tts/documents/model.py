"""What a document reads to, and the error when it cannot be read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..engine.errors import Message
from ..engine.spoken import CONTROL

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


class DocumentError(ValueError):
    """An upload that is not a readable document of a supported kind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message  # a Message keeps its template (said in the reader's language)

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, str]]:
        return DocumentError, (self.code, self.message)  # it crosses from the process that read the file


@dataclass(frozen=True)
class Limits:
    """How much of a document is read before it is refused: these bound the time and memory of
    reading whatever a file holds (nested a million deep, a million headings, a zip bomb)."""

    #: characters of text (spaces between tags not counted)
    max_chars: int = 2_000_000
    #: start tags, and headings that start a chapter
    max_tags: int = 500_000
    max_chapters: int = 2_000
    #: bytes an archive (EPUB) may say it unpacks to, and bytes really inflated from it (its text)
    max_archive: int = 200 * 1024 * 1024
    max_unpacked: int = 16 * 1024 * 1024
    max_entries: int = 10_000
    #: bytes of a cover image (an EPUB's); a larger one is left out, the book still read
    max_cover: int = 2 * 1024 * 1024


class Budget:
    """What reading one document has taken so far; past a limit it is refused at once."""

    def __init__(self, limits: Limits, name: str) -> None:
        self.limits, self.name = limits, name
        self.tags = self.chapters = self.chars = self.unpacked = 0

    def tag(self) -> None:
        self.tags += 1
        if self.tags > self.limits.max_tags:
            raise DocumentError("file_too_large", Message("{name} has more than {limit} tags",
                                                          name=self.name, limit=self.limits.max_tags))

    def chapter(self) -> None:
        self.chapters += 1
        if self.chapters > self.limits.max_chapters:
            raise DocumentError(
                "file_too_large", Message("{name} has more than {limit} headings",
                                          name=self.name, limit=self.limits.max_chapters)
            )

    def text(self, data: str) -> None:
        if not data.isspace():
            self.chars += len(data)
        if self.chars > self.limits.max_chars:
            self._too_long()

    def source(self, characters: int) -> None:
        """A source (Markdown) much longer than the text a job may hold is not read at all."""
        if characters > 4 * self.limits.max_chars:
            self._too_long()

    def unpack(self, size: int) -> None:
        self.unpacked += size
        if self.unpacked > self.limits.max_unpacked:
            raise DocumentError(
                "file_too_large", Message("{name} unpacks to more than {limit} bytes of text", name=self.name,
                                          limit=self.limits.max_unpacked)
            )

    def _too_long(self) -> None:
        raise DocumentError(
            "text_too_long", Message("{name} holds more than {limit} characters of text", name=self.name,
                                     limit=self.limits.max_chars)
        )


@dataclass(frozen=True)
class Chapter:
    title: str
    text: str


@dataclass(frozen=True)
class Document:
    """A document's chapters, and what it says of itself (an EPUB's metadata), for the tags of
    the audio made of it: its title, its author, its cover (PNG or JPEG bytes)."""

    title: str
    chapters: list[Chapter] = field(default_factory=list)
    author: str = ""
    cover: bytes | None = None


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
        raise DocumentError("unreadable_file", Message("{name} is not UTF-8 text", name=name)) from None


def chapters(parts: list[tuple[str, str]]) -> list[Chapter]:
    """Chapters with text (cleaned); empty ones are dropped."""
    result = []
    for title, text in parts:
        body = clean(text)
        if body:
            result.append(Chapter(clean(title).replace("\n", " ")[:200], body))
    return result
