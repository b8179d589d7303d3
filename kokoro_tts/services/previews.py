"""A short sample of each voice, for the page's picker: synthesised once, then kept as a file.

Free (nobody is charged) and public: there are at most as many as voices, each made once per
server (in the engine's cache folder), so they cost a few seconds of the model each.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..context import get_engine
from ..engine import Engine
from ..engine.errors import Message
from ..engine.lazy import OnceMap
from .errors import ServiceError

#: What a voice says, in its own language where the catalogue gives one (else English).
SAMPLES = {
    "en-us": "Hello! I am {name}, one of the voices of Kokoro.",
    "en-gb": "Hello! I am {name}, one of the voices of Kokoro.",
    "fr": "Bonjour ! Je suis {name}, une des voix de Kokoro.",
    "es": "¡Hola! Soy {name}, una de las voces de Kokoro.",
    "it": "Ciao! Sono {name}, una delle voci di Kokoro.",
    "pt-br": "Olá! Eu sou {name}, uma das vozes do Kokoro.",
    "hi": "नमस्ते! मैं {name} हूँ, कोकोरो की एक आवाज़।",
    "ja": "こんにちは。{name}です。ココロの声の一つです。",
    "zh": "你好！我是{name}，Kokoro的声音之一。",
}
FORMAT = "mp3"
#: One builder per (folder, voice): a sample asked for twice at once is made once.
_made: OnceMap[tuple[Path, str], Path] = OnceMap(lambda key: _make(get_engine(), key[1]))


def _folder(engine: Engine) -> Path:
    return Path(engine.settings.cache_dir) / "previews"


def _make(engine: Engine, voice_id: str) -> Path:
    """Synthesise the sample and write it whole (a temporary file renamed), or not at all."""
    path = _folder(engine) / f"{voice_id}.{FORMAT}"
    if path.is_file():
        return path
    info = next(v for v in engine.voices() if v.id == voice_id)
    lang = info.language if info.language in SAMPLES else "en-us"
    req = engine.validate(SAMPLES[lang].format(name=info.name), voice_id, lang=lang)
    audio = engine.encode(engine.synthesize(req, owner=("preview", voice_id)).audio, FORMAT)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(audio)
    os.replace(tmp, path)
    return path


def preview(voice_id: str) -> Path:
    """The sample file of an available voice (else `voice_not_found` or `voice_unavailable`)."""
    engine = get_engine()
    voices = {v.id: v for v in engine.voices()}
    if voice_id not in voices:
        raise ServiceError("voice_not_found", Message("No voice {voice!r} in the catalogue.", voice=voice_id))
    if not voices[voice_id].available:
        raise ServiceError("voice_unavailable", Message("The voice {voice} is not installed on this server.",
                                                        voice=voice_id))
    return _made.get((_folder(engine), voice_id))
