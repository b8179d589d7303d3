"""The speech engine: text in, 24 kHz float32 audio out, whole or chunk by chunk.

One ``Engine`` per process (the web app keeps one); it is cheap to build and loads the model and
voice packs on first use. Every public method is safe to call from several threads.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np

from . import audio as audio_mod
from . import script, ssml, tags, timing
from .backends import Backend, make_backend
from .catalogue import VoiceInfo, catalogue, info_for
from .chunking import MAX_TOKENS, Chunk, chunk_text, speakable
from .errors import EmptyText, Interrupted, InvalidMarkup, InvalidSpeed, Message, NothingToSay, TextTooLong
from .g2p import get_g2p, require_language
from .hub import default_voices_dir
from .normalize import Options
from .pacing import Pacer
from .pronounce import MarkedPhonemizer, PronunciationRule
from .scheduler import Scheduler
from .settings import EngineSettings
from .spoken import CONTROL, PRIVATE_USE
from .timing import Timed, Timeline
from .voice_packs import EMBEDDED, Voice, VoiceStore

SAMPLE_RATE = audio_mod.SAMPLE_RATE
#: An upper estimate of the audio one token makes at speed 1 (measured about 0.075 s), to bound
#: the audio of a chunk before the model predicts its durations.
SECONDS_PER_TOKEN = 0.09
#: Audio per character of spoken text at speed 1, pauses between sentences included (measured
#: 0.055-0.060 s on English, French and digits): how long a request will be, before synthesis.
SECONDS_PER_CHARACTER = 0.06
#: The audio one token makes at speed 1, typically (measured about 0.075 s): a paced stream's
#: first guess, then measured on its own chunks.
TYPICAL_SECONDS_PER_TOKEN = 0.075
MIN_CHUNK_TOKENS = 16
#: While the model is shared, a request's first chunk makes at most about this much audio (or
#: one clause): it may run beside the others (the scheduler's express call), so it is kept short.
FIRST_BUSY_SECONDS = 2.0
MIN_SPEED, MAX_SPEED = 0.25, 4.0
FALLBACK_LANGUAGE = script.FALLBACK_LANGUAGE


@dataclass(frozen=True)
class Request:
    """A checked request: what ``validate`` returns and ``stream``/``synthesize`` take.

    Synthesis takes only this, so input is checked once, in one place, before any work is done.
    """

    text: str
    voice: Voice
    speed: float
    lang: str
    fmt: str | None = None
    segments: tuple[script.Segment, ...] = ()
    #: SSML's ``<mark>``s, at offsets of ``text``
    marks: tuple[ssml.Mark, ...] = ()


@dataclass(frozen=True)
class Piece:
    """The audio for one chunk (with the pause before it) and the source text it covers.

    ``chars`` is how many input characters this piece accounts for; summed over a finished stream it
    is ``len(text)``, so a stream stopped early tells how much was spoken. ``words`` are its words'
    timings, in seconds from the start of this piece's audio.
    """

    audio: np.ndarray
    index: int
    start: int
    end: int
    text: str
    words: tuple[Timed, ...] = ()

    @property
    def chars(self) -> int:
        return self.end - self.start

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.audio if dtype is None else self.audio.astype(dtype)


@dataclass(frozen=True)
class Result:
    """Whole-text synthesis: the audio and the chunks it was made of."""

    audio: np.ndarray
    sample_rate: int = SAMPLE_RATE
    chunks: list[Piece] = field(default_factory=list)
    words: list[timing.Word] = field(default_factory=list)
    marks: list[timing.MarkTime] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate


def check_speed(speed: object) -> float:
    try:
        value = float(speed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidSpeed(Message("speed must be a number from {low} to {high}, not {speed!r}",
                                   low=MIN_SPEED, high=MAX_SPEED, speed=speed)) from None
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise InvalidSpeed(Message("speed must be from {low} to {high}, not {speed!r}",
                                   low=MIN_SPEED, high=MAX_SPEED, speed=speed))
    return value


class _Pauses:
    """The silence owed between spoken chunks: put before the next piece with sound, never at the ends.

    A chunk with no sound passes its pause on, the longer of the two kept.
    """

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.pending = 0.0
        self.spoken = False

    def before(self, samples: np.ndarray, pause_after: float) -> np.ndarray:
        """``samples`` with the pending pause in front; ``pause_after`` is owed after them."""
        if not samples.size:
            self.pending = max(self.pending, pause_after)
            return samples
        if self.spoken and self.pending > 0:
            samples = np.concatenate([audio_mod.silence(self.pending / self.speed), samples])
        self.spoken, self.pending = True, pause_after
        return samples

    def explicit(self) -> None:
        """A pause tag replaces the pause the text would have made there."""
        self.pending = 0.0


def default_packs(cache_dir: Path) -> tuple[str, ...]:
    """Without TTS_VOICES: the voices `tts download` fetched (if any), then the embedded five."""
    folder = default_voices_dir(cache_dir)
    if folder.is_dir() and any(folder.glob("*.bin")):
        return (str(folder), EMBEDDED)
    return (EMBEDDED,)


class Engine:
    """Kokoro-82M behind one interface, whatever the back-end and voice packs."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.store = VoiceStore(self.settings.voices or default_packs(self.settings.cache_dir))
        self.backend: Backend = make_backend(self.settings)  # cheap: the model loads on first use
        self.scheduler = Scheduler(self.settings.max_queue, self.settings.max_concurrent_per_user, self.backend.lanes,
                                   self.settings.stream_queue)

    # -- set-up ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model and the voice packs now rather than on the first request."""
        self.store.available()
        self.backend.load()

    def warmup(self) -> dict[str, float]:
        """Load everything and speak one short sentence; returns timings in seconds."""
        t0 = time.perf_counter()
        self.load()
        t1 = time.perf_counter()
        voice = self.resolve_voice(None)
        text = "こんにちは。" if voice.language == "ja" else "Hello."
        result = self.synthesize(self.validate(text, voice.spec))
        t2 = time.perf_counter()
        return {"load": t1 - t0, "synthesis": t2 - t1, "audio": result.duration}

    # -- voices ---------------------------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        """The catalogue with ``available`` filled in, then voices outside it that a pack holds."""
        available = self.store.available()
        have = set(available)
        known = [replace(v, available=v.id in have) for v in catalogue()]
        ids = {v.id for v in known}
        return known + [replace(info_for(v), available=True) for v in available if v not in ids]

    def default_voice(self) -> str:
        wanted = self.settings.default_voice
        available = self.store.available()
        if wanted:
            return wanted
        return "af_heart" if "af_heart" in available or not available else available[0]

    def resolve_voice(self, spec: str | None) -> Voice:
        """A voice id or blend (``af_bella(2)+af_sky(1)``); None means the default voice."""
        if spec is None or not str(spec).strip():
            spec = self.default_voice()
        return self.store.resolve(str(spec))

    # -- checking -------------------------------------------------------------------------------

    def validate(
        self,
        text: str,
        voice: str | None = None,
        speed: float = 1.0,
        lang: str | None = None,
        fmt: str | None = None,
        rules: Sequence[PronunciationRule] = (),
        normalize: Options | None = None,
        text_type: str | None = None,
        parts: Sequence[tags.Part] | None = None,
    ) -> Request:
        """Check everything about a request before any synthesis; raises an EngineError subclass.

        Control characters are removed from the text first; the request's text is what is spoken
        (and what a service charges for): an SSML document's transcript, not its markup (`ssml`;
        `text_type` "ssml" or "text" says which the text is, else its first tag does). Its markup
        (pauses, voice tags, inline phonemes), the pronunciation `rules` and normalisation are
        resolved here, so bad ones fail now. `parts`: the text's parts, read already (a window of
        an SSML document, `ssml.window`); its text is then read as it is.
        """
        text = clean(text)
        document = self._document(text, text_type) if parts is None else None
        if document is not None:
            text, parts = document.text, document.parts
        if not text.strip():
            raise EmptyText(Message("text is empty"))
        if len(text) > self.settings.max_chars:
            raise TextTooLong(Message("text is {n} characters; the limit is {limit}",
                                      n=len(text), limit=self.settings.max_chars))
        fmt = audio_mod.check_format(fmt) if fmt is not None else None
        speed = check_speed(speed)
        given = require_language(lang) if lang is not None and str(lang).strip() else None
        settings = script.Settings(self.resolve_voice(voice), given, tuple(rules), normalize or Options())
        segments = tuple(script.build(text, settings, self.resolve_voice, parts))
        self._check_length(segments, speed)
        speech = [seg for seg in segments if seg.kind == "speech"]
        chunks = (c for seg in speech for c in self._segment_chunks(seg, speed, words=False))
        if not any(speakable(c.tokens) for c in chunks):
            raise NothingToSay(Message("the text has nothing to say: no word the model can speak"))
        marks = document.marks if document is not None else ()
        return Request(text, settings.voice, speed, given or speech[0].lang, fmt, segments, marks)

    def read_ssml(self, text: str) -> tuple[str, ssml.Document]:
        """An SSML document as `validate` reads it, and its reading (a long-form job keeps both)."""
        document = self._document(clean(text), "ssml")
        assert document is not None
        return clean(text), document

    def _document(self, text: str, text_type: str | None) -> ssml.Document | None:
        """The SSML document `text` is, if it is one (None: plain text and this engine's own tags)."""
        if text_type not in (None, "text", "ssml"):
            raise InvalidMarkup(Message("text_type is text or ssml, not {given!r}", given=text_type))
        if text_type == "text" or (text_type is None and not ssml.is_ssml(text)):
            return None
        document = ssml.parse(text)  # first: a hostile document is refused as such, whatever its size
        if len(text) > ssml.MARKUP_GROWTH * self.settings.max_chars:
            raise TextTooLong(Message("the SSML document is {n} characters; at most {limit}",
                                      n=len(text), limit=ssml.MARKUP_GROWTH * self.settings.max_chars))
        return document

    def _check_length(self, segments: Sequence[script.Segment], speed: float) -> None:
        """TextTooLong when the audio the segments will make, estimated, passes max_audio_seconds;
        InvalidSpeed when an SSML rate takes a span's speed out of bounds."""
        for seg in segments:
            if seg.rate != 1.0:
                check_speed(speed * seg.rate)
        spoken = sum(len(seg.spoken.text) / seg.rate for seg in segments if seg.spoken is not None)
        seconds = spoken * SECONDS_PER_CHARACTER / speed + sum(seg.seconds for seg in segments)
        limit = self.settings.max_audio_seconds
        if seconds > limit:
            raise TextTooLong(Message(
                "at speed {speed} this text makes about {seconds} s of audio; the limit is {limit} s "
                "(a long-form job has none)", speed=speed, seconds=round(seconds), limit=limit,
            ))

    # -- synthesis ------------------------------------------------------------------------------

    def max_chunk_tokens(self, speed: float, seconds: float | None = None) -> int:
        """Tokens one chunk may hold at `speed`: the model's 510, or fewer where the audio one
        call makes would pass `max_chunk_seconds` (slow speeds stretch the audio)."""
        fitting = int((seconds or self.settings.max_chunk_seconds) * speed / SECONDS_PER_TOKEN)
        return max(MIN_CHUNK_TOKENS, min(MAX_TOKENS, fitting))

    def chunks(
        self, text: str, lang: str, speed: float = 1.0, marks: dict[str, str] | None = None, words: bool = True,
        pace: Callable[[], int | None] | None = None,
    ) -> Generator[Chunk, None, None]:
        """The phoneme chunks a text is spoken in (lazily phonemized); shorter while the model is
        shared, and no longer than `pace` allows (a stream's listener must not run out). `marks`:
        the phonemes of marked words (see `pronounce`); `words`: find each word's tokens, for timings."""
        busy = self.max_chunk_tokens(speed, self.settings.busy_chunk_seconds)
        first = self.max_chunk_tokens(speed, FIRST_BUSY_SECONDS)

        def squeeze(index: int) -> int | None:
            limits = [first if index == 0 else busy] if self.scheduler.contended() else []
            paced = pace() if pace is not None else None
            return min([*limits, paced] if paced is not None else limits, default=None)

        phonemize = MarkedPhonemizer(get_g2p(lang), marks or {}, words)
        return chunk_text(text, phonemize, max_tokens=self.max_chunk_tokens(speed), squeeze=squeeze)

    def _segment_chunks(
        self, seg: script.Segment, speed: float, words: bool = True, pace: Callable[[], int | None] | None = None
    ) -> Generator[Chunk, None, None]:
        """The chunks of a spoken segment: its rewritten text, marked words given their phonemes."""
        assert seg.spoken is not None
        return self.chunks(seg.spoken.text, seg.lang, speed * seg.rate, seg.spoken.phonemes, words, pace)

    def pacer(self, req: Request, unheard: float = 0.0) -> Pacer:
        """The clock of a live stream of `req` (see `stream`). `unheard`: seconds of audio its
        listener has still to hear from before it (a socket's earlier pieces): the listener is
        already hearing, so the stream is paced by that from its first chunk, and not held."""
        pacer = Pacer(TYPICAL_SECONDS_PER_TOKEN / req.speed, self.scheduler.core_speed(), characters=len(req.text))
        pacer.handed(unheard)
        return pacer

    def stream(
        self, req: Request, on_piece: Callable[[Piece], None] | None = None, owner: Hashable | None = None,
        pacer: Pacer | None = None,
    ) -> Generator[Piece, None, None]:
        """Yield one Piece per chunk (or tag) of a checked request (see ``validate``) as soon as it
        is computed.

        Model calls take turns with every other stream (`scheduler`); `owner` (an account, say) is
        whose turn it is, for fairness. A live stream (given its `pacer`) has a listener hearing it as
        it comes: its chunks are paced so that each is ready before the audio already sent runs out
        (`pacing`), and its calls go before those of generations nobody listens to yet. Closing the generator
        stops synthesis after the chunk in progress. Pauses go before a piece, so the audio has no
        leading or trailing silence, but for pause tags, which are kept wherever they are.
        """
        run = _Run(self, req, owner if owner is not None else object(), pacer)  # anonymous: each on its own
        held: list[Piece] = []  # made, not yet handed: the listener's start is held (see `pacing`)
        for seg in req.segments:
            pieces = run.tag(seg) if seg.kind != "speech" else run.speak(seg)
            for piece in pieces:
                if on_piece is not None:
                    on_piece(piece)
                held.append(piece)
                if pacer is None or pacer.may_start(piece.duration, piece.chars):
                    yield from _hand(held, pacer)
        yield from _hand(held, pacer)

    def synthesize(
        self, req: Request, owner: Hashable | None = None, stop: Callable[[], bool] | None = None
    ) -> Result:
        """The whole text of a checked request as one array (the stream's pieces joined).

        `stop` is asked after each piece; when it says so, the synthesis ends there (Interrupted).
        """
        pieces = []
        stream = self.stream(req, owner=owner)
        try:
            for piece in stream:
                pieces.append(piece)
                if stop is not None and stop():
                    raise Interrupted(Message("stopped after {n} of the text's pieces", n=len(pieces)))
        finally:
            stream.close()
        joined = [p.audio for p in pieces if p.audio.size]
        audio = np.concatenate(joined) if joined else np.zeros(0, dtype=np.float32)
        timeline = Timeline()
        for piece in pieces:
            timeline.add(piece.duration, piece.words)
        return Result(audio=audio, chunks=pieces, words=timeline.words(req.text), marks=timeline.marks(req.marks))

    # -- encoding -------------------------------------------------------------------------------

    @staticmethod
    def encode(audio: np.ndarray, fmt: str) -> bytes:
        return audio_mod.encode(audio, fmt)

    @staticmethod
    def encode_stream(
        pieces: Iterable[object], fmt: str, whole: bytearray | None = None
    ) -> Generator[bytes, None, None]:
        return audio_mod.encode_stream(pieces, fmt, whole)


def clean(text: object) -> str:
    """Control characters (`spoken.CONTROL`) and those of the private use areas, which stand for
    phonemes inside the engine, mean nothing in a request: removed, never charged."""
    return PRIVATE_USE.sub("", CONTROL.sub("", str(text or "")))


def _hand(held: list[Piece], pacer: Pacer | None) -> Iterator[Piece]:
    """The pieces held, handed out in order (the pacer's listener clock starts with the first)."""
    while held:
        piece = held.pop(0)
        if pacer is not None:
            pacer.handed(piece.duration)
        yield piece


class _Run:
    """One stream's state: its pauses, whose turn it is, how many pieces it has made, and (live)
    its listener's clock."""

    def __init__(self, engine: Engine, req: Request, owner: Hashable, pacer: Pacer | None = None) -> None:
        self.engine = engine
        self.req = req
        self.owner = owner
        self.pauses = _Pauses(req.speed)
        self.index = 0
        self.calls = 0
        self.pacer = pacer

    def _piece(self, audio: np.ndarray, start: int, end: int, words: tuple[Timed, ...] = ()) -> Piece:
        piece = Piece(audio, self.index, start, end, self.req.text[start:end], words)
        self.index += 1
        return piece

    def tag(self, seg: script.Segment) -> Iterator[Piece]:
        """A pause tag is its silence, exactly; a voice tag makes no sound."""
        audio = np.zeros(0, dtype=np.float32)
        if seg.kind == "pause":
            self.pauses.explicit()
            audio = audio_mod.silence(seg.seconds)
        yield self._piece(audio, seg.start, seg.end)

    def speak(self, seg: script.Segment) -> Iterator[Piece]:
        pace = self.pacer.max_tokens if self.pacer is not None else None
        chunks = self.engine._segment_chunks(seg, self.req.speed, pace=pace)
        try:
            for chunk in chunks:
                yield self._spoken(seg, chunk)
        finally:
            chunks.close()

    def _infer(self, seg: script.Segment, chunk: Chunk) -> tuple[np.ndarray, list[tuple[float, float]]]:
        """The chunk's audio, trimmed, and its words' (start, end) seconds in it."""
        if not chunk.tokens:
            return np.zeros(0, dtype=np.float32), []
        style = seg.voice.style_for(len(chunk.tokens))
        speed = self.req.speed * seg.rate
        call = partial(self.engine.backend.infer, chunk.tokens, style, speed)  # + narrow, by the scheduler
        asked = time.monotonic()
        out = self.engine.scheduler.run(self.owner, self.calls == 0, call, live=self.pacer is not None)
        if self.pacer is not None:  # its own rate: the wait for the model included
            self.pacer.made(len(out.audio) / SAMPLE_RATE, time.monotonic() - asked, len(chunk.tokens))
        self.calls += 1
        lo, hi = audio_mod.trim_bounds(out.audio)
        edges = timing.token_edges(len(chunk.tokens), out.durations, len(out.audio), SAMPLE_RATE)
        return out.audio[lo:hi], timing.chunk_timings(chunk.words, edges, -lo / SAMPLE_RATE, (hi - lo) / SAMPLE_RATE)

    def _spoken(self, seg: script.Segment, chunk: Chunk) -> Piece:
        spoken = seg.spoken
        assert spoken is not None
        samples, times = self._infer(seg, chunk)
        audio = self.pauses.before(samples, chunk.pause)
        shift = (len(audio) - len(samples)) / SAMPLE_RATE
        words = tuple(
            Timed(*spoken.source(w.start, w.end), begin + shift, finish + shift)
            for w, (begin, finish) in zip(chunk.words, times, strict=True)
        )
        start = seg.start if chunk.start == 0 else spoken.at(chunk.start)
        return self._piece(audio, start, spoken.at(chunk.end), words)
