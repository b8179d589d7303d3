"""Access tokens: issue, revoke, and the checks every protected request runs.

A token carries a fingerprint of the account's password hash, so changing the
password ends every token issued before without a column the seed's table lacks.
Logout puts the token's id in `revoked_tokens` until it would have expired.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from flask_jwt_extended import create_access_token

from ..errors import error_response
from ..extensions import db, jwt
from ..models import RevokedToken, User, utcnow

FINGERPRINT_CLAIM = "pwd"


def password_fingerprint(user: User) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.hashed_password.encode(), hashlib.sha256).hexdigest()[:16]


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


def _load_user(payload: dict[str, Any]) -> User | None:
    if "token_user" not in g:
        try:
            user_id = int(payload["sub"])
        except (KeyError, TypeError, ValueError):
            g.token_user = None
        else:
            g.token_user = db.session.get(User, user_id)
    return g.token_user


def _rejection(payload: dict[str, Any]) -> tuple[str, str] | None:
    """Why a well-signed, unexpired token must still be refused, if it must."""
    user = _load_user(payload)
    if user is None:
        return "user_not_found", "The account of this token no longer exists."
    if user.is_active is False:
        return "account_inactive", "This account is deactivated."
    if payload.get(FINGERPRINT_CLAIM) != password_fingerprint(user):
        return "token_revoked", "The password changed after this token was issued."
    if db.session.get(RevokedToken, payload.get("jti", "")) is not None:
        return "token_revoked", "This token was revoked (logged out)."
    return None


def register_jwt_callbacks(app: Flask) -> None:
    @jwt.token_in_blocklist_loader
    def _is_refused(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        g.token_rejection = _rejection(payload)
        return g.token_rejection is not None

    @jwt.user_lookup_loader
    def _user(_header: dict[str, Any], payload: dict[str, Any]) -> User | None:
        return _load_user(payload)

    @jwt.revoked_token_loader
    def _refused(_header: dict[str, Any], _payload: dict[str, Any]):
        code, message = g.get("token_rejection") or ("token_revoked", "Token refused.")
        return error_response(401, code, message)

    @jwt.user_lookup_error_loader
    def _no_user(_header: dict[str, Any], _payload: dict[str, Any]):
        return error_response(401, "user_not_found", "The account of this token no longer exists.")

    @jwt.expired_token_loader
    def _expired(_header: dict[str, Any], _payload: dict[str, Any]):
        return error_response(401, "token_expired", "The access token has expired; log in again.")

    @jwt.invalid_token_loader
    def _invalid(reason: str):
        return error_response(401, "invalid_token", f"The access token is not valid: {reason}.")

    @jwt.unauthorized_loader
    def _missing(reason: str):
        return error_response(
            401, "missing_token", f"Authentication required: {reason}. Send 'Authorization: Bearer <token>'."
        )
