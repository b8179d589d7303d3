"""One generation, from request to audio: check, charge, synthesise, record.

Shared by `POST /api/tts/generate` and the OpenAI-compatible `POST /v1/audio/speech`.
The order matters: every input is checked and the credits are taken (one atomic
statement) before any synthesis; whatever fails after the charge is refunded, and
a stream that the client leaves is refunded for the part not yet synthesised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..engine import EngineError, Piece, Request, content_type
from ..engine.audio import EXTENSIONS
from ..errors import ApiError, engine_status
from ..extensions import db
from ..models import Generation, User
from . import audio_store, credits
from .speech import get_engine

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


@dataclass
class Audio:
    """A generation's answer: whole bytes, or (`stream`) bytes as they are made."""

    body: bytes | Iterator[bytes]
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def check(user: User, order: Order) -> Request:
    """Resolve defaults and validate everything; raises before anything is spent."""
    preferences = user.preferences if isinstance(user.preferences, dict) else {}
    voice = order.voice or preferences.get("default_voice")
    speed = order.speed if order.speed is not None else preferences.get("default_speed", 1.0)
    return get_engine().validate(order.text, voice, speed, order.lang, order.format)


def _load_model() -> None:
    """Load the model now: a broken one fails here, before any charge."""
    try:
        get_engine().load()
    except Exception as exc:
        log.exception("the speech model cannot be loaded")
        code = exc.code if isinstance(exc, EngineError) else "model_unavailable"
        status = engine_status(code) if isinstance(exc, EngineError) else 503
        raise ApiError(status, code, "The speech model is not available; you were not charged.") from exc


def generate(user: User, order: Order) -> Audio:
    """Check, charge, then synthesise whole or as a stream."""
    req = check(user, order)
    user_id = user.id  # read before the charge's commit expires the instance
    _load_model()
    cost = len(req.text)
    balance = credits.charge(user_id, cost)
    assert req.fmt is not None  # an order always names its format
    generation = Generation(
        user_id=user_id, text=req.text, voice=req.voice.spec, speed=req.speed,
        lang=req.lang, format=req.fmt, characters=cost, source=order.source,
    )
    if order.stream:
        return _streamed(user_id, req, generation, balance)
    return _whole(user_id, req, generation, balance)


def _headers(generation: Generation, balance: int | None) -> dict[str, str]:
    return {
        "X-Generation-Id": str(generation.id),
        "X-Characters-Charged": str(generation.characters),
        "X-Credits-Remaining": credits.header_value(balance),
        "Content-Disposition": f'attachment; filename="kokoro-{generation.id}{EXTENSIONS[generation.format]}"',
    }


def _whole(user_id: int, req: Request, generation: Generation, balance: int | None) -> Audio:
    engine = get_engine()
    charged = generation.characters
    try:
        result = engine.synthesize(req)
        audio = engine.encode(result.audio, generation.format)
        generation.duration = round(result.duration, 3)
        db.session.add(generation)
        db.session.flush()  # the id names the audio file
        audio_store.save(generation, audio)
        headers = _headers(generation, balance)  # before the commit expires the instance
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        audio_store.delete_audio(generation)  # a file written before a failed commit
        credits.refund(user_id, charged)
        log.exception("synthesis failed; %d credits refunded", charged)
        raise ApiError(500, "synthesis_failed", "Speech synthesis failed; you were not charged.") from exc
    _retain(user_id)
    headers["X-Audio-Duration"] = f"{result.duration:.3f}"
    return Audio(audio, content_type(generation.format), headers)


def _streamed(user_id: int, req: Request, generation: Generation, balance: int | None) -> Audio:
    charged = generation.characters
    try:
        db.session.add(generation)
        db.session.commit()  # the id goes out in the headers, before the audio
    except Exception:
        db.session.rollback()
        credits.refund(user_id, charged)
        raise
    stream = _Stream(user_id, generation.id, charged, req)
    return Audio(stream.body(), content_type(generation.format), _headers(generation, balance))


class _Stream:
    """Synthesis sent as it is made, settled when it ends, fails, or the client leaves."""

    def __init__(self, user_id: int, generation_id: int, charged: int, req: Request) -> None:
        self.user_id, self.generation_id, self.charged, self.req = user_id, generation_id, charged, req
        self.spoken = 0
        self.seconds = 0.0

    def _count(self, pieces: Iterator[Piece]) -> Iterator[Piece]:
        for piece in pieces:
            self.spoken += piece.chars
            self.seconds += piece.duration
            yield piece

    def body(self) -> Iterator[bytes]:
        engine = get_engine()
        fmt = self.req.fmt or "wav"
        encoded = bytearray()
        finished = False
        chunks = engine.encode_stream(self._count(engine.stream(self.req)), fmt)
        try:
            for data in chunks:
                encoded += data
                yield data
            finished = True
        finally:
            chunks.close()  # stops synthesis when the client went away
            spoken = self.charged if finished else self.spoken
            _settle(self.user_id, self.generation_id, self.charged, spoken, self.seconds,
                    bytes(encoded) if finished else None)


def _settle(user_id: int, generation_id: int, charged: int, spoken: int, seconds: float,
            audio: bytes | None) -> None:
    """After a stream: keep what was spoken, refund the rest (in the same transaction),
    store the audio if the stream was complete."""
    try:
        generation = db.session.get(Generation, generation_id)
        if generation is None:  # deleted meanwhile (account gone)
            return
        refund = max(0, charged - spoken)
        generation.characters = charged - refund
        generation.duration = round(seconds, 3)
        if audio is not None:
            audio_store.save(generation, audio)
        elif spoken == 0:
            db.session.delete(generation)  # nothing was spoken: as if never asked
        credits.refund(user_id, refund, commit=False)
        db.session.commit()
        if refund:
            log.info("stream %s stopped early: %d of %d characters refunded", generation_id, refund, charged)
    except Exception:
        db.session.rollback()
        log.exception("could not settle stream %s", generation_id)
        return
    _retain(user_id)


def _retain(user_id: int) -> None:
    """Prune old audio; a failure here must not fail the generation that triggered it."""
    try:
        audio_store.apply_retention(user_id)
    except Exception:
        db.session.rollback()
        log.exception("audio retention failed for user %s", user_id)
