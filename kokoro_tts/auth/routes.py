"""The auth endpoints: the seed's four, plus logout, password change and deletion."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_jwt_extended import current_user, get_jwt, jwt_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError
from ..extensions import db, limiter
from ..models import User, utcnow
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

BEARER = [{"bearerAuth": []}]
INVALID_LOGIN = ApiError(401, "invalid_credentials", "Incorrect email or password.")


def _token_response(user: User) -> dict[str, Any]:
    return {"access_token": issue_token(user), "token_type": "bearer", "user": user}


def _find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def _confirm_password(user: User, password: str) -> None:
    if not check_password(user.hashed_password, password):
        raise ApiError(403, "wrong_password", "The password is not correct.")


@bp.post("/register")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@bp.arguments(RegisterSchema)
@bp.response(201, TokenSchema)
def register(data: dict[str, Any]):
    """Create an account and return an access token for it."""
    if _find_by_email(data["email"]) is not None:
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
    user = _find_by_email(data["email"])
    if not check_password(user.hashed_password if user else None, data["password"]):
        raise INVALID_LOGIN
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
    """Merge `default_voice` and `default_speed` into the preferences (null removes one)."""
    # Lock the row: two concurrent merges must not lose each other's keys.
    user = db.session.scalars(
        select(User).where(User.id == current_user.id).with_for_update()
    ).one()
    preferences = dict(user.preferences or {})
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
    db.session.commit()
    return {"message": "Logged out."}


@bp.put("/password")
@jwt_required()
@bp.arguments(ChangePasswordSchema)
@bp.response(200, TokenSchema)
@bp.doc(security=BEARER)
def change_password(data: dict[str, Any]):
    """Change the password; every token issued before stops working. Returns a new token."""
    user = current_user
    _confirm_password(user, data["current_password"])
    user.hashed_password = hash_password(data["new_password"])
    db.session.commit()
    return _token_response(user)


@bp.delete("/me")
@jwt_required()
@bp.arguments(PasswordSchema)
@bp.response(200, MessageSchema)
@bp.doc(security=BEARER)
def delete_account(data: dict[str, Any]):
    """Delete the account and everything it owns; the password confirms it."""
    user = current_user
    _confirm_password(user, data["password"])
    db.session.delete(user)
    db.session.commit()
    return {"message": "Account deleted."}
