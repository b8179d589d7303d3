"""The audit log: every operator action, and every credit change not caused by a generation.

`record` adds an entry to the current transaction, so an entry exists exactly when the change it
records was committed. Nothing here changes or removes an entry: the log is read (`page`, `csv_rows`)
and grows, and no route writes it but through the actions it records.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, User
from .owned import page_of

#: Who acts outside the API: `flask users ...` commands, and ADMIN_EMAILS at start.
CLI, ADMIN_EMAILS = "cli", "ADMIN_EMAILS"
CSV_COLUMNS = ("id", "created_at", "actor", "actor_id", "action", "target", "target_id", "before", "after", "reason")


@dataclass(frozen=True)
class Actor:
    """Who did it: an operator's account, or a name for what acts outside the API."""

    label: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.email, user.id)


def record(actor: Actor, action: str, target: User | None, before: dict[str, Any] | None,
           after: dict[str, Any] | None, reason: str | None = None) -> AuditEntry:
    """Add an entry to the current transaction (the caller commits, with the change itself)."""
    entry = AuditEntry(
        actor=actor.label, actor_id=actor.user_id, action=action,
        target_id=target.id if target is not None else None, target=target.email if target is not None else None,
        before=before, after=after, reason=reason or None,
    )
    db.session.add(entry)
    return entry


def _newest_first(target_id: int | None) -> Any:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return query


def page(number: int, per_page: int, target_id: int | None = None) -> dict[str, Any]:
    """One page of the log, newest first (of one account's entries when `target_id` is given)."""
    return page_of(_newest_first(target_id), number, per_page)


def csv_rows(target_id: int | None = None) -> Iterator[str]:
    """The whole log as CSV, a line at a time (header first), newest first; before and after as JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield _flush(out)
    for entry in db.session.scalars(_newest_first(target_id).execution_options(yield_per=500)):
        writer.writerow([_cell(getattr(entry, column)) for column in CSV_COLUMNS])
        yield _flush(out)


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if value is None:
        return ""
    text = value.isoformat() + "Z" if hasattr(value, "isoformat") else str(value)
    # A cell a spreadsheet would run as a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _flush(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
