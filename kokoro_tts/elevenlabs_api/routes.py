"""POST /v1/text-to-speech/{voice_id} (and /stream, /with-timestamps, /stream/with-timestamps),
GET /v1/voices, GET /v1/voices/{voice_id}; GET /v1/models answers ElevenLabs' clients too
(`models`)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Response, current_app, request

from ..engine.errors import Message
from ..extensions import limiter
from ..openapi import GENERATION_HEADERS, audio, errors, generation_errors
from ..rest import audio_response, bounded_stream, client_gone
from ..security import auth_required, current_caller, rate_limit_key
from ..services import user_voices
from ..services.errors import ServiceError
from ..services.generation import Audio, Order, generate
from . import bp
from .alignment import Aligner, alignment
from .formats import OutputFormat, convert, parse
from .schemas import (
    MODELS,
    ElevenLabsVoiceSchema,
    ElevenLabsVoicesSchema,
    OutputQuerySchema,
    TextToSpeechSchema,
    WithTimestampsSchema,
)

_ERRORS = generation_errors(elevenlabs=True, notes={
    400: "The request is not valid, `model_not_found`, `unknown_format` (an `output_format` that cannot be made "
         "here: the message says what can), or the engine cannot speak it as given (`unknown_voice` ...).",
})
_NDJSON = {"responses": {200: {"content": {"application/x-ndjson": {"schema": WithTimestampsSchema}}}}}


def _speak(voice_id: str, data: dict[str, Any], query: dict[str, Any], stream: bool) -> tuple[Audio, OutputFormat]:
    """The generation an ElevenLabs request asks for (charged like any other), and its output format."""
    out = parse(query["output_format"])
    if data["model_id"] not in MODELS:
        raise ServiceError("model_not_found", Message("Unknown model {model!r}; use one of {models}.",
                                                    model=data["model_id"], models=", ".join(MODELS)))
    order = Order(text=data["text"], voice=voice_id, speed=(data["voice_settings"] or {}).get("speed"),
                  lang=data["language_code"], format=out.fmt, stream=stream, source="elevenlabs",
                  stop=client_gone())
    return generate(current_caller(), order), out


def _converted(made: Audio, out: OutputFormat) -> Audio:
    body = b"".join(convert([made.body], out)) if isinstance(made.body, bytes) else convert(made.body, out)
    return replace(made, body=body, content_type=out.content_type,
                   headers={**made.headers, "X-Output-Format": out.name})


def _route(path: str, stream: bool) -> Any:
    """The decorators of the two audio routes."""
    def decorate(view: Any) -> Any:
        for wrap in reversed([
            bp.post(path), auth_required,
            limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key),
            bp.arguments(TextToSpeechSchema), bp.arguments(OutputQuerySchema, location="query"),
            bp.response(200, content_type="audio/mpeg", description="The audio in `output_format`"
                        + (", streamed as it is made." if stream else ".")),
            bp.doc(**audio(GENERATION_HEADERS)), bp.doc(**_ERRORS),
        ]):
            view = wrap(view)
        return view
    return decorate


@_route("/text-to-speech/<voice_id>", stream=False)
def convert_text(data: dict[str, Any], query: dict[str, Any], voice_id: str):
    """ElevenLabs' `text_to_speech.convert`: the whole audio. `voice_settings.speed` is honoured, the
    other settings accepted and without effect."""
    return audio_response(_converted(*_speak(voice_id, data, query, stream=False)))


@_route("/text-to-speech/<voice_id>/stream", stream=True)
def stream_text(data: dict[str, Any], query: dict[str, Any], voice_id: str):
    """ElevenLabs' `text_to_speech.stream`: the audio as it is made (paced like any stream)."""
    return audio_response(_converted(*_speak(voice_id, data, query, stream=True)))


def _with_timestamps(made: Audio, text: str) -> dict[str, Any]:
    aligned = alignment(text, made.words, made.seconds())
    assert isinstance(made.body, bytes)
    return {"audio_base64": base64.b64encode(made.body).decode("ascii"), "alignment": aligned,
            "normalized_alignment": aligned}


@bp.post("/text-to-speech/<voice_id>/with-timestamps")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(TextToSpeechSchema)
@bp.arguments(OutputQuerySchema, location="query")
@bp.response(200, WithTimestampsSchema)
@bp.doc(**_ERRORS)
def convert_with_timestamps(data: dict[str, Any], query: dict[str, Any], voice_id: str):
    """The whole audio (base64) and the time of each character of the text, from the word timings
    (a word's characters share its time; `normalized_alignment` is the same alignment)."""
    made = _converted(*_speak(voice_id, data, query, stream=False))
    return _with_timestamps(made, data["text"]), 200, _json_headers(made)


def _lines(made: Audio, text: str) -> Iterator[bytes]:
    """One JSON line per chunk of audio: the chunk and the characters timed since the last line."""
    aligner, seen = Aligner(text), 0
    assert not isinstance(made.body, bytes)
    for chunk in made.body:
        words = made.words_so_far()
        aligner.add(words[seen:])
        seen = len(words)
        if chunk:
            yield _line(chunk, aligner.take())
    aligner.finish(made.seconds())
    rest = aligner.take()
    if rest["characters"]:
        yield _line(b"", rest)


def _line(chunk: bytes, aligned: dict[str, list]) -> bytes:
    body = {"audio_base64": base64.b64encode(chunk).decode("ascii"), "alignment": aligned,
            "normalized_alignment": aligned}
    return json.dumps(body, ensure_ascii=False).encode() + b"\n"


@bp.post("/text-to-speech/<voice_id>/stream/with-timestamps")
@auth_required
@limiter.limit(lambda: current_app.config["GENERATE_RATE_LIMIT"], key_func=rate_limit_key)
@bp.arguments(TextToSpeechSchema)
@bp.arguments(OutputQuerySchema, location="query")
@bp.response(200, description="One JSON object per line: a chunk of audio (base64) and its characters' times.")
@bp.doc(**_NDJSON)
@bp.doc(**_ERRORS)
def stream_with_timestamps(data: dict[str, Any], query: dict[str, Any], voice_id: str):
    """ElevenLabs' `stream_with_timestamps`: audio as it is made, each chunk with its alignment."""
    made = _converted(*_speak(voice_id, data, query, stream=True))
    response = Response(bounded_stream(_lines(made, data["text"])), mimetype="application/x-ndjson")
    response.headers.update(_json_headers(made))
    return response


def _json_headers(made: Audio) -> dict[str, str]:
    """The generation's headers on a JSON answer: no file name (it is not an audio file)."""
    return {k: v for k, v in made.headers.items() if k != "Content-Disposition"}


def _voice(entry: dict[str, Any]) -> dict[str, Any]:
    labels = {k: str(entry[k]) for k in ("language", "gender") if entry.get(k)}
    return {
        "voice_id": entry["id"], "name": entry["name"], "category": "premade", "labels": labels,
        "description": f"Kokoro-82M voice (grade {entry['grade']})" if entry.get("grade") else "Kokoro-82M voice",
        "preview_url": f"{request.host_url}api/tts/voices/{entry['id']}/preview",
    }


@bp.get("/voices")
@auth_required
@bp.response(200, ElevenLabsVoicesSchema)
@bp.doc(**errors(401, 503, elevenlabs=True))
def voices():
    """The voices this server can speak now, in ElevenLabs' shape (ids are this service's)."""
    return {"voices": [_voice(v) for v in user_voices.listing(current_caller(), available=True)]}


@bp.get("/voices/<voice_id>")
@auth_required
@bp.response(200, ElevenLabsVoiceSchema)
@bp.doc(**errors(401, 404, 503, elevenlabs=True, notes={404: "`voice_not_found`: not a voice this server has."}))
def voice(voice_id: str):
    """One voice, in ElevenLabs' shape."""
    for entry in user_voices.listing(current_caller(), available=True):
        if entry["id"] == voice_id:
            return _voice(entry)
    raise ServiceError("voice_not_found", Message("No voice {voice!r} on this server.", voice=voice_id))


def models() -> list[dict[str, Any]]:
    """GET /v1/models for an ElevenLabs client (a list of its models; all are Kokoro-82M here)."""
    return [{"model_id": m, "name": "Kokoro-82M" if m == "kokoro-82m" else f"{m} (Kokoro-82M)",
             "can_do_text_to_speech": True, "can_be_finetuned": False, "can_do_voice_conversion": False}
            for m in MODELS]
