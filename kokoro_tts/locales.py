"""The languages people read here, English and French, and which one a request is answered in:
the page's switch as it is used (`?lang=`), else the account's own (`preferences["language"]`),
else the page's remembered switch (the `lang` cookie), else the browser's (Accept-Language),
else English. Error codes and every other field stay the same in any language."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

LOCALES = ("en", "fr")
DEFAULT = "en"
#: What each language is called, in itself (the page's switch).
NAMES = {"en": "English", "fr": "Français"}


def preferred(user: Any) -> str | None:
    """An account's own language, when it chose one of ours."""
    preferences = getattr(user, "preferences", None)
    language = preferences.get("language") if isinstance(preferences, dict) else None
    return language if language in LOCALES else None


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module's docstring)."""
    if not has_request_context():
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    account = g.get("account_language")  # remembered when the caller was read (see security)
    if account:
        return account
    remembered = request.cookies.get("lang")
    if remembered in LOCALES:
        return remembered
    return request.accept_languages.best_match(LOCALES, default=DEFAULT) or DEFAULT
