"""Request and response schemas of the OpenAI-compatible routes, in OpenAI's field names."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..engine import MAX_SPEED, MIN_SPEED
from ..rest import StrictFloat

#: The model names this service answers to (all are Kokoro-82M).
MODELS = ("kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")


class SpeechSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # fields of newer SDKs are ignored

    model = fields.String(required=True, metadata={"enum": list(MODELS)})
    input = fields.String(required=True, metadata={
        "example": "Hello.", "description": "the text, or an SSML document (`<speak>...</speak>`; see the README)",
    })
    voice = fields.String(
        required=True, metadata={"description": "an OpenAI voice name or a Kokoro voice", "example": "alloy"}
    )
    response_format = fields.String(
        load_default="mp3", metadata={"enum": ["mp3", "opus", "aac", "flac", "wav", "pcm"]}
    )
    speed = StrictFloat(load_default=1.0, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED))
    stream_format = fields.String(
        load_default="audio", validate=validate.OneOf(["audio", "sse"]),
        metadata={"description": "`audio`: the file's bytes as they are made; `sse`: server-sent events "
                                 "`speech.audio.delta` (base64 audio) then `speech.audio.done` (usage)"},
    )
    instructions = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=4096),
        metadata={"description": "accepted for compatibility; Kokoro's voices do not take instructions, "
                                 "so it changes nothing"},
    )


class ModelSchema(Schema):
    id = fields.String(required=True)
    object = fields.String(required=True, metadata={"enum": ["model"]})
    created = fields.Integer(required=True)
    owned_by = fields.String(required=True)


class ModelListSchema(Schema):
    object = fields.String(required=True, metadata={"enum": ["list"]})
    data = fields.List(fields.Nested(ModelSchema), required=True)


class OpenAIVoicesSchema(Schema):
    voices = fields.List(fields.String(), required=True, metadata={"description": "the voices loaded now"})
    aliases = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "OpenAI's voice names and the Kokoro voice each stands for"},
    )
