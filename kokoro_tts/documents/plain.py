"""Plain text: one chapter, titled by the file name."""

from __future__ import annotations

from .model import Budget, Document, chapters, decode


def read_text(data: bytes, name: str, budget: Budget) -> Document:
    text = decode(data, name)
    budget.text(text)
    return Document(name, chapters([(name, text)]))
