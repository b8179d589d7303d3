"""Plain text: one chapter, titled by the file name."""

from __future__ import annotations

from .model import Document, chapters, decode


def read_text(data: bytes, name: str) -> Document:
    return Document(name, chapters([(name, decode(data, name))]))
