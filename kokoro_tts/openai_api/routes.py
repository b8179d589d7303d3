"""POST /v1/audio/speech, GET /v1/models, GET /v1/audio/voices."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, Schema, fields, validate

from ..auth.identity import caller, login_required, rate_limit_key
from ..errors import ApiError
from ..extensions import limiter
from ..rest import BEARER, StrictFloat
from ..tts.engine import MAX_SPEED, MIN_SPEED, get_engine
from ..tts.generation import Order, respond
from . import bp
from .voices import OPENAI_VOICES, resolve

MODELS = ("kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")
CREATED = 1735689600  # a fixed timestamp: the models do not change at run time


class SpeechSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # newer SDK fields (instructions, stream_format ...) are ignored

    model = fields.String(required=True, metadata={"enum": list(MODELS)})
    input = fields.String(required=True)
    voice = fields.String(required=True, metadata={"description": "an OpenAI voice name or a Kokoro voice"})
    response_format = fields.String(load_default="mp3", metadata={"enum": ["mp3", "opus", "flac", "wav", "pcm"]})
    speed = StrictFloat(load_default=1.0, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED))


class ModelSchema(Schema):
    id = fields.String()
    object = fields.String()
    created = fields.Integer()
    owned_by = fields.String()


class ModelListSchema(Schema):
    object = fields.String()
    data = fields.List(fields.Nested(ModelSchema))


class OpenAIVoicesSchema(Schema):
    voices = fields.List(fields.String())
    aliases = fields.Dict(keys=fields.String(), values=fields.String())


@bp.post("/audio/speech")
@login_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(SpeechSchema)
@bp.response(200, content_type="audio/mpeg", description="The audio, streamed as it is made.")
@bp.doc(security=BEARER)
def speech(data: dict[str, Any]):
    """OpenAI's `audio.speech.create`: charged and recorded like any generation."""
    if data["model"] not in MODELS:
        raise ApiError(400, "model_not_found", f"Unknown model {data['model']!r}; use one of {', '.join(MODELS)}.")
    voice, lang = resolve(get_engine(current_app), data["voice"])
    order = Order(
        text=data["input"], voice=voice, speed=data["speed"], lang=lang,
        format=data["response_format"], stream=True, source="openai",
    )
    return respond(caller(), order)


@bp.get("/models")
@bp.response(200, ModelListSchema)
def models():
    """The model names this service answers to (all are Kokoro-82M)."""
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": CREATED, "owned_by": "kokoro-tts"} for m in MODELS],
    }


@bp.get("/audio/voices")
@bp.response(200, OpenAIVoicesSchema)
def voices():
    """The voices this server can speak now, and the OpenAI names it understands."""
    available = [v.id for v in get_engine(current_app).voices() if v.available]
    return {"voices": available, "aliases": OPENAI_VOICES}


