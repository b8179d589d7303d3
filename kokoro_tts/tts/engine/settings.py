"""Engine configuration, read from a dict-like such as Flask's ``app.config``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    if value is None or value == "":
        return None
    if isinstance(value, (str, os.PathLike)):
        parts = str(value).split(os.pathsep)
    else:
        parts = [str(v) for v in value]
    parts = [p.strip() for p in parts if p and p.strip()]
    return tuple(parts) or None


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
    default_voice: str | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"TTS_BACKEND must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.threads < 1:
            raise ValueError("TTS_THREADS must be at least 1")
        if self.max_chars < 1:
            raise ValueError("TTS_MAX_CHARS must be at least 1")

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> EngineSettings:
        """Read the ``TTS_*`` keys; a missing or ``None`` key takes the default."""

        def get(key: str, default: Any = None) -> Any:
            value = m.get(key)
            return default if value is None or value == "" else value

        threads = get("TTS_THREADS")
        cache = get("TTS_CACHE_DIR")
        return cls(
            backend=str(get("TTS_BACKEND", "onnx")).lower(),
            onnx_model=get("TTS_ONNX_MODEL"),
            voices=_paths(m.get("TTS_VOICES")),
            torch_config=get("TTS_TORCH_CONFIG"),
            torch_weights=get("TTS_TORCH_WEIGHTS"),
            torch_repo=str(get("TTS_TORCH_REPO", "hexgrad/Kokoro-82M")),
            threads=int(threads) if threads is not None else default_threads(),
            max_chars=int(get("TTS_MAX_CHARS", 5000)),
            default_voice=get("TTS_DEFAULT_VOICE"),
            cache_dir=Path(cache) if cache is not None else default_cache_dir(),
        )
