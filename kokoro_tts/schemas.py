"""Response schemas that more than one API answers with: a history item, and the two error shapes.

Response fields are marked `required` (they are always present) and `allow_none` where the value
can be null, so that the OpenAPI document says exactly what a client receives.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .rest import UTCDateTime


class GenerationSchema(Schema):
    """One history item (the tts history routes, and `user.history` of the account API)."""

    id = fields.Integer(required=True)
    text = fields.String(required=True)
    voice = fields.String(required=True)
    speed = fields.Float(required=True)
    lang = fields.String(required=True, allow_none=True)
    format = fields.String(required=True)
    characters = fields.Integer(required=True, metadata={"description": "the characters charged"})
    duration = fields.Float(required=True, allow_none=True, metadata={"description": "seconds; null: not known"})
    source = fields.String(required=True, metadata={"description": "api, openai, job or legacy"})
    created_at = UTCDateTime(required=True)
    has_audio = fields.Function(
        lambda g: g.audio_path is not None, required=True,
        metadata={"type": "boolean", "description": "whether GET .../audio can replay it"},
    )
    has_captions = fields.Function(
        lambda g: bool(g.words), required=True,
        metadata={"type": "boolean", "description": "whether GET .../captions has word timings for it"},
    )
    chapters = fields.Function(
        lambda g: g.chapters, required=True, allow_none=True,
        metadata={"type": "array", "items": {"type": "object"},
                  "description": "a long-form job's chapters, [{title, start, end}] in seconds; null otherwise"},
    )
    extra = fields.Function(
        lambda g: (g.extra or {}).get("legacy_entry"), required=True, allow_none=True,
        metadata={"description": "an entry moved from users.history, as it was (any JSON value, "
                                 "an object in practice); null for the service's own generations"},
    )


#: `user.history` of the account API is a short preview; the whole history is paged at /api/tts/history.
PREVIEW_ITEMS = 5
PREVIEW_CHARS = 100


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1].rstrip() + "…"


class HistoryPreviewSchema(GenerationSchema):
    """A history item in `user.history`: its text cut to a preview, without `extra` or `chapters`."""

    class Meta:
        exclude = ("extra", "chapters")

    text = fields.Function(  # type: ignore[assignment]  # the same JSON type, computed
        lambda g: _preview(g.text), required=True,
        metadata={"type": "string", "description": f"the first {PREVIEW_CHARS} characters of the text"},
    )


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "the HTTP status, repeated"})
    code = fields.String(
        required=True, metadata={"description": "stable and machine-readable", "example": "invalid_credentials"}
    )
    message = fields.String(required=True, metadata={"description": "for people"})
    details = fields.Dict(
        keys=fields.String(),
        metadata={"description": "more about some errors: `fields` (the messages per field at fault) for "
                                 "`validation_error`, `credits` and `required` for `insufficient_credits`"},
    )


class ErrorSchema(Schema):
    """Every error of the API but those of /v1 (`kokoro_tts.errors`)."""

    error = fields.Nested(ErrorBodySchema, required=True)


class OpenAIErrorBodySchema(Schema):
    message = fields.String(required=True)
    type = fields.String(
        required=True,
        metadata={"description": "invalid_request_error, insufficient_quota (402), rate_limit_exceeded (429) "
                                 "or server_error (5xx)"},
    )
    param = fields.String(required=True, allow_none=True, metadata={"description": "the first field at fault"})
    code = fields.String(required=True, metadata={"description": "the service's error code"})


class ElevenLabsErrorBodySchema(Schema):
    status = fields.String(required=True, metadata={"description": "the error's code, as in this API's own errors"})
    message = fields.String(required=True)
    details = fields.Dict()


class ElevenLabsErrorSchema(Schema):
    """The errors of the ElevenLabs-compatible routes, in ElevenLabs' shape, so that its SDKs read them."""

    detail = fields.Nested(ElevenLabsErrorBodySchema, required=True)


class OpenAIErrorSchema(Schema):
    """The errors of the OpenAI-compatible routes (/v1), in OpenAI's shape, so that its SDKs read them."""

    error = fields.Nested(OpenAIErrorBodySchema, required=True)


# Usage: GET /api/auth/me/usage, and the admin API's usage of an account and of the service.


class UsageQuerySchema(Schema):
    first = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "the first day (YYYY-MM-DD); default: 29 days before `to`"})
    last = fields.Date(data_key="to", load_default=None,
                       metadata={"description": "the last day, included; default: today in `tz`"})
    tz = fields.String(
        load_default="UTC", validate=validate.Length(min=1, max=64),
        metadata={"description": "the IANA time zone whose days are counted (accounts have none of their own); "
                                 "default UTC", "example": "Europe/Paris"},
    )


class UsageMeasuresSchema(Schema):
    characters = fields.Integer(required=True, metadata={"description": "characters charged"})
    seconds = fields.Float(required=True, metadata={"description": "seconds of audio"})
    generations = fields.Integer(required=True)


class UsageDaySchema(UsageMeasuresSchema):
    date = fields.Date(required=True)
    sources = fields.Dict(keys=fields.String(), values=fields.Nested(UsageMeasuresSchema), required=True,
                          metadata={"description": "the day's measures per source that had any"})


class UsageSchema(Schema):
    first = fields.Date(data_key="from", required=True)
    last = fields.Date(data_key="to", required=True)
    tz = fields.String(required=True)
    totals = fields.Nested(UsageMeasuresSchema, required=True)
    sources = fields.Dict(
        keys=fields.String(), values=fields.Nested(UsageMeasuresSchema), required=True,
        metadata={"description": "totals per source: page, api (other programs), openai (/v1), job (long-form), "
                                 "legacy (moved from the old history)"},
    )
    days = fields.List(fields.Nested(UsageDaySchema), required=True, metadata={"description": "every day, in order"})
