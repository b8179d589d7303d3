"""Language codes the engine speaks, and how a voice id names its language."""

from __future__ import annotations

from .errors import Message, UnsupportedLanguage

#: Canonical language code -> the letter Kokoro voice ids start with.
LANGUAGES: dict[str, str] = {
    "en-us": "a",
    "en-gb": "b",
    "es": "e",
    "fr": "f",
    "hi": "h",
    "it": "i",
    "ja": "j",
    "pt-br": "p",
    "zh": "z",
}
_BY_LETTER = {letter: code for code, letter in LANGUAGES.items()}
_ALIASES = {
    "en": "en-us",
    "american": "en-us",
    "british": "en-gb",
    "fr-fr": "fr",
    "pt": "pt-br",
    "es-es": "es",
    "it-it": "it",
    "hi-in": "hi",
    "ja-jp": "ja",
    "jp": "ja",
    "zh-cn": "zh",
    "cmn": "zh",
}
#: espeak-ng voice names for the languages it phonemizes.
ESPEAK_NAMES = {
    "en-us": "en-us",
    "en-gb": "en-gb",
    "es": "es",
    "fr": "fr-fr",
    "hi": "hi",
    "it": "it",
    "pt-br": "pt-br",
}


def normalize_language(lang: str) -> str:
    """Map ``en``, ``EN_us``, ``fr-FR``, ``a`` … to a canonical code, or raise UnsupportedLanguage."""
    key = str(lang).strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in LANGUAGES:
        return key
    if key in _BY_LETTER:
        return _BY_LETTER[key]
    raise UnsupportedLanguage(Message("unsupported language {lang!r}; supported: {languages}",
                                      lang=lang, languages=", ".join(LANGUAGES)))


def language_of_voice(voice_id: str) -> str | None:
    """The language a Kokoro voice id implies by its first letter (``af_heart`` -> en-us)."""
    return _BY_LETTER.get(voice_id[:1].lower()) if voice_id else None
