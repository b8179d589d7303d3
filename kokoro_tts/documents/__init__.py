"""Documents read as chapters of plain text: the uploads of long-form jobs.

`.txt`, `.md`, `.html` and `.epub` (split into its chapters) become a `Document`: a title and
`Chapter`s of text fit to be spoken (no markup, paragraphs kept as blank lines). No Flask here;
what cannot be read is a `DocumentError` with a stable code, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from ..engine.errors import Message
from .model import Budget, Chapter, Document, DocumentError, Limits

__all__ = ["KINDS", "Chapter", "Document", "DocumentError", "Limits", "read"]


def _text(data: bytes, name: str, budget: Budget) -> Document:
    from .plain import read_text

    return read_text(data, name, budget)


def _markdown(data: bytes, name: str, budget: Budget) -> Document:
    from .html_text import read_markdown

    return read_markdown(data, name, budget)


def _html(data: bytes, name: str, budget: Budget) -> Document:
    from .html_text import read_html

    return read_html(data, name, budget)


def _epub(data: bytes, name: str, budget: Budget) -> Document:
    from .epub import read_epub

    return read_epub(data, name, budget)


#: What an upload's extension says it is, and how to read it.
KINDS: dict[str, Callable[[bytes, str, Budget], Document]] = {
    ".txt": _text,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".xhtml": _html,
    ".epub": _epub,
}


def read(filename: str, data: bytes, limits: Limits | None = None) -> Document:
    """The document in `data`, by its file name's extension, read within `limits`."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    reader = KINDS.get(suffix)
    if reader is None:
        raise DocumentError(
            "unsupported_file", Message("{name}: upload a .txt, .md, .html or .epub file", name=filename)
        )
    document = reader(data, PurePosixPath(filename).stem, Budget(limits or Limits(), filename))
    if not document.chapters:
        raise DocumentError("empty_text", Message("{name} holds no text to speak", name=filename))
    return document
