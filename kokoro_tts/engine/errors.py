"""Errors the engine raises for input it cannot speak, or when its model is missing.

Every one is a ``ValueError`` carrying a stable machine-readable ``code`` and no HTTP status: the
engine is a library, and the web layer maps codes to statuses in its own table.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """A message in English that keeps the template and the values it was made from, so that
    whoever shows it (the web layer) can say it in another language:
    ``Message("text is {n} characters", n=12)`` is the string "text is 12 characters". Templates
    name their values plainly (`{n}`, `{voice!r}`): numbers are written for each language."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        made = super().__new__(cls, template.format(**{name: _plain(v) for name, v in values.items()}))
        made.template, made.values = template, values
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # it crosses processes (documents read apart)
        return _message, (self.template, self.values)


def _plain(value: Any) -> Any:
    """A number as English writes it in running text (10, not 10.0; 500,000); anything else as is."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return value


def _message(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)


class EngineError(ValueError):
    """Base class: the request cannot be spoken as given."""

    code = "engine_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class EmptyText(EngineError):
    code = "empty_text"


class NothingToSay(EngineError):
    """The text has nothing the model can speak (only symbols or emoji, say)."""

    code = "nothing_to_say"


class TextTooLong(EngineError):
    code = "text_too_long"


class UnknownFormat(EngineError):
    code = "unknown_format"


class InvalidSpeed(EngineError):
    code = "invalid_speed"


class UnsupportedLanguage(EngineError):
    code = "unsupported_language"


class UnknownVoice(EngineError):
    code = "unknown_voice"


class VoiceUnavailable(EngineError):
    code = "voice_unavailable"


class BadVoicePack(EngineError):
    code = "bad_voice_pack"


class ModelUnavailable(EngineError):
    """The model files are missing or corrupt: a server problem, not the caller's."""

    code = "model_unavailable"


class InvalidMarkup(EngineError):
    """A ``[pause:…]`` or ``[voice:…]`` tag, or inline pronunciation, that cannot be honoured."""

    code = "invalid_markup"


class InvalidSsml(EngineError):
    """An SSML document that is not well-formed, is hostile (entities, depth) or asks for what the
    engine does not do (``<audio>``); ``details`` hold the line and column of a syntax error."""

    code = "invalid_ssml"


class Interrupted(EngineError):
    """The caller stopped a synthesis before its end (its client went away)."""

    code = "interrupted"


class InvalidPhonemes(EngineError):
    """Phonemes (inline or in a pronunciation rule) outside the model's vocabulary."""

    code = "invalid_phonemes"
