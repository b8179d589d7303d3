"""Request and response schemas of the TTS API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..engine import FORMATS, MAX_SPEED, MIN_SPEED
from ..rest import StrictFloat
from ..schemas import GenerationSchema


class VoiceQuerySchema(Schema):
    language = fields.String(metadata={"description": "e.g. en-us, fr, ja"})
    available = fields.Boolean(metadata={"description": "only voices a loaded pack has (true) or not"})


class VoiceSchema(Schema):
    id = fields.String()
    name = fields.String()
    language = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    available = fields.Boolean()
    favorite = fields.Boolean()


class VoiceListSchema(Schema):
    voices = fields.List(fields.Nested(VoiceSchema))


class FavoritesSchema(Schema):
    favorite_voices = fields.List(fields.String())


class GenerateSchema(Schema):
    text = fields.String(required=True)
    voice = fields.String(
        load_default=None, allow_none=True,
        metadata={"description": "voice id or blend such as af_bella(2)+af_sky(1); "
                                 "default: your default_voice, then the server's"},
    )
    speed = StrictFloat(
        load_default=None, allow_none=True, validate=validate.Range(min=MIN_SPEED, max=MAX_SPEED),
        metadata={"description": "default: your default_speed, then 1.0"},
    )
    lang = fields.String(load_default=None, allow_none=True,
                         metadata={"description": "default: the voice's language"})
    format = fields.String(load_default="wav", metadata={"enum": list(FORMATS)})
    stream = fields.Boolean(load_default=False)


class HistoryQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HistoryPageSchema(Schema):
    items = fields.List(fields.Nested(GenerationSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class DeletedSchema(Schema):
    deleted = fields.Integer()
