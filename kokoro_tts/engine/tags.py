"""The markup a request's text may hold: pauses, voice changes and inline pronunciation.

- ``[pause:1.5s]`` (or ``1.5``, ``500ms``; 0.1 to 10 seconds): that much silence, exactly.
- ``[voice:jm_kumo]`` (an id or a blend): the speaker from there on.
- ``[Kokoro](/kˈOkəɹO/)``: the word in brackets is spoken as the phonemes between slashes (the
  syntax of Kokoro's own pipeline).

A tag is never spoken. Anything else in square brackets is ordinary text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidMarkup, Message

MIN_PAUSE, MAX_PAUSE = 0.1, 10.0
TAG = re.compile(r"\[\s*(pause|voice)\s*:\s*([^\]\[]*)\]", re.IGNORECASE)
_SECONDS = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|sec|seconds?)?$", re.IGNORECASE)
#: ``[word](/phonemes/)``
INLINE = re.compile(r"\[([^\[\]\n]+)\]\(/([^/\n]+)/\)")


@dataclass(frozen=True)
class Say:
    """``[start, end)`` of the text said another way: ``how`` is ``phonemes`` (``detail`` holds
    them, in the model's set) or an SSML say-as interpretation (``detail``: its format)."""

    start: int
    end: int
    how: str
    detail: str = ""


@dataclass(frozen=True)
class Part:
    """A span of the text: ``text`` to speak, a ``pause`` of ``seconds``, or a ``voice`` change
    (``""``: back to the request's voice).

    SSML (`ssml`) also gives a text span its language, a rate (a factor on the request's speed)
    and words said another way (``says``); this module's own tags give none of them.
    """

    kind: str
    start: int
    end: int
    seconds: float = 0.0
    voice: str = ""
    lang: str | None = None
    rate: float = 1.0
    says: tuple[Say, ...] = ()


def pause_seconds(tag: str, value: str) -> float:
    m = _SECONDS.match(value.strip())
    if m is None:
        raise InvalidMarkup(Message("{tag}: a pause is a number of seconds, such as [pause:1.5s] or [pause:500ms]",
                                    tag=tag))
    seconds = float(m.group(1)) / (1000 if (m.group(2) or "").lower() == "ms" else 1)
    if not MIN_PAUSE <= seconds <= MAX_PAUSE:
        raise InvalidMarkup(Message("{tag}: a pause lasts from {low} to {high} seconds",
                                    tag=tag, low=MIN_PAUSE, high=MAX_PAUSE))
    return seconds


def _tag(m: re.Match[str]) -> Part:
    kind, value = m.group(1).lower(), m.group(2).strip()
    if kind == "pause":
        return Part("pause", m.start(), m.end(), seconds=pause_seconds(m.group(0), value))
    if not value:
        raise InvalidMarkup(Message("{tag}: name a voice, such as [voice:jm_kumo]", tag=m.group(0)))
    return Part("voice", m.start(), m.end(), voice=value)


def parse(text: str) -> list[Part]:
    """The parts of ``text``, in order; their spans tile it. Raises InvalidMarkup for a bad tag."""
    parts: list[Part] = []
    cur = 0
    for m in TAG.finditer(text):
        if m.start() > cur:
            parts.append(Part("text", cur, m.start()))
        parts.append(_tag(m))
        cur = m.end()
    if cur < len(text):
        parts.append(Part("text", cur, len(text)))
    return parts
