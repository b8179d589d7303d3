"""Kokoro-82M speech engine: G2P, chunking, inference back-ends, voices and audio encoding.

A library with no Flask in it: the web layer and the CLI build on it. See ``Engine`` for the methods;
errors carry a stable ``code`` (see ``errors``), never an HTTP status.
"""

# First of all, one malloc arena: before numpy (whose BLAS starts threads) and before the process
# (a gunicorn worker, the CLI) starts its own threads. See `memory`.
from . import memory  # noqa: F401
from .audio import FORMATS, SAMPLE_RATE, content_type, write_file
from .catalogue import VoiceInfo, catalogue
from .engine import MAX_SPEED, MIN_SPEED, Engine, Piece, Request, Result
from .errors import (
    BadVoicePack,
    EmptyText,
    EngineError,
    Interrupted,
    InvalidSpeed,
    ModelUnavailable,
    NothingToSay,
    TextTooLong,
    UnknownFormat,
    UnknownVoice,
    UnsupportedLanguage,
    VoiceUnavailable,
)
from .languages import LANGUAGES
from .scheduler import Busy, Scheduler, TooManyAtOnce
from .settings import EngineSettings
from .voice_packs import Voice

__all__ = [
    "Busy",
    "Scheduler",
    "TooManyAtOnce",
    "FORMATS",
    "LANGUAGES",
    "MAX_SPEED",
    "MIN_SPEED",
    "SAMPLE_RATE",
    "BadVoicePack",
    "Interrupted",
    "EmptyText",
    "Engine",
    "EngineError",
    "EngineSettings",
    "InvalidSpeed",
    "ModelUnavailable",
    "NothingToSay",
    "Piece",
    "Request",
    "Result",
    "TextTooLong",
    "UnknownFormat",
    "UnknownVoice",
    "UnsupportedLanguage",
    "Voice",
    "VoiceInfo",
    "VoiceUnavailable",
    "catalogue",
    "content_type",
    "write_file",
]
