"""Access tokens: issue, revoke, and why a well-signed token must still be refused.

A token carries a fingerprint of the account's password hash, so changing the password ends
every token issued before, without a column that the original `users` table lacks. Logout puts
the token's id in `revoked_tokens` until it would have expired anyway.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from flask_jwt_extended import create_access_token

from ..context import setting
from ..extensions import db
from ..models import RevokedToken, User, utcnow

FINGERPRINT_CLAIM = "pwd"


def fingerprint(value: str) -> str:
    """A short keyed digest of `value`: tells whether it changed, reveals nothing of it."""
    key = str(setting("SECRET_KEY")).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def password_fingerprint(user: User) -> str:
    return fingerprint(user.hashed_password)


def issue_token(user: User) -> str:
    return create_access_token(
        identity=str(user.id),
        additional_claims={FINGERPRINT_CLAIM: password_fingerprint(user)},
    )


def revoke_token(payload: dict[str, Any]) -> None:
    """Add the token to the deny list (the caller commits)."""
    expires = datetime.fromtimestamp(payload["exp"], UTC).replace(tzinfo=None)
    db.session.execute(db.delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.add(RevokedToken(jti=payload["jti"], user_id=int(payload["sub"]), expires_at=expires))


def token_user(payload: dict[str, Any]) -> User | None:
    """The account a token names."""
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    return db.session.get(User, user_id)


def rejection(user: User | None, payload: dict[str, Any]) -> tuple[str, str] | None:
    """(code, message) saying why a well-signed, unexpired token of `user` is refused; None if it is not."""
    if user is None:
        return "user_not_found", "The account of this token no longer exists."
    if user.is_active is False:
        return "account_inactive", "This account is deactivated."
    if payload.get(FINGERPRINT_CLAIM) != password_fingerprint(user):
        return "token_revoked", "The password changed after this token was issued."
    if db.session.get(RevokedToken, payload.get("jti", "")) is not None:
        return "token_revoked", "This token was revoked (logged out)."
    return None
