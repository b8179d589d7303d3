"""The page's words: the keys its template and scripts read, with their English in
`locales/en.json` (a plural as `[one, other]`), said in the request's language from the gettext
catalogue (`kokoro_tts/translations`; `extract_page_strings` feeds them to `pybabel extract`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import IO, Any

from flask_babel import force_locale, gettext, ngettext

Said = str | dict[str, str]


@cache
def english() -> dict[str, str | list[str]]:
    return json.loads((files(__package__) / "locales" / "en.json").read_text("utf-8"))


def _say(text: str | list[str]) -> Said:
    if isinstance(text, list):
        one, other = text
        return {"one": ngettext(one, other, 1), "other": ngettext(one, other, 2)}
    return gettext(text)


@cache
def strings(locale: str) -> dict[str, Said]:
    """Every page string in `locale`; a plural one as {"one": ..., "other": ...}."""
    with force_locale(locale):
        return {key: _say(text) for key, text in english().items()}


def extract_page_strings(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str | tuple[str, str], list[str]]]:
    """Babel's extraction method for locales/en.json (babel.cfg): each string, its key as comment."""
    for number, (key, text) in enumerate(json.loads(fileobj.read().decode("utf-8")).items(), start=1):
        if isinstance(text, list):
            yield number, "ngettext", (text[0], text[1]), [key]
        else:
            yield number, None, text, [key]


class MissingString(Exception):
    """A key the page's strings lack. Not a LookupError or AttributeError: Jinja would swallow
    those and render nothing, where this fails the page (and every test that opens it)."""


class Catalogue:
    """The page's strings as its template reads them: `strings.copy` and `strings["copy"]` are
    both the string under "copy". Not a dict, so no method (`copy`, `items`, `keys`...) answers
    instead of a string; a key the strings lack raises MissingString instead of rendering empty."""

    __slots__ = ("_strings",)

    def __init__(self, strings: Mapping[str, Said]) -> None:
        self._strings = strings

    def __getitem__(self, key: str) -> Said:
        try:
            return self._strings[key]
        except KeyError:
            raise MissingString(f"the page has no string {key!r}") from None

    def __getattr__(self, key: str) -> Said:
        # Python asks here for every name the object lacks, which is all but `_strings` and its
        # own dunders; those asked for (Jinja and markupsafe look for __html__) stay missing.
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]
