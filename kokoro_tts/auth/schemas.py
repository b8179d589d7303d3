"""Request and response schemas of the account API (also its OpenAPI description)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, pre_dump, pre_load, validate

from ..engine.errors import Message
from ..locales import LOCALES
from ..rest import StrictFloat, UTCDateTime
from ..schemas import PREVIEW_ITEMS, HistoryPreviewSchema
from ..services.user_voices import unavailable_voices, unknown_voices

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_BYTES = 72  # bcrypt's limit: refuse, never truncate


def validate_password(value: str) -> None:
    if len(value) < PASSWORD_MIN_CHARS:
        raise ValidationError(Message("Password must be at least {n} characters.", n=PASSWORD_MIN_CHARS))
    check_password_bytes(value)


def check_password_bytes(value: str) -> None:
    if len(value.encode("utf-8")) > PASSWORD_MAX_BYTES:
        raise ValidationError(
            Message("Password must be at most {n} bytes in UTF-8 (bcrypt's limit).", n=PASSWORD_MAX_BYTES)
        )


class EmailField(fields.Email):
    """Trimmed and lower-cased before it is validated, so that one address is one account."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
        return super()._deserialize(value, attr, data, **kwargs)


class RegisterSchema(Schema):
    email = EmailField(required=True, validate=validate.Length(max=255))
    password = fields.String(required=True, load_only=True, validate=validate_password)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))

    @pre_load
    def _blank_name_is_none(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            data = {**data, "name": data["name"].strip() or None}
        return data


class LoginSchema(Schema):
    email = EmailField(required=True, validate=validate.Length(max=255))
    # No minimum here: accounts made under older rules must still log in.
    password = fields.String(
        required=True,
        load_only=True,
        validate=[validate.Length(min=1), check_password_bytes],
    )


class PasswordSchema(Schema):
    """Confirms a sensitive action (deleting the account)."""

    password = fields.String(required=True, load_only=True, validate=check_password_bytes)


class ForgotPasswordSchema(Schema):
    email = EmailField(required=True, validate=validate.Length(max=255))


class ResetPasswordSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    new_password = fields.String(required=True, load_only=True, validate=validate_password)


class VerifyEmailSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ChangePasswordSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=check_password_bytes
    )
    new_password = fields.String(required=True, load_only=True, validate=validate_password)


def validate_voice_spec(value: str) -> None:
    """A catalogue voice (or one a loaded pack has), or a blend of them."""
    unknown = unknown_voices(value)
    if unknown:
        raise ValidationError(Message("Unknown voice: {voices}.", voices=", ".join(unknown)))


class PreferencesSchema(Schema):
    """The preferences a client may set; unknown keys are refused. null removes one."""

    default_voice = fields.String(
        allow_none=True, validate=[validate.Length(min=1, max=64), validate_voice_spec],
        metadata={"example": "jf_alpha"},
    )
    default_speed = StrictFloat(allow_none=True, validate=validate.Range(min=0.25, max=4.0))
    language = fields.String(
        allow_none=True, validate=validate.OneOf(LOCALES),
        metadata={"description": "the language of the page, the emails and the API's messages for this account"},
    )


class RecentHistory(fields.List):
    """`user.history`: the newest generations, read from the generations table."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return obj.recent_history(PREVIEW_ITEMS)


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    # Columns of the original table, nullable there: accounts it made may hold null.
    is_active = fields.Boolean(required=True, allow_none=True)
    is_verified = fields.Boolean(required=True, allow_none=True)
    created_at = UTCDateTime(required=True, allow_none=True)
    updated_at = UTCDateTime(required=True, allow_none=True)
    last_login = UTCDateTime(required=True, allow_none=True, metadata={"description": "null: never"})
    favorite_voices = fields.List(fields.String(), required=True, allow_none=True)
    history = RecentHistory(
        fields.Nested(HistoryPreviewSchema), required=True, dump_only=True,
        metadata={"description": f"previews of the {PREVIEW_ITEMS} newest generations; "
                                 "all of them, whole: GET /api/tts/history"},
    )
    credits = fields.Integer(required=True, allow_none=True, metadata={"description": "null: unlimited"})
    preferences = fields.Dict(
        keys=fields.String(), values=fields.Raw(allow_none=True), required=True, allow_none=True,
        metadata={"description": "default_voice, default_speed, language (and whatever an older version kept)"},
    )


class MeSchema(UserSchema):
    """GET /api/auth/me: the user as the original API has it, and whether it is an operator (the
    original shape, which registration and login answer, stays as existing clients know it)."""

    is_admin = fields.Boolean(required=True, metadata={"description": "an operator (the admin API); granted by "
                                                                      "`flask users promote` or ADMIN_EMAILS"})


class NoticeSchema(Schema):
    code = fields.String(required=True, metadata={"example": "voice_unavailable"})
    message = fields.String(required=True)


class VoiceNotices(fields.List):
    """Notices about the saved default voice: kept, but not speakable on this server yet."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        preferences = obj.preferences if isinstance(obj.preferences, dict) else {}
        missing_voices = unavailable_voices(preferences.get("default_voice") or "")
        if not missing_voices:
            return []
        return [{
            "code": "voice_unavailable",
            "message": f"Saved, but this server cannot speak {', '.join(missing_voices)} yet (its voices are "
                       "not installed): until they are, generations that name no voice fail with voice_unavailable.",
        }]


class PreferencesAnswerSchema(UserSchema):
    """The account after a preferences change, with what the client should know about it."""

    notices = VoiceNotices(fields.Nested(NoticeSchema), required=True, dump_only=True)


class SessionSchema(Schema):
    """A browser session: the token is in the HttpOnly cookie, not here."""

    token_type = fields.String(required=True, metadata={"enum": ["cookie"]})
    user = fields.Nested(MeSchema, required=True)


class TokenSchema(Schema):
    access_token = fields.String(
        metadata={"description": "absent for a caller with the session cookie: the new token is set as the cookie"}
    )
    token_type = fields.String(required=True, metadata={"enum": ["bearer", "cookie"]})
    user = fields.Nested(UserSchema, required=True)


class MessageSchema(Schema):
    message = fields.String(required=True)


class NewApiKeySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scope = fields.String(
        load_default="user", validate=validate.OneOf(["user", "admin"]),
        metadata={"description": "user (default), or admin: the admin API accepts it too; only an operator "
                                 "may create one (403 `forbidden` otherwise)"},
    )


class ApiKeySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "the key's first characters, to recognise it"})
    scope = fields.String(required=True, metadata={"enum": ["user", "admin"]})
    created_at = UTCDateTime(required=True)
    last_used_at = UTCDateTime(required=True, allow_none=True, metadata={"description": "null: never used"})


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(required=True, metadata={"description": "the secret; shown only in this answer"})

    @pre_dump
    def _with_secret(self, new: Any, **kwargs: Any) -> dict[str, Any]:
        """A `services.api_keys.NewKey`: the row's fields, and the secret."""
        row = {name: getattr(new.row, name) for name in ApiKeySchema._declared_fields}
        return {**row, "key": new.secret}


class ApiKeyListSchema(Schema):
    items = fields.List(fields.Nested(ApiKeySchema), required=True)
