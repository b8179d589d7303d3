"""API keys: long-lived secrets for programs, such as the OpenAI SDK's `api_key`.

A key is shown once at creation; only its SHA-256 is stored. Keys are 256-bit random, so a
fast hash is enough (bcrypt is for guessable passwords). A key's `scope` is "user" (speech,
history, jobs), or "admin": an operator's key that the admin API accepts too; only an operator makes
one, and it grants nothing more once its owner is no longer an operator.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import ApiKey, User, utcnow
from .errors import CredentialsRefused, ServiceError
from .owned import owned

KEY_PREFIX = "sk-kokoro-"
LAST_USED_PRECISION = timedelta(minutes=1)
USER, ADMIN = "user", "admin"
SCOPES = (USER, ADMIN)


@dataclass(frozen=True)
class NewKey:
    """A key just made: the row, and the secret that is shown this once."""

    row: ApiKey
    secret: str


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


def user_for_key(raw: str) -> User:
    """The active owner of an API key; else the key is refused."""
    return key_and_user(raw)[1]


def key_and_user(raw: str) -> tuple[ApiKey, User]:
    """An API key and its active owner; else the key is refused."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(raw)))
    if key is None:
        raise CredentialsRefused("invalid_api_key", "The API key is not valid.")
    user = db.session.get(User, key.user_id)
    if user is None or user.is_active is False:
        raise CredentialsRefused("account_inactive", "This account is deactivated.")
    now = utcnow()
    # Recorded to the minute: not a database write on every request a program makes.
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        key.last_used_at = now
        db.session.commit()
    return key, user


def create(user: User, name: str, scope: str = USER) -> NewKey:
    """A new key; an "admin" one only for an operator (`forbidden` otherwise)."""
    if scope == ADMIN and not user.is_admin:
        raise ServiceError("forbidden", "Only an operator can create a key with the admin scope.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name, prefix=raw[: len(KEY_PREFIX) + 4], key_hash=_digest(raw),
                 scope=scope)
    db.session.add(key)
    db.session.commit()
    return NewKey(key, raw)


def of_user(user: User) -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)))


def revoke(user: User, key_id: int) -> None:
    """Delete one of the user's keys; another user's key is as missing as a missing one."""
    db.session.delete(owned(ApiKey, key_id, user.id, "api_key_not_found", "No such API key."))
    db.session.commit()


def revoke_all(user: User) -> None:
    """Delete every key of the user (the caller commits)."""
    db.session.execute(delete(ApiKey).where(ApiKey.user_id == user.id))
