"""Accounts: registration, login, preferences, password change and reset, email verification, deletion."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User, lock_user, utcnow
from . import api_keys, audio_store, email_links, ledger
from .errors import ServiceError
from .passwords import check_password, hash_password


def find_by_email(email: str) -> User | None:
    """Case-insensitive, so that accounts made before emails were lower-cased still match."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _email_taken() -> ServiceError:
    return ServiceError("email_taken", "An account with this email already exists.")


def register(email: str, password: str, name: str | None) -> User:
    """A new account, and its verification link mailed."""
    if find_by_email(email) is not None:
        raise _email_taken()
    user = User(
        email=email, hashed_password=hash_password(password), name=name,
        credits=ledger.opening_balance(),
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same email registered concurrently
        db.session.rollback()
        raise _email_taken() from exc
    # During the request: `email_taken` already tells which addresses have accounts, so the time
    # this takes reveals nothing more. A failure is logged; the account stands (resend later).
    email_links.send_verification(user)
    return user


def authenticate(email: str, password: str) -> User:
    """The account these credentials open; unknown email and wrong password look alike."""
    user = find_by_email(email)
    # An unknown email still pays one bcrypt check: it takes as long as a wrong password.
    matches = check_password(user.hashed_password if user else None, password)
    if user is None or not matches:
        # A new exception each time: a shared one would pile up tracebacks (and passwords).
        raise ServiceError("invalid_credentials", "Incorrect email or password.")
    if user.is_active is False:
        raise ServiceError("account_inactive", "This account is deactivated.")
    user.last_login = utcnow()
    db.session.commit()
    return user


def update_preferences(user: User, changes: dict[str, Any]) -> User:
    """Merge `changes` into the preferences; a None value removes its key."""
    user = lock_user(user.id)  # concurrent merges must not lose each other's keys
    preferences = dict(user.preferences) if isinstance(user.preferences, dict) else {}
    for key, value in changes.items():
        if value is None:
            preferences.pop(key, None)
        else:
            preferences[key] = value
    user.preferences = preferences
    db.session.commit()
    return user


def confirm_password(user: User, password: str) -> None:
    if not check_password(user.hashed_password, password):
        raise ServiceError("wrong_password", "The password is not correct.")


def change_password(user: User, current: str, new: str) -> User:
    """Every token issued before stops working (fingerprint claim), and so does every API key."""
    confirm_password(user, current)
    user.hashed_password = hash_password(new)
    # A stolen token must not outlive the change through a key it created.
    api_keys.revoke_all(user)
    db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address; nothing tells whether it has, not
    even the time the answer takes (the mail leaves in the background)."""
    user = find_by_email(email)
    if user is not None and user.is_active is not False:
        email_links.send_reset(user)


def reset_password(token: str, new: str) -> User:
    """Like a password change: every older token and API key stops working, and so does the link."""
    user = lock_user(email_links.user_for(token, "reset").id)
    email_links.user_for(token, "reset")  # again under the lock: a link used twice at once works once
    user.hashed_password = hash_password(new)
    api_keys.revoke_all(user)
    db.session.commit()
    return user


def verify_email(token: str) -> User:
    user = email_links.user_for(token, "verify")
    user.is_verified = True
    db.session.commit()
    return user


def resend_verification(user: User) -> None:
    if user.is_verified:
        raise ServiceError("already_verified", "This email address is already verified.")
    if not email_links.send_verification(user):
        raise ServiceError("email_unavailable", "The email could not be sent; try again later.")


def delete(user: User, password: str) -> None:
    """Delete the account and all it owns: rows first (cascade), then its audio."""
    confirm_password(user, password)
    user_id = user.id
    db.session.delete(user)
    db.session.commit()
    audio_store.delete_user_audio(user_id)
