"""Engine configuration, read from any mapping of ``TTS_*`` keys (an app's config, ``os.environ``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

BACKENDS = ("onnx", "torch")


def default_cache_dir() -> Path:
    """Per-user cache: where the embedded model is assembled once and reused by every process."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kokoro-tts"


def default_threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _paths(value: Any) -> tuple[str, ...] | None:
    """Voice pack paths from an ``os.pathsep``-separated string or a list; blanks dropped."""
    if value is None or value == "":
        return None
    if isinstance(value, (str, os.PathLike)):
        parts = str(value).split(os.pathsep)
    else:
        parts = [str(v) for v in value]
    parts = [p.strip() for p in parts if p and p.strip()]
    return tuple(parts) or None


#: How a config value (a string from the environment, or already typed) becomes a field's value;
#: fields not listed are strings.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "backend": lambda v: str(v).lower(),
    "voices": _paths,
    "threads": int,
    "max_chars": int,
    "max_audio_seconds": float,
    "max_chunk_seconds": float,
    "busy_chunk_seconds": float,
    "max_queue": int,
    "max_concurrent_per_user": int,
    "stream_queue": int,
    "cache_dir": Path,
}


@dataclass(frozen=True)
class EngineSettings:
    """Everything the engine needs to know; defaults give the embedded, offline set-up."""

    backend: str = "onnx"
    onnx_model: str | None = None
    voices: tuple[str, ...] | None = None
    torch_config: str | None = None
    torch_weights: str | None = None
    torch_repo: str = "hexgrad/Kokoro-82M"
    threads: int = field(default_factory=default_threads)
    max_chars: int = 5000
    #: The most audio one request may make (estimated from its text at its speed, before any
    #: synthesis): a slow speed stretches a text's audio fourfold. Longer: a long-form job.
    max_audio_seconds: float = 900.0
    #: The most audio one model call may make: the decoder's memory grows with it, so a chunk is
    #: bounded by the audio it will make (its tokens over the speed), not by tokens alone.
    max_chunk_seconds: float = 20.0
    #: While the model is shared, chunks make at most this much audio, so that nobody holds a core
    #: for long; with two cores, two such calls side by side need about the memory of one
    #: `max_chunk_seconds` call. Shorter costs throughput: each call also makes its edges.
    busy_chunk_seconds: float = 10.0
    #: Generations one process takes at once (beyond: busy, 503) and per account (beyond: 429).
    max_queue: int = 16
    max_concurrent_per_user: int = 2
    #: Live streams that may wait in line for real-time capacity (0: none wait, `busy` at once).
    stream_queue: int = 8
    default_voice: str | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"TTS_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.threads < 1:
            raise ValueError("TTS_THREADS must be at least 1")
        if self.max_chars < 1:
            raise ValueError("TTS_MAX_CHARS must be at least 1")
        if self.max_audio_seconds <= 0:
            raise ValueError("TTS_MAX_AUDIO_SECONDS must be more than 0")

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> EngineSettings:
        """Read the ``TTS_*`` keys (``TTS_`` + the field name in capitals).

        A missing, ``None`` or empty key is left out, so the field keeps its default.
        """
        given: dict[str, Any] = {}
        for f in fields(cls):
            value = m.get("TTS_" + f.name.upper())
            if value is not None and value != "":
                given[f.name] = _CONVERT.get(f.name, str)(value)
        return cls(**given)
