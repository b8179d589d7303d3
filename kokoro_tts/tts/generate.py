"""POST /api/tts/generate: text in, audio out (whole, or streamed as it is made)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..extensions import limiter
from ..openapi import GENERATION_HEADERS, audio, errors, generation_errors
from ..rest import audio_response, client_gone
from ..security import auth_required, by_page, current_caller, rate_limit_key
from ..services.generation import Order, line_for
from ..services.generation import generate as run
from . import bp
from .schemas import GenerateSchema, QueueSchema


@bp.post("/generate")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(GenerateSchema)
@bp.response(200, content_type="audio/wav", description="The audio, with X-Generation-Id, "
             "X-Characters-Charged, X-Credits-Remaining and (unless streamed) X-Audio-Duration headers.")
@bp.doc(**audio(GENERATION_HEADERS))
@bp.doc(**generation_errors())
def generate(data: dict[str, Any]):
    """Turn text into speech; costs one credit per character."""
    order = Order(
        text=data["text"], voice=data["voice"], speed=data["speed"], lang=data["lang"],
        format=data["format"], stream=data["stream"], normalize=data["normalize"],
        normalization=data["normalization"], text_type=data["text_type"], stop=client_gone(),
        source="page" if by_page() else "api",
    )
    return audio_response(run(current_caller(), order))


@bp.get("/queue")
@auth_required
@bp.response(200, QueueSchema)
@bp.doc(**errors(401, 503))
def queue():
    """The line of live streams (real-time admission): where yours wait, how many are being made and
    waiting, and how many this server speaks in real time at once."""
    return line_for(current_caller())
