"""Response schemas that more than one API answers with."""

from __future__ import annotations

from marshmallow import Schema, fields

from .rest import UTCDateTime


class GenerationSchema(Schema):
    """One history item (the tts history routes, and `user.history` of the account API)."""

    id = fields.Integer()
    text = fields.String()
    voice = fields.String()
    speed = fields.Float()
    lang = fields.String(allow_none=True)
    format = fields.String()
    characters = fields.Integer()
    duration = fields.Float(allow_none=True)
    source = fields.String()
    created_at = UTCDateTime()
    has_audio = fields.Function(lambda g: g.audio_path is not None, metadata={"type": "boolean"})
    extra = fields.Function(
        lambda g: (g.extra or {}).get("legacy_entry"),
        metadata={"description": "an entry moved from users.history, as it was", "type": "object"},
    )
