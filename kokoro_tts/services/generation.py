"""One generation, from request to audio: check, charge, synthesise, settle.

Shared by `POST /api/tts/generate` and the OpenAI-compatible `POST /v1/audio/speech`.
The order matters: every input is checked before anything is spent; the charge and the
pending history row are one transaction (`ledger.open_charge`); the generation is then
settled (`ledger.settle`): what was spoken is kept, the rest refunded. If settling cannot
reach the database, or the worker dies, the ledger's sweep settles it later: no credit is lost.
A stream starts answering only once the first audio exists, so that a text the model makes
no sound for is a 400 `nothing_to_say` (refunded), never an empty 200.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

from ..context import get_engine
from ..engine import EngineError, Interrupted, NothingToSay, Piece, Request, content_type
from ..engine.audio import EXTENSIONS
from ..engine.normalize import Options
from ..engine.scheduler import Admission
from ..engine.timing import MarkTime, Timeline, Word
from ..extensions import db
from ..models import Generation, User
from ..storage import StorageError
from . import audio_store, ledger, pronunciations
from .errors import ServiceError, database_unavailable, is_database_outage
from .instruments import (
    CAPACITY,
    CHARACTERS,
    CREDITS,
    FIRST_AUDIO,
    IN_PROGRESS,
    LISTENERS,
    QUEUE_WAIT,
    REALTIME,
    SHORTFALL,
    STREAMS,
    WAITING,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Order:
    """What the caller asked for; None means: the caller's preference, then the server's."""

    text: str
    voice: str | None = None
    speed: float | None = None
    lang: str | None = None
    format: str = "wav"
    stream: bool = False
    source: str = "api"
    normalize: bool = True
    normalization: dict[str, bool] | None = None
    #: "ssml" or "text"; None: SSML when the text starts with <speak>
    text_type: str | None = None
    #: Asked between pieces of a whole generation: True when its client has gone (then it stops,
    #: refunded: nobody will hear it).
    stop: Callable[[], bool] | None = None
    #: A stream's listener still has this many seconds to hear from before it (a socket's earlier
    #: pieces): its first chunk is paced for them, not made as long as a fresh listener's.
    unheard: float = 0.0


@dataclass
class Audio:
    """A generation's answer: whole bytes, or (`stream`) bytes as they are made; whole audio
    comes with its word timings."""

    body: bytes | Iterator[bytes]
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    words: list[Word] = field(default_factory=list)
    #: SSML marks and their times (whole audio)
    marks: list[MarkTime] = field(default_factory=list)
    #: seconds of audio made so far (a stream's grows as it is sent)
    seconds: Callable[[], float] = field(default=lambda: 0.0)
    #: the words timed so far (a stream's grow as it is sent, each piece's before its bytes)
    words_so_far: Callable[[], list[Word]] = field(default=lambda: [])


@dataclass(frozen=True)
class _Charge:
    """A charged, pending generation: what settling it needs to know."""

    generation_id: int
    user_id: int
    characters: int
    format: str


def check(user: User, order: Order) -> Request:
    """Resolve defaults and validate everything; raises before anything is spent."""
    preferences = user.preferences if isinstance(user.preferences, dict) else {}
    voice = order.voice or preferences.get("default_voice")
    speed = order.speed if order.speed is not None else preferences.get("default_speed", 1.0)
    options = Options.from_request(order.normalize, order.normalization)
    rules = pronunciations.for_engine(user)
    return get_engine().validate(order.text, voice, speed, order.lang, order.format, rules, options, order.text_type)


def stored_words(words: list[Word]) -> list[list[object]]:
    """Word timings as kept in the history: ``[[word, start, end], ...]``."""
    return [[w.word, round(w.start, 3), round(w.end, 3)] for w in words]


def _load_model() -> None:
    """Load the model now: a broken one fails here, before any charge."""
    try:
        get_engine().load()
    except Exception as exc:
        log.exception("the speech model cannot be loaded")
        code = exc.code if isinstance(exc, EngineError) else "model_unavailable"
        raise ServiceError(code, "The speech model is not available; you were not charged.") from exc


def generate(user: User, order: Order) -> Audio:
    """Check, take a slot (or refuse: busy), charge, then synthesise whole or as a stream."""
    req = check(user, order)
    _load_model()
    slot = ExitStack()
    # Busy / TooManyAtOnce: nothing spent; a stream may have to wait in line (real-time capacity).
    admission = slot.enter_context(get_engine().scheduler.admitted(user.id, live=order.stream))
    try:
        fmt = req.fmt or "wav"
        generation = Generation(
            user_id=user.id, text=req.text, voice=req.voice.spec, speed=req.speed,
            lang=req.lang, format=fmt, characters=len(req.text), source=order.source,
        )
        balance = ledger.open_charge(generation)
        charge = _Charge(generation.id, generation.user_id, generation.characters, fmt)
        headers = _headers(charge, balance)
        db.session.rollback()  # give the connection back while synthesising: others need the pool
        if order.stream:
            _count_listeners()
            return _streamed(_Stream(charge, req, slot.pop_all(), admission, order), headers)
        return _whole(charge, req, headers, order.stop)
    finally:
        slot.close()  # a stream took its slot along (pop_all); anything else ends here


def _headers(charge: _Charge, balance: int | None) -> dict[str, str]:
    return {
        "X-Generation-Id": str(charge.generation_id),
        "X-Characters-Charged": str(charge.characters),
        "X-Credits-Remaining": ledger.balance_text(balance),
        "Content-Disposition": f'attachment; filename="kokoro-{charge.generation_id}{EXTENSIONS[charge.format]}"',
    }


def _observe(started: float, seconds: float, first_audio: bool = False) -> None:
    elapsed = time.perf_counter() - started
    if first_audio:
        FIRST_AUDIO.observe(elapsed)
    if seconds > 0 and elapsed > 0:
        REALTIME.observe(seconds / elapsed)


def _settle(charge: _Charge, outcome: ledger.Outcome) -> bool:
    """Settle now if the database lets us; otherwise the sweep will (and the audio goes). Audio
    that no row ends up pointing at goes too: the sweep settled first, or the account was deleted
    while its audio was being made."""
    CHARACTERS.inc(min(outcome.kept, charge.characters))
    try:
        settled = ledger.settle(charge.generation_id, charge.user_id, charge.characters, outcome)
        if settled:
            CREDITS.inc(min(outcome.kept, charge.characters))
        elif outcome.audio_path:
            audio_store.delete_path(outcome.audio_path)
        return settled
    except Exception:
        log.exception("could not settle generation %s; the sweep will", charge.generation_id)
        if outcome.audio_path:
            audio_store.delete_path(outcome.audio_path)
        raise


def _fail(charge: _Charge, exc: Exception) -> ServiceError:
    """Refund a generation that failed before it was spoken; the error to answer with."""
    try:
        _settle(charge, ledger.Outcome(0, 0.0))
    except Exception as settle_exc:
        if is_database_outage(settle_exc):
            return database_unavailable()
    if isinstance(exc, Interrupted):
        return ServiceError(exc.code, "The client went away; you were not charged.")
    if isinstance(exc, NothingToSay):
        return ServiceError(exc.code, "The model made no sound for this text; you were not charged.")
    if is_database_outage(exc):
        return database_unavailable()
    if isinstance(exc, StorageError):
        log.error("generation %s could not be stored; refunded: %s", charge.generation_id, exc)
        return ServiceError("storage_unavailable", "The audio could not be stored; you were not charged.")
    log.error("synthesis of generation %s failed; refunded", charge.generation_id, exc_info=exc)
    return ServiceError("synthesis_failed", "Speech synthesis failed; you were not charged.")


def _whole(charge: _Charge, req: Request, headers: dict[str, str], stop: Callable[[], bool] | None) -> Audio:
    engine = get_engine()
    try:
        with IN_PROGRESS.track_inprogress():
            started = time.perf_counter()
            result = engine.synthesize(req, owner=charge.user_id, stop=stop)
            _observe(started, result.duration, first_audio=True)
        if not result.audio.size:
            raise NothingToSay("no sound")
        audio = engine.encode(result.audio, charge.format)
        path = audio_store.save(charge.user_id, charge.generation_id, charge.format, audio)
    except Exception as exc:
        raise _fail(charge, exc) from exc
    try:
        _settle(charge, ledger.Outcome(charge.characters, result.duration, path, stored_words(result.words)))
    except Exception as exc:
        raise (database_unavailable() if is_database_outage(exc) else exc) from exc
    _retain(charge.user_id)
    headers["X-Audio-Duration"] = f"{result.duration:.3f}"
    return Audio(audio, content_type(charge.format), headers, result.words, result.marks, lambda: result.duration)


def _streamed(stream: _Stream, headers: dict[str, str]) -> Audio:
    """A stream that may start answers once its first audio exists (so that a text the model makes
    no sound for is a 400, refunded); one waiting in line answers at once with its place
    (`X-Queue-Position`, 1: next), and its audio follows when its turn comes."""
    if stream.admission.admitted:
        try:
            stream.prime()
        except Exception as exc:
            stream.slot.close()
            raise _fail(stream.charge, exc) from exc
    else:
        headers["X-Queue-Position"] = str(stream.admission.ahead() + 1)
    return Audio(stream.body(), content_type(stream.charge.format), headers, seconds=lambda: stream.seconds,
                 words_so_far=lambda: stream.timeline.words(stream.text))


class _Stream:
    """Synthesis sent as it is made, paced for a listener who hears it as it comes, settled when it
    ends, fails, or the client leaves (in line too)."""

    def __init__(self, charge: _Charge, req: Request, slot: ExitStack, admission: Admission, order: Order) -> None:
        self.charge = charge
        self.slot = slot
        self.admission = admission
        self.stop = order.stop
        self.started = time.perf_counter()
        self.pacer = get_engine().pacer(req, order.unheard)
        self.pieces = get_engine().stream(req, owner=charge.user_id, pacer=self.pacer)
        self.first: list[Piece] = []
        self.spoken = 0
        self.seconds = 0.0
        self.text = req.text
        self.timeline = Timeline()

    def prime(self) -> None:
        """Synthesise up to the first piece with sound; NothingToSay if there is none."""
        with IN_PROGRESS.track_inprogress():
            for piece in self.pieces:
                self.first.append(piece)
                if piece.audio.size:
                    FIRST_AUDIO.observe(time.perf_counter() - self.started)
                    return
        raise NothingToSay("no sound")

    def _count(self) -> Iterator[Piece]:
        for piece in itertools.chain(self.first, self.pieces):
            self.spoken += piece.chars
            self.seconds += piece.duration
            self.timeline.add(piece.duration, piece.words)
            yield piece

    def _in_line(self) -> None:
        """Wait for this stream's turn (when it is in line): the client leaving meanwhile ends it."""
        if self.admission.admitted:
            return
        QUEUE_WAIT.observe(self.admission.wait(self.stop))
        self.started = time.perf_counter()

    def body(self) -> Iterator[bytes]:
        whole = bytearray()  # the file kept: what is sent, its headers completed at the end (true length)
        finished = False
        chunks = get_engine().encode_stream(self._count(), self.charge.format, whole)
        IN_PROGRESS.inc()
        try:
            if not self.admission.admitted:
                yield b""  # the answer's headers leave now, with the stream's place in line
            self._in_line()
            yield from chunks
            finished = True
        except (Interrupted, NothingToSay):
            log.info("stream %s ended before any audio (its listener left the line, or it had no sound)",
                     self.charge.generation_id)
        finally:
            chunks.close()  # stops synthesis when the client went away
            self.slot.close()
            IN_PROGRESS.dec()
            _observe(self.started, self.seconds)
            STREAMS.labels("stalled" if self.pacer.stalled else "smooth").inc()
            SHORTFALL.observe(self.pacer.shortfall)
            _count_listeners()
            self._end(bytes(whole) if finished else None)

    def _end(self, audio: bytes | None) -> None:
        charge = self.charge
        try:
            path = self._store(audio)
            kept = charge.characters if audio is not None else self.spoken
            words = stored_words(self.timeline.words(self.text))
            _settle(charge, ledger.Outcome(kept, self.seconds, path, words))
        except Exception:
            db.session.rollback()
            return  # logged; the sweep settles it
        _retain(charge.user_id)

    def _store(self, audio: bytes | None) -> str | None:
        """Keep a finished stream's audio for replay: the whole file, whose headers give the length
        the stream's could not (a download of it is a file like any other). The client has heard
        it all: if the store fails, the item stays, charged, without replay (never refunded for
        audio delivered)."""
        if audio is None:
            return None
        try:
            return audio_store.save(self.charge.user_id, self.charge.generation_id, self.charge.format, audio)
        except StorageError:
            log.error("the audio of streamed generation %s could not be stored; kept without replay",
                      self.charge.generation_id, exc_info=True)
            return None


def line_for(user: User) -> dict[str, object]:
    """Where the user's live streams wait in line, and the line as a whole."""
    live, waiting, capacity = get_engine().scheduler.listeners()
    return {"places": get_engine().scheduler.places(user.id), "listening": live, "waiting": waiting,
            "capacity": capacity}


def _count_listeners() -> None:
    live, waiting, capacity = get_engine().scheduler.listeners()
    LISTENERS.set(live)
    WAITING.set(waiting)
    CAPACITY.set(capacity)


def _retain(user_id: int) -> None:
    """Prune old audio; a failure here must not fail the generation that triggered it."""
    try:
        audio_store.apply_retention(user_id)
    except Exception:
        db.session.rollback()
        log.exception("audio retention failed for user %s", user_id)


