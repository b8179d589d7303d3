"""The auth endpoints: the seed's four, plus logout, password change and deletion."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_jwt_extended import current_user, get_jwt, jwt_required
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError
from ..extensions import db, limiter
from ..models import ApiKey, User, lock_user, utcnow
from ..rest import BEARER
from ..tts.storage import delete_user_audio
from . import bp
from .passwords import check_password, hash_password
from .schemas import (
    ChangePasswordSchema,
    LoginSchema,
    MessageSchema,
    PasswordSchema,
    PreferencesSchema,
    RegisterSchema,
    TokenSchema,
    UserSchema,
)
from .tokens import issue_token, revoke_token


def _token_response(user: User) -> dict[str, Any]:
    return {"access_token": issue_token(user), "token_type": "bearer", "user": user}


def find_by_email(email: str) -> User | None:
    """Case-insensitive, so that accounts made before emails were lower-cased still match."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_check_key() -> str:
    """Password confirmations are limited per account, like logins per address."""
    return f"password:{current_user.id}"


def _confirm_password(user: User, password: str) -> None:
    if not check_password(user.hashed_password, password):
        raise ApiError(403, "wrong_password", "The password is not correct.")


@bp.post("/register")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@bp.arguments(RegisterSchema)
@bp.response(201, TokenSchema)
def register(data: dict[str, Any]):
    """Create an account and return an access token for it."""
    if find_by_email(data["email"]) is not None:
        raise ApiError(409, "email_taken", "An account with this email already exists.")
    user = User(
        email=data["email"],
        hashed_password=hash_password(data["password"]),
        name=data["name"],
        credits=current_app.config["DEFAULT_CREDITS"],
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same email registered concurrently
        db.session.rollback()
        raise ApiError(409, "email_taken", "An account with this email already exists.") from exc
    return _token_response(user)


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def login(data: dict[str, Any]):
    """Exchange email and password for an access token."""
    user = find_by_email(data["email"])
    if not check_password(user.hashed_password if user else None, data["password"]):
        # A new exception each time: a shared one would pile up tracebacks (and passwords).
        raise ApiError(401, "invalid_credentials", "Incorrect email or password.")
    if user.is_active is False:
        raise ApiError(403, "account_inactive", "This account is deactivated.")
    user.last_login = utcnow()
    db.session.commit()
    return _token_response(user)


@bp.get("/me")
@jwt_required()
@bp.response(200, UserSchema)
@bp.doc(security=BEARER)
def me():
    """The account of the token's owner."""
    return current_user


@bp.put("/preferences")
@jwt_required()
@bp.arguments(PreferencesSchema)
@bp.response(200, UserSchema)
@bp.doc(security=BEARER)
def update_preferences(changes: dict[str, Any]):
    """Merge `default_voice` and `default_speed` into the preferences (null removes one).

    `default_voice` must be a catalogue voice (or one a loaded pack has), or a blend of them.
    """
    user = lock_user(current_user.id)  # concurrent merges must not lose each other's keys
    preferences = dict(user.preferences) if isinstance(user.preferences, dict) else {}
    for key, value in changes.items():
        if value is None:
            preferences.pop(key, None)
        else:
            preferences[key] = value
    user.preferences = preferences
    db.session.commit()
    return user


@bp.post("/logout")
@jwt_required()
@bp.response(200, MessageSchema)
@bp.doc(security=BEARER)
def logout():
    """End this token; others of the account stay valid."""
    revoke_token(get_jwt())
    try:
        db.session.commit()
    except IntegrityError:  # the same token logged out twice at once: it is revoked
        db.session.rollback()
    return {"message": "Logged out."}


@bp.put("/password")
@jwt_required()
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=password_check_key)
@bp.arguments(ChangePasswordSchema)
@bp.response(200, TokenSchema)
@bp.doc(security=BEARER)
def change_password(data: dict[str, Any]):
    """Change the password; every token and API key issued before stops working. Returns a new token."""
    user = current_user
    _confirm_password(user, data["current_password"])
    user.hashed_password = hash_password(data["new_password"])
    # A stolen token must not outlive the change through a key it created.
    db.session.execute(delete(ApiKey).where(ApiKey.user_id == user.id))
    db.session.commit()
    return _token_response(user)


@bp.delete("/me")
@jwt_required()
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=password_check_key)
@bp.arguments(PasswordSchema)
@bp.response(200, MessageSchema)
@bp.doc(security=BEARER)
def delete_account(data: dict[str, Any]):
    """Delete the account and everything it owns (history, audio, keys); the password confirms it."""
    user = current_user
    _confirm_password(user, data["password"])
    user_id = user.id
    db.session.delete(user)
    db.session.commit()
    delete_user_audio(user_id)
    return {"message": "Account deleted."}
