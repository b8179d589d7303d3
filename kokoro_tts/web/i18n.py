"""The page's languages: English and French, from a `lang` cookie or the browser's Accept-Language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from flask import request

LOCALES = ("en", "fr")
DEFAULT = "en"


@cache
def strings(locale: str) -> dict[str, str]:
    """The page's strings in `locale` (an unknown key falls back to English)."""
    english = json.loads((files(__package__) / "locales" / "en.json").read_text("utf-8"))
    if locale == DEFAULT:
        return english
    return english | json.loads((files(__package__) / "locales" / f"{locale}.json").read_text("utf-8"))


class MissingString(Exception):
    """A key the page's strings lack. Not a LookupError or AttributeError: Jinja would swallow
    those and render nothing, where this fails the page (and every test that opens it)."""


class Catalogue:
    """The page's strings as its template reads them: `strings.copy` and `strings["copy"]` are
    both the string under "copy". Not a dict, so no method (`copy`, `items`, `keys`...) answers
    instead of a string; a key the strings lack raises MissingString instead of rendering empty."""

    __slots__ = ("_strings",)

    def __init__(self, strings: Mapping[str, str]) -> None:
        self._strings = strings

    def __getitem__(self, key: str) -> str:
        try:
            return self._strings[key]
        except KeyError:
            raise MissingString(f"the page has no string {key!r}") from None

    def __getattr__(self, key: str) -> str:
        # Python asks here for every name the object lacks, which is all but `_strings` and its
        # own dunders; those asked for (Jinja and markupsafe look for __html__) stay missing.
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]


def chosen_locale() -> str:
    """The switch on the page (a cookie) wins; then what the browser asks for."""
    wanted = request.args.get("lang") or request.cookies.get("lang")
    if wanted in LOCALES:
        return wanted
    return request.accept_languages.best_match(LOCALES, default=DEFAULT) or DEFAULT
