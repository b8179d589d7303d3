"""API keys: long-lived secrets for programs, such as the OpenAI SDK's `api_key`.

A key is shown once at creation; only its SHA-256 is stored. Keys are 256-bit
random, so a fast hash is enough (bcrypt is for guessable passwords).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask_jwt_extended import current_user, jwt_required
from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..models import ApiKey, User, utcnow
from ..rest import BEARER, MAX_ID
from . import bp
from .schemas import ApiKeyCreatedSchema, ApiKeyListSchema, NewApiKeySchema

KEY_PREFIX = "sk-kokoro-"
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


def user_for_key(raw: str) -> User:
    """The active owner of an API key, or a 401."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(raw)))
    if key is None:
        raise ApiError(401, "invalid_api_key", "The API key is not valid.")
    user = db.session.get(User, key.user_id)
    if user is None or user.is_active is False:
        raise ApiError(401, "account_inactive", "This account is deactivated.")
    now = utcnow()
    # Recorded to the minute: not a database write on every request a program makes.
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        key.last_used_at = now
        db.session.commit()
    return user


@bp.post("/api-keys")
@jwt_required()
@bp.arguments(NewApiKeySchema)
@bp.response(201, ApiKeyCreatedSchema)
@bp.doc(security=BEARER)
def create_api_key(data: dict[str, Any]):
    """Create a key; the answer is the only time the key itself is shown."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        user_id=current_user.id, name=data["name"], prefix=raw[: len(KEY_PREFIX) + 4],
        key_hash=_digest(raw),
    )
    db.session.add(key)
    db.session.commit()
    key.key = raw  # the secret rides on the instance for this one answer, never stored
    return key


@bp.get("/api-keys")
@jwt_required()
@bp.response(200, ApiKeyListSchema)
@bp.doc(security=BEARER)
def list_api_keys():
    """The account's keys, without their secrets."""
    keys = db.session.scalars(
        select(ApiKey).where(ApiKey.user_id == current_user.id).order_by(ApiKey.id)
    ).all()
    return {"items": keys}


@bp.delete("/api-keys/<int:key_id>")
@jwt_required()
@bp.response(204)
@bp.doc(security=BEARER)
def delete_api_key(key_id: int):
    """Revoke a key at once."""
    key = db.session.get(ApiKey, key_id) if key_id <= MAX_ID else None
    if key is None or key.user_id != current_user.id:
        raise ApiError(404, "api_key_not_found", "No such API key.")
    db.session.delete(key)
    db.session.commit()
