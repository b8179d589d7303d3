"""One generation, from request to response: check, charge, synthesise, record.

Shared by `POST /api/tts/generate` and the OpenAI-compatible `POST /v1/audio/speech`.
The order matters: every input is checked and the credits are taken (one atomic
statement) before any synthesis; whatever fails after the charge is refunded, and
a stream that the client leaves is refunded for the part not yet synthesised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Response, current_app, stream_with_context

from ..errors import ApiError
from ..extensions import db
from ..models import Generation, User
from . import credits, storage
from .engine import EngineError, Piece, Request, content_type, get_engine
from .engine.audio import EXTENSIONS

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


def check(user: User, order: Order) -> Request:
    """Resolve defaults and validate everything; raises ApiError before anything is spent."""
    preferences = user.preferences if isinstance(user.preferences, dict) else {}
    voice = order.voice or preferences.get("default_voice")
    speed = order.speed if order.speed is not None else preferences.get("default_speed", 1.0)
    try:
        return get_engine(current_app).validate(order.text, voice, speed, order.lang, order.format)
    except EngineError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc


def respond(user: User, order: Order) -> Response:
    """Check, charge, then synthesise whole or as a stream; the audio response."""
    req = check(user, order)
    user_id = user.id  # read before the charge's commit expires the instance
    try:
        get_engine(current_app).load()  # a broken model fails here, before any charge
    except Exception as exc:
        log.exception("the speech model cannot be loaded")
        status, code = (exc.status, exc.code) if isinstance(exc, EngineError) else (503, "model_unavailable")
        raise ApiError(status, code, "The speech model is not available; you were not charged.") from exc
    cost = len(req.text)
    balance = credits.charge(user_id, cost)
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


def _whole(user_id: int, req: Request, generation: Generation, balance: int | None) -> Response:
    engine = get_engine(current_app)
    charged = generation.characters
    try:
        result = engine.synthesize(req.text, req.voice.spec, req.speed, req.lang)
        audio = engine.encode(result.audio, req.fmt)
        generation.duration = round(result.duration, 3)
        db.session.add(generation)
        db.session.flush()  # the id names the audio file
        storage.save(generation, audio)
        headers = _headers(generation, balance)  # before the commit expires the instance
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        storage.delete_audio(generation)  # a file written before a failed commit
        credits.refund(user_id, charged)
        log.exception("synthesis failed; %d credits refunded", charged)
        raise ApiError(500, "synthesis_failed", "Speech synthesis failed; you were not charged.") from exc
    _retain(user_id)
    response = Response(audio, mimetype=content_type(req.fmt))
    response.headers.update(headers)
    response.headers["X-Audio-Duration"] = f"{result.duration:.3f}"
    return response


def _streamed(user_id: int, req: Request, generation: Generation, balance: int | None) -> Response:
    charged = generation.characters
    try:
        db.session.add(generation)
        db.session.commit()  # the id goes out in the headers, before the audio
    except Exception:
        db.session.rollback()
        credits.refund(user_id, charged)
        raise
    generation_id = generation.id
    headers = _headers(generation, balance)

    def body() -> Iterator[bytes]:
        spoken = 0
        seconds = 0.0
        finished = False
        encoded = bytearray()

        def count(pieces: Iterator[Piece]) -> Iterator[Piece]:
            nonlocal spoken, seconds
            for piece in pieces:
                spoken += piece.chars
                seconds += piece.duration
                yield piece

        chunks = None
        try:
            engine = get_engine(current_app)
            pieces = engine.stream(req.text, req.voice.spec, req.speed, req.lang)
            chunks = engine.encode_stream(count(pieces), req.fmt)
            for data in chunks:
                encoded += data
                yield data
            finished = True
        finally:
            if chunks is not None:
                chunks.close()  # stops synthesis when the client went away
            _settle(user_id, generation_id, charged, charged if finished else spoken,
                    seconds, bytes(encoded) if finished else None)

    response = Response(stream_with_context(body()), mimetype=content_type(req.fmt))
    response.headers.update(headers)
    return response


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
            storage.save(generation, audio)
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
        storage.apply_retention(user_id)
    except Exception:
        db.session.rollback()
        log.exception("audio retention failed for user %s", user_id)
