"""Request and response schemas of the TTS API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..engine import FORMATS, LANGUAGES, MAX_SPEED, MIN_SPEED
from ..engine.normalize import KINDS
from ..rest import StrictBoolean, StrictFloat, TextBoolean, UTCDateTime
from ..schemas import GenerationSchema
from ..services.pronunciations import MAX_RULES, MAX_SAID, MAX_TEXT


class VoiceQuerySchema(Schema):
    language = fields.String(metadata={"description": "e.g. en-us, fr, ja"})
    available = TextBoolean(metadata={"description": "only voices a loaded pack has (true) or not"})


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


#: One switch per kind of normalisation, all on unless given.
NormalizationSchema = Schema.from_dict({kind: StrictBoolean(load_default=True) for kind in KINDS},
                                       name="NormalizationSchema")


class GenerateSchema(Schema):
    text = fields.String(
        required=True,
        metadata={"description": "at most TTS_MAX_CHARS characters; or an SSML document (`<speak>...</speak>`, "
                                 "see the README's SSML table), charged for the text it speaks",
                  "example": "Hello."},
    )
    text_type = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["text", "ssml"]),
        metadata={"description": "default: ssml when the text starts with <speak>, else text"},
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
    stream = StrictBoolean(load_default=False, metadata={"description": "send the audio as it is made"})
    normalize = StrictBoolean(
        load_default=True,
        metadata={"description": "read numbers, money, dates, times, units, abbreviations, URLs, email "
                                 "addresses and phone numbers as words (English and French)"},
    )
    normalization = fields.Nested(
        NormalizationSchema, load_default=None, allow_none=True, unknown=RAISE,
        metadata={"description": "switch kinds of normalisation off one by one (all on by default)"},
    )


class CaptionedSchema(GenerateSchema):
    class Meta:
        exclude = ("stream",)


class WordSchema(Schema):
    word = fields.String(required=True, metadata={"description": "as written, punctuation attached"})
    start = fields.Float(required=True, metadata={"description": "seconds"})
    end = fields.Float(required=True, metadata={"description": "seconds"})


class MarkSchema(Schema):
    name = fields.String(required=True)
    time = fields.Float(required=True, metadata={"description": "seconds: the start of the word after the mark"})


class CaptionedResponseSchema(Schema):
    audio = fields.String(required=True, metadata={"description": "the audio file, base64", "format": "byte"})
    format = fields.String(required=True)
    duration = fields.Float(required=True, metadata={"description": "seconds"})
    generation_id = fields.Integer(required=True)
    words = fields.List(fields.Nested(WordSchema), required=True)
    marks = fields.List(fields.Nested(MarkSchema), required=True,
                        metadata={"description": "an SSML text's <mark> elements, in order"})


class CaptionsQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "vtt", "srt"]))


class ChaptersQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "vtt"]))


class ChapterMarkSchema(Schema):
    title = fields.String(required=True)
    start = fields.Float(required=True, metadata={"description": "seconds"})
    end = fields.Float(required=True, metadata={"description": "seconds"})


class ChaptersSchema(Schema):
    generation_id = fields.Integer(required=True)
    chapters = fields.List(fields.Nested(ChapterMarkSchema), required=True)


class CaptionsSchema(Schema):
    generation_id = fields.Integer(required=True)
    words = fields.List(fields.Nested(WordSchema), required=True)


class RuleInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT),
                         metadata={"description": "whole words to replace", "example": "Kokoro"})
    alias = fields.String(validate=validate.Length(min=1, max=MAX_SAID),
                          metadata={"description": "say these words instead (or give phonemes)"})
    phonemes = fields.String(validate=validate.Length(min=1, max=MAX_SAID),
                             metadata={"description": "say these phonemes (Kokoro's set)", "example": "kˈOkəɹO"})
    case_sensitive = StrictBoolean(load_default=True)


class RuleSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    alias = fields.String(required=True, allow_none=True)
    phonemes = fields.String(required=True, allow_none=True)
    case_sensitive = fields.Boolean(required=True)
    created_at = UTCDateTime(required=True)


class RuleListSchema(Schema):
    rules = fields.List(fields.Nested(RuleSchema), required=True)
    limit = fields.Integer(required=True, metadata={"description": f"rules an account may have ({MAX_RULES})"})


class PlsUploadSchema(Schema):
    """For the OpenAPI document only: the multipart body of a lexicon's import."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "a PLS 1.0 lexicon (.pls, .xml)"})


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


class QueueSchema(Schema):
    places = fields.List(fields.Integer(), required=True,
                         metadata={"description": "your live streams waiting in line: their places (1: next)"})
    listening = fields.Integer(required=True, metadata={"description": "live streams being made now"})
    waiting = fields.Integer(required=True, metadata={"description": "live streams waiting in line"})
    capacity = fields.Integer(required=True, metadata={"description": "live streams spoken in real time at once"})
