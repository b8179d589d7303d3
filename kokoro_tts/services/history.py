"""A user's history: pages of it, one item, deletion (rows and their audio)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Generation, User
from . import audio_store
from .owned import owned, page_of


def _newest_first(user: User) -> Any:
    return (
        select(Generation)
        .where(Generation.user_id == user.id)
        .order_by(Generation.created_at.desc(), Generation.id.desc())
    )


def page(user: User, number: int, per_page: int) -> dict[str, Any]:
    """One page, newest first."""
    return page_of(_newest_first(user), number, per_page)


def item(user: User, generation_id: int) -> Generation:
    """One of the user's items; another user's item is indistinguishable from a missing one."""
    return owned(Generation, generation_id, user.id, "generation_not_found", "No such item in your history.")


def delete(rows: list[Generation]) -> int:
    """Rows first (committed), audio after: a failure never leaves a row without its audio."""
    keys = [g.audio_path for g in rows if g.audio_path]
    for generation in rows:
        db.session.delete(generation)
    db.session.commit()
    for key in keys:
        audio_store.delete_path(key)
    return len(rows)


def clear(user: User) -> int:
    return delete(list(db.session.scalars(select(Generation).where(Generation.user_id == user.id))))
