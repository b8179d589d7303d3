"""OpenAI's voice names as Kokoro voices."""

from __future__ import annotations

from collections.abc import Collection

#: OpenAI voice -> the Kokoro v1.0 voice closest in character.
OPENAI_VOICES: dict[str, str] = {
    "alloy": "af_alloy",
    "ash": "am_adam",
    "ballad": "bm_george",
    "coral": "af_bella",
    "echo": "am_echo",
    "fable": "bm_fable",
    "onyx": "am_onyx",
    "nova": "af_nova",
    "sage": "af_sarah",
    "shimmer": "af_nicole",
    "verse": "am_michael",
}
#: OpenAI's voices are English ones.
OPENAI_LANGUAGE = "en-us"


def resolve(available: Collection[str], name: str) -> tuple[str | None, str | None]:
    """(voice spec, language) for an OpenAI or Kokoro voice name.

    An OpenAI name maps to its Kokoro voice when a loaded pack has it, else to the
    server's default voice, spoken as English; anything else is a Kokoro voice id or
    blend, left to the engine to check.
    """
    key = name.strip().lower()
    if key not in OPENAI_VOICES:
        return name, None
    mapped = OPENAI_VOICES[key]
    return (mapped if mapped in available else None), OPENAI_LANGUAGE
