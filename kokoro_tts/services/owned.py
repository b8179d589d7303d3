"""Rows that belong to an account: another account's row answers as a missing one (404)."""

from __future__ import annotations

from typing import Any, TypeVar

from ..errors import ApiError
from ..extensions import db
from ..models import MAX_ID

T = TypeVar("T")


def owned(model: type[T], row_id: int, user_id: int, code: str, message: str) -> T:
    """The row `row_id` of `model` if `user_id` owns it; else 404 `code` (ids past the column's
    range included: they are simply not there)."""
    row: Any = db.session.get(model, row_id) if row_id <= MAX_ID else None
    if row is None or row.user_id != user_id:
        raise ApiError(404, code, message)
    return row
