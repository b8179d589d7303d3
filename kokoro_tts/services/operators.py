"""Running the service for others: who is an operator, and what operators do to accounts.

Operators are granted by `flask users promote` or `ADMIN_EMAILS`, never through the API. Every
action here is recorded in the audit log in the transaction that makes it (`audit.record`); credit
changes go through the ledger, which records them itself.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ApiKey, Operator, User, utcnow
from . import accounts, audio_store, audit, ledger, usage
from .errors import ServiceError
from .owned import page_of

log = logging.getLogger(__name__)

#: The filters of the accounts list.
STATUSES = ("active", "inactive", "unverified", "admin")


# -- who is an operator -------------------------------------------------------------------------


def promote(user: User, actor: audit.Actor) -> bool:
    """Make `user` an operator; False if it already was. Committed with its audit entry."""
    if user.is_admin:
        return False
    db.session.add(Operator(user_id=user.id, granted_by=actor.label[:32]))
    audit.record(actor, "promoted", user, {"is_admin": False}, {"is_admin": True})
    try:
        db.session.commit()
    except IntegrityError:  # promoted at the same moment by another process (ADMIN_EMAILS at start)
        db.session.rollback()
        return False
    db.session.refresh(user)
    return True


def demote(user: User, actor: audit.Actor) -> bool:
    """`user` is no longer an operator (its admin keys stop granting anything more); False if it was not."""
    row = db.session.get(Operator, user.id)
    if row is None:
        return False
    db.session.delete(row)
    audit.record(actor, "demoted", user, {"is_admin": True}, {"is_admin": False})
    db.session.commit()
    db.session.refresh(user)
    return True


def promote_listed(emails: list[str]) -> list[str]:
    """ADMIN_EMAILS at start: promote the accounts of these addresses; the addresses with no account."""
    missing = []
    for email in emails:
        user = accounts.find_by_email(email)
        if user is None:
            missing.append(email)
        elif promote(user, audit.Actor(audit.ADMIN_EMAILS)):
            log.info("%s is an operator (ADMIN_EMAILS)", user.email)
    return missing


# -- accounts as operators see them ---------------------------------------------------------------


def account(user_id: int) -> User:
    """Any account, by id; `account_not_found` if there is none."""
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise ServiceError("account_not_found", "No account with this id.")
    return user


def _matching(text: str | None, status: str | None) -> Any:
    query = select(User).order_by(User.id)
    if text:
        pattern = "%" + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(User.email).like(pattern, escape="\\"),
                                func.lower(func.coalesce(User.name, "")).like(pattern, escape="\\")))
    conditions = {
        "active": User.is_active.is_not(false()),
        "inactive": User.is_active.is_(false()),
        "unverified": User.is_verified.is_not(True),
        "admin": User.is_admin,
    }
    if status:
        query = query.where(conditions[status])
    return query


def search(text: str | None, status: str | None, number: int, per_page: int, tz: str | None) -> dict[str, Any]:
    """A page of accounts whose email or name contains `text`, in a status, each with the characters
    it had spoken this month (in the zone `tz`)."""
    month = usage.this_month(tz)
    found = page_of(_matching(text, status), number, per_page)
    spoken = usage.characters_since(month.start, [user.id for user in found["items"]])
    found["items"] = [summary(user, spoken.get(user.id, 0)) for user in found["items"]]
    return found


def summary(user: User, characters_this_month: int) -> dict[str, Any]:
    fields = ("id", "email", "name", "is_active", "is_verified", "is_admin", "credits", "last_login", "created_at")
    return {**{name: getattr(user, name) for name in fields}, "characters_this_month": characters_this_month}


def summary_of(user: User, tz: str | None = None) -> dict[str, Any]:
    """One account's summary, its characters this month counted in `tz` (default UTC)."""
    month = usage.this_month(tz)
    return summary(user, usage.characters_since(month.start, [user.id]).get(user.id, 0))


def detail(user_id: int, tz: str | None) -> dict[str, Any]:
    """One account: its summary, its API keys and this month's totals."""
    user = account(user_id)
    keys = list(db.session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)))
    month = usage.usage(usage.this_month(tz), user.id)["totals"]
    return {**summary_of(user, tz), "api_keys": keys, "this_month": month}


# -- actions ------------------------------------------------------------------------------------


def _not_yourself(operator: User, user: User) -> None:
    """An operator never locks themselves out (another operator, or the CLI, can)."""
    if operator.id == user.id:
        raise ServiceError("own_account", "Operators cannot deactivate or delete their own account here.")


def set_credits(operator: User, user_id: int, credits: int | None, reason: str) -> User:
    ledger.set_balance(account(user_id).id, credits, audit.Actor.of(operator), reason)
    return _fresh(user_id)


def add_credits(operator: User, user_id: int, amount: int, reason: str) -> User:
    ledger.add_credits(account(user_id).id, amount, audit.Actor.of(operator), reason)
    return _fresh(user_id)


def _fresh(user_id: int) -> User:
    user = account(user_id)
    db.session.refresh(user)
    return user


def set_active(operator: User, user_id: int, active: bool, reason: str | None) -> User:
    """Activate or deactivate: a deactivated account's tokens, sessions and keys are refused from
    their next request (they are checked against the account on every one)."""
    user = account(user_id)
    if not active:
        _not_yourself(operator, user)
    before = user.is_active is not False
    user.is_active = active
    audit.record(audit.Actor.of(operator), "activated" if active else "deactivated", user,
                 {"is_active": before}, {"is_active": active}, reason)
    db.session.commit()
    return user


def mark_verified(operator: User, user_id: int, reason: str | None) -> User:
    user = account(user_id)
    before = bool(user.is_verified)
    user.is_verified = True
    audit.record(audit.Actor.of(operator), "verified", user, {"is_verified": before}, {"is_verified": True}, reason)
    db.session.commit()
    return user


def resend_verification(operator: User, user_id: int) -> None:
    user = account(user_id)
    accounts.resend_verification(user)
    audit.record(audit.Actor.of(operator), "verification_sent", user, None, {"sent_at": utcnow().isoformat() + "Z"})
    db.session.commit()


def delete(operator: User, user_id: int, reason: str | None) -> None:
    """Delete an account and all it owns (as its owner would); the audit entry keeps its email."""
    user = account(user_id)
    _not_yourself(operator, user)
    audit.record(audit.Actor.of(operator), "deleted", user,
                 {"email": user.email, "credits": user.credits, "is_active": user.is_active is not False}, None, reason)
    db.session.delete(user)
    db.session.commit()
    audio_store.delete_user_audio(user_id)
