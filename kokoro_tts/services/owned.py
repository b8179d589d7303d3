"""Rows that belong to an account, one at a time (another account's row answers as a missing one)
or a page at a time."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select

from ..extensions import db
from ..models import MAX_ID
from .errors import ServiceError

T = TypeVar("T")


def owned(model: type[T], row_id: int, user_id: int, code: str, message: str) -> T:
    """The row `row_id` of `model` if `user_id` owns it; else `code` (a 404) (ids past the column's
    range included: they are simply not there)."""
    row: Any = db.session.get(model, row_id) if row_id <= MAX_ID else None
    if row is None or row.user_id != user_id:
        raise ServiceError(code, message)
    return row


def page_of(query: Select[Any], number: int, per_page: int) -> dict[str, Any]:
    """One page of `query`'s rows, with the counts a client pages with."""
    result = db.paginate(query, page=number, per_page=per_page, error_out=False, count=True)
    return {"items": result.items, "page": number, "per_page": per_page, "total": result.total,
            "pages": result.pages}
