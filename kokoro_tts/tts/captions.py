"""Word timings: speech with its captions in one answer, and captions of any history item."""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, current_app

from ..engine.timing import Word, srt, webvtt, webvtt_cues
from ..extensions import limiter
from ..openapi import errors, generation_errors, history_item_links, links
from ..rest import client_gone
from ..security import auth_required, current_caller, rate_limit_key
from ..services import history
from ..services.generation import Order, generate
from . import bp
from .schemas import (
    CaptionedResponseSchema,
    CaptionedSchema,
    CaptionsQuerySchema,
    CaptionsSchema,
    ChaptersQuerySchema,
    ChaptersSchema,
)

_TEXT = {"schema": {"type": "string"}}
_CAPTION_TYPES = {"vtt": "text/vtt; charset=utf-8", "srt": "application/x-subrip; charset=utf-8"}


@bp.post("/captioned")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(CaptionedSchema)
@bp.response(200, CaptionedResponseSchema)
@bp.doc(**links(200, **history_item_links("$response.body#/generation_id")))
@bp.doc(**generation_errors())
def captioned(data: dict[str, Any]):
    """Speech and the time of each word, in one JSON answer; charged like `/generate`."""
    order = Order(
        text=data["text"], voice=data["voice"], speed=data["speed"], lang=data["lang"], format=data["format"],
        normalize=data["normalize"], normalization=data["normalization"], text_type=data["text_type"],
        stop=client_gone(),
    )
    audio = generate(current_caller(), order)
    assert isinstance(audio.body, bytes)
    return {
        "audio": base64.b64encode(audio.body).decode("ascii"),
        "format": order.format,
        "duration": round(audio.seconds(), 3),
        "generation_id": int(audio.headers["X-Generation-Id"]),
        "words": [w.as_dict() for w in audio.words],
        "marks": [m.as_dict() for m in audio.marks],
    }, 200, {k: v for k, v in audio.headers.items() if k != "Content-Disposition"}


@bp.get("/history/<int:generation_id>/captions")
@auth_required
@bp.arguments(CaptionsQuerySchema, location="query")
@bp.response(200, CaptionsSchema, description="JSON, or WebVTT (`text/vtt`) or SRT (`application/x-subrip`).")
@bp.doc(responses={200: {"content": {t.split(";")[0]: _TEXT for t in _CAPTION_TYPES.values()}}})
@bp.doc(**errors(400, 401, 404, 503, notes={404: "`generation_not_found`: no such item in your history."}))
def captions(query: dict[str, Any], generation_id: int):
    """The words of a history item with their times, as JSON, WebVTT or SRT cues of a few words."""
    generation = history.item(current_caller(), generation_id)
    words = [Word(str(w), float(s), float(e)) for w, s, e in (generation.words or [])]
    if query["format"] == "json":
        return {"generation_id": generation.id, "words": [w.as_dict() for w in words]}
    body = webvtt(words) if query["format"] == "vtt" else srt(words)
    return Response(body, content_type=_CAPTION_TYPES[query["format"]])


@bp.get("/history/<int:generation_id>/chapters")
@auth_required
@bp.arguments(ChaptersQuerySchema, location="query")
@bp.response(200, ChaptersSchema, description="JSON, or a WebVTT chapters track (`text/vtt`).")
@bp.doc(responses={200: {"content": {"text/vtt": _TEXT}}})
@bp.doc(**errors(400, 401, 404, 503, notes={404: "`generation_not_found`: no such item in your history."}))
def chapters(query: dict[str, Any], generation_id: int):
    """The chapters of a long-form job's result, as JSON or a WebVTT chapters track (for
    `<track kind="chapters">`); empty for other items."""
    generation = history.item(current_caller(), generation_id)
    marks = generation.chapters or []
    if query["format"] == "json":
        return {"generation_id": generation.id, "chapters": marks}
    body = webvtt_cues([(float(m["start"]), float(m["end"]), str(m["title"])) for m in marks])
    return Response(body, content_type=_CAPTION_TYPES["vtt"])
