"""POST /v1/audio/speech, GET /v1/models, GET /v1/audio/voices."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from ..elevenlabs_api.routes import models as elevenlabs_models
from ..engine.errors import Message
from ..extensions import limiter
from ..openapi import GENERATION_HEADERS, audio, generation_errors
from ..rest import PUBLIC, audio_response, client_gone
from ..security import XI_API_KEY, auth_required, caller, current_caller, rate_limit_key
from ..services import user_voices
from ..services.errors import ServiceError
from ..services.generation import Order, generate
from . import bp
from .schemas import MODELS, ModelListSchema, OpenAIVoicesSchema, SpeechSchema
from .sse import SSE_DOC, sse_response
from .voice_names import OPENAI_VOICES, resolve

CREATED = 1735689600  # a fixed timestamp: the models do not change at run time


@bp.post("/audio/speech")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(SpeechSchema)
@bp.response(200, content_type="audio/mpeg", description="The audio in `response_format`, streamed as it is made.")
@bp.doc(**audio(GENERATION_HEADERS))
@bp.doc(**SSE_DOC)
@bp.doc(**generation_errors(openai=True, notes={
    400: "The request is not valid (`param`: the first field at fault), `model_not_found`, or the engine cannot "
         "speak it as given (`unknown_voice`, `unsupported_language`, `empty_text`, `nothing_to_say` ...).",
}))
def speech(data: dict[str, Any]):
    """OpenAI's `audio.speech.create`: charged and recorded like any generation.

    `stream_format: "sse"` answers server-sent events; `instructions` is accepted and changes nothing.
    """
    if data["model"] not in MODELS:
        raise ServiceError("model_not_found", Message("Unknown model {model!r}; use one of {models}.",
                                                    model=data["model"], models=", ".join(MODELS)))
    voice, lang = resolve(user_voices.available_ids(), data["voice"])
    order = Order(
        text=data["input"], voice=voice, speed=data["speed"], lang=lang,
        format=data["response_format"], stream=True, source="openai", stop=client_gone(),
    )
    audio = generate(current_caller(), order)
    if data["stream_format"] == "sse":
        return sse_response(audio)
    return audio_response(audio)


@bp.get("/models")
@bp.response(200, ModelListSchema)
@bp.doc(**PUBLIC)
def models():
    """The model names this service answers to (all are Kokoro-82M). An ElevenLabs client (its
    `xi-api-key` header) gets ElevenLabs' shape instead: a list of `{"model_id", "name", ...}`."""
    if XI_API_KEY in request.headers:
        caller()  # its key is checked, as ElevenLabs does
        return jsonify(elevenlabs_models())
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": CREATED, "owned_by": "kokoro-tts"} for m in MODELS],
    }


@bp.get("/audio/voices")
@bp.response(200, OpenAIVoicesSchema)
@bp.doc(**PUBLIC)
def voices():
    """The voices this server can speak now, and the OpenAI names it understands."""
    return {"voices": user_voices.available_ids(), "aliases": OPENAI_VOICES}


