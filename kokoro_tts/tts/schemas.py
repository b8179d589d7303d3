"""Request and response schemas of the TTS API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..engine import FORMATS, LANGUAGES, MAX_SPEED, MIN_SPEED
from ..rest import StrictFloat
from ..schemas import GenerationSchema


class VoiceQuerySchema(Schema):
    language = fields.String(metadata={"description": "e.g. en-us, fr, ja"})
    available = fields.Boolean(metadata={"description": "only voices a loaded pack has (true) or not"})


class VoiceSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    language = fields.String(required=True, allow_none=True)
    gender = fields.String(required=True, allow_none=True)
    grade = fields.String(required=True, allow_none=True)
    available = fields.Boolean(required=True, metadata={"description": "a loaded voice pack has it"})
    favorite = fields.Boolean(required=True)


class VoiceListSchema(Schema):
    voices = fields.List(fields.Nested(VoiceSchema), required=True)


class FavoritesSchema(Schema):
    favorite_voices = fields.List(fields.String(), required=True)


class GenerateSchema(Schema):
    text = fields.String(
        required=True, metadata={"description": "at most TTS_MAX_CHARS characters", "example": "Hello."}
    )
    voice = fields.String(
        load_default=None, allow_none=True,
        metadata={"description": "voice id or blend such as af_bella(2)+af_sky(1); "
                                 "default: your default_voice, then the server's", "example": "jf_alpha"},
    )
    speed = StrictFloat(
        load_default=None, allow_none=True, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED),
        metadata={"description": "default: your default_speed, then 1.0"},
    )
    lang = fields.String(
        load_default=None, allow_none=True,
        metadata={"description": f"{', '.join(LANGUAGES)} (or an alias: en, fr-FR ...); "
                                 "default: the voice's language", "example": "en-us"},
    )
    format = fields.String(load_default="wav", metadata={"enum": list(FORMATS)})
    stream = fields.Boolean(load_default=False, metadata={"description": "send the audio as it is made"})


class HistoryQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HistoryPageSchema(Schema):
    items = fields.List(fields.Nested(GenerationSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class DeletedSchema(Schema):
    deleted = fields.Integer(required=True)
