"""The page's languages: English and French, from a `lang` cookie or the browser's Accept-Language."""

from __future__ import annotations

import json
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


def chosen_locale() -> str:
    """The switch on the page (a cookie) wins; then what the browser asks for."""
    wanted = request.args.get("lang") or request.cookies.get("lang")
    if wanted in LOCALES:
        return wanted
    return request.accept_languages.best_match(LOCALES, default=DEFAULT) or DEFAULT
