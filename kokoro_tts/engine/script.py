"""A request's text as a script: spoken segments, each with its voice and language, and pauses.

Built once, when the request is checked, so that a bad tag, an unknown voice or phonemes the
model does not know fail before anything is charged. Segments tile the original text (tags
included), so characters spoken can still be counted against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import markup, pronounce
from .g2p import require_language
from .normalize import Options, normalize
from .spoken import Spoken
from .voices import Voice

FALLBACK_LANGUAGE = "en-us"


@dataclass(frozen=True)
class Segment:
    """``kind`` is ``speech`` (``spoken`` by ``voice`` in ``lang``), ``pause`` (``seconds`` of
    silence) or ``voice`` (a tag: nothing to hear); ``start``/``end`` span the original text."""

    kind: str
    start: int
    end: int
    voice: Voice
    lang: str
    spoken: Spoken | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Settings:
    """What the caller chose for the whole text; the tags change voice (and language) from there."""

    voice: Voice
    lang: str | None
    rules: Sequence[pronounce.PronunciationRule] = ()
    normalize: Options = Options()


def _language(settings: Settings, voice: Voice) -> str:
    return require_language(settings.lang or voice.language or FALLBACK_LANGUAGE)


def build(text: str, settings: Settings, resolve: Callable[[str], Voice]) -> list[Segment]:
    """The segments of ``text``; raises InvalidMarkup, InvalidPhonemes or a voice error."""
    voice = settings.voice
    lang = _language(settings, voice)
    segments: list[Segment] = []
    for part in markup.parse(text):
        if part.kind == "voice":
            voice = resolve(part.voice)
            lang = _language(settings, voice)
            segments.append(Segment("voice", part.start, part.end, voice, lang))
        elif part.kind == "pause":
            segments.append(Segment("pause", part.start, part.end, voice, lang, seconds=part.seconds))
        else:
            spoken = Spoken.of(text, part.start, part.end)
            pronounce.apply(spoken, settings.rules)
            normalize(spoken, lang, settings.normalize)
            segments.append(Segment("speech", part.start, part.end, voice, lang, spoken))
    return segments
