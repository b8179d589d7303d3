"""A request's text as a script: spoken segments, each with its voice and language, and pauses.

Built once, when the request is checked, so that a bad tag, an unknown voice or phonemes the
model does not know fail before anything is charged. Segments tile the original text (tags
included), so characters spoken can still be counted against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import pronounce, sayas, tags
from .errors import InvalidMarkup, Message, TextTooLong
from .g2p import require_language
from .normalize import Options, normalize
from .spoken import Edit, Spoken
from .voice_packs import Voice

FALLBACK_LANGUAGE = "en-us"
#: The silence of all a text's pause tags together, at most (a request is not a way to buy hours
#: of silence held in memory).
MAX_PAUSES_SECONDS = 120.0
#: What a text says, rules and normalisation applied, may be this many times the text, at most.
MAX_GROWTH = 4


@dataclass(frozen=True)
class Segment:
    """``kind`` is ``speech`` (``spoken`` by ``voice`` in ``lang``, ``rate`` times the request's
    speed), ``pause`` (``seconds`` of silence) or ``voice`` (a tag: nothing to hear);
    ``start``/``end`` span the original text."""

    kind: str
    start: int
    end: int
    voice: Voice
    lang: str
    spoken: Spoken | None = None
    seconds: float = 0.0
    rate: float = 1.0


@dataclass(frozen=True)
class Settings:
    """What the caller chose for the whole text; the tags change voice (and language) from there."""

    voice: Voice
    lang: str | None
    rules: Sequence[pronounce.PronunciationRule] = ()
    normalize: Options = Options()


def _language(settings: Settings, voice: Voice) -> str:
    return require_language(settings.lang or voice.language or FALLBACK_LANGUAGE)


def _check_size(text: str, segments: Sequence[Segment]) -> None:
    pauses = sum(s.seconds for s in segments)
    if pauses > MAX_PAUSES_SECONDS:
        raise InvalidMarkup(Message("the pause tags add up to {seconds} seconds; at most {limit}",
                                    seconds=pauses, limit=MAX_PAUSES_SECONDS))
    said = sum(len(s.spoken.text) for s in segments if s.spoken is not None)
    if said > MAX_GROWTH * max(len(text), 100):
        raise TextTooLong(Message("with your pronunciation rules the text says {n} characters; at most {growth} "
                                  "times its own length", n=said, growth=MAX_GROWTH))


def _said_otherwise(spoken: Spoken, part: tags.Part, lang: str) -> None:
    """SSML's say-as and phoneme spans (offsets in the whole text) rewritten in ``spoken``."""
    edits: list[Edit] = []
    for say in part.says:
        lo, hi = say.start - part.start, say.end - part.start
        if say.how == "phonemes":
            edits.append(Edit(lo, hi, spoken.mark(say.detail)))
        else:
            edits += [Edit(lo + e.start, lo + e.end, e.text)
                      for e in sayas.edits(spoken.text[lo:hi], say.how, say.detail, lang)]
    spoken.apply(edits)


def _speech(text: str, part: tags.Part, settings: Settings, voice: Voice, lang: str) -> Segment:
    lang = require_language(part.lang) if part.lang else lang
    spoken = Spoken.of(text, part.start, part.end)
    if part.says:
        _said_otherwise(spoken, part, lang)
    pronounce.apply(spoken, settings.rules)
    normalize(spoken, lang, settings.normalize)
    return Segment("speech", part.start, part.end, voice, lang, spoken, rate=part.rate)


def build(
    text: str, settings: Settings, resolve: Callable[[str], Voice], parts: Sequence[tags.Part] | None = None
) -> list[Segment]:
    """The segments of ``text``, its parts read from its tags unless given (SSML's, say); raises
    InvalidMarkup, InvalidPhonemes, TextTooLong or a voice error."""
    voice = settings.voice
    lang = _language(settings, voice)
    segments: list[Segment] = []
    voices: dict[str, Voice] = {}  # a blend is built once per request, however often it is named
    for part in tags.parse(text) if parts is None else parts:
        if part.kind == "voice":
            voice = settings.voice if not part.voice else (
                voices.get(part.voice) or voices.setdefault(part.voice, resolve(part.voice)))
            lang = _language(settings, voice)
            segments.append(Segment("voice", part.start, part.end, voice, lang))
        elif part.kind == "pause":
            segments.append(Segment("pause", part.start, part.end, voice, lang, seconds=part.seconds))
        else:
            segments.append(_speech(text, part, settings, voice, lang))
    _check_size(text, segments)
    return segments
