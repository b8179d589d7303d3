"""Credits: spent and refunded with single atomic statements.

`UPDATE ... WHERE credits >= n` lets the database arbitrate: any number of parallel
requests can never spend more than the balance. NULL credits mean unlimited and
stay NULL (NULL - n is NULL).
"""

from __future__ import annotations

from sqlalchemy import or_, update

from ..errors import ApiError
from ..extensions import db
from ..models import User


def charge(user_id: int, amount: int) -> int | None:
    """Take `amount` credits in the current transaction (the caller commits) and return the
    balance left; 402 (and a rollback) if short."""
    result = db.session.execute(
        update(User)
        .where(User.id == user_id, or_(User.credits.is_(None), User.credits >= amount))
        .values(credits=User.credits - amount)
        .returning(User.credits)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        db.session.rollback()
        balance = balance_of(user_id)
        raise ApiError(
            402, "insufficient_credits",
            f"This needs {amount} credits; {balance} left.",
            {"credits": balance, "required": amount},
        )
    return result[0]


def refund(user_id: int, amount: int) -> None:
    """Give back `amount` credits in the current transaction (the caller commits)."""
    if amount > 0:
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(credits=User.credits + amount)
            .execution_options(synchronize_session=False)
        )


def balance_of(user_id: int) -> int | None:
    return db.session.scalar(db.select(User.credits).where(User.id == user_id))


def header_value(balance: int | None) -> str:
    return "unlimited" if balance is None else str(balance)
