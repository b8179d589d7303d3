"""Usage: characters, seconds of audio and generations per day and per source, read from the
generations table (no counter of its own, so it can never disagree with the history).

Days are the days of a time zone: accounts have none of their own, so the caller names one (an IANA
name, UTC by default; the page sends the browser's). Only settled generations count (`done`): a
pending one is still being made, and may yet be refunded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import Date, cast, func, select

from ..engine.errors import Message
from ..extensions import db
from ..models import DONE, Generation
from .errors import ServiceError

#: The sources a generation has (`generations.source`): the page, the API, the OpenAI route, a
#: long-form job, and entries moved from the old `users.history`.
SOURCES = ("page", "api", "openai", "job", "legacy")
#: The longest range asked at once, in days; the default one.
MAX_DAYS = 366
DEFAULT_DAYS = 30
MEASURES = ("characters", "seconds", "generations")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str | None) -> ZoneInfo:
    """The time zone an IANA name names (None: UTC); `invalid_time_zone` otherwise. Only the names of
    the time zone database (PostgreSQL groups the days by the same name), never a path."""
    if (name or "UTC") not in _zone_names() | {"UTC"}:
        raise ServiceError("invalid_time_zone", "Unknown time zone: give an IANA name such as Europe/Paris.")
    return ZoneInfo(name or "UTC")


def utc_naive(day: date, tz: ZoneInfo) -> datetime:
    """The instant `day` starts in `tz`, as the database keeps times (naive UTC)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Span:
    """Days `first` to `last` (both included) of the time zone `tz`."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return utc_naive(self.first, self.tz)

    @property
    def end(self) -> datetime:
        return utc_naive(self.last + timedelta(days=1), self.tz)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def span(first: date | None, last: date | None, tz_name: str | None) -> Span:
    """The range asked: `last` defaults to today (in the zone), `first` to DEFAULT_DAYS days before it."""
    tz = zone(tz_name)
    refused = ServiceError("invalid_range", Message("Give from on or before to, at most {n} days apart.", n=MAX_DAYS),
                           {"max_days": MAX_DAYS})
    try:
        last = last or datetime.now(tz).date()
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        asked = Span(first, last, tz)
        asked.end  # noqa: B018  (the day after `to` exists: not past year 9999)
    except (OverflowError, ValueError) as exc:  # days at the ends of the calendar
        raise refused from exc
    if first > last or (last - first).days >= MAX_DAYS:
        raise refused
    return asked


def this_month(tz_name: str | None) -> Span:
    """From the first of this month to today, in the zone."""
    today = datetime.now(zone(tz_name)).date()
    return span(today.replace(day=1), today, tz_name)


def _settled(span: Span, user_id: int | None) -> list[Any]:
    where = [Generation.status == DONE, Generation.created_at >= span.start, Generation.created_at < span.end]
    if user_id is not None:
        where.append(Generation.user_id == user_id)
    return where


def _rows(span: Span, user_id: int | None) -> list[tuple[date, str, int, float, int]]:
    """(day, source, characters, seconds, generations) per day and source: grouped by PostgreSQL in
    the zone; elsewhere (SQLite, which knows no zones) each row is placed in Python."""
    if db.session.get_bind().dialect.name == "postgresql":
        local = func.timezone(span.tz.key, func.timezone("UTC", Generation.created_at))
        day = cast(local, Date)
        grouped = (select(day, Generation.source, func.sum(Generation.characters),
                          func.coalesce(func.sum(Generation.duration), 0.0), func.count())
                   .where(*_settled(span, user_id)).group_by(day, Generation.source))
        return [(d, s, int(c), float(sec or 0), int(n)) for d, s, c, sec, n in db.session.execute(grouped)]
    each = select(Generation.created_at, Generation.source, Generation.characters, Generation.duration)
    return [
        (at.replace(tzinfo=UTC).astimezone(span.tz).date(), source, chars, duration or 0.0, 1)
        for at, source, chars, duration in db.session.execute(each.where(*_settled(span, user_id)))
    ]


def _zero() -> dict[str, Any]:
    return {"characters": 0, "seconds": 0.0, "generations": 0}


def _add(into: dict[str, Any], characters: int, seconds: float, generations: int) -> None:
    into["characters"] += characters
    into["seconds"] += seconds
    into["generations"] += generations


def _rounded(measures: dict[str, Any]) -> dict[str, Any]:
    return {**measures, "seconds": round(measures["seconds"], 3)}


def usage(span: Span, user_id: int | None = None) -> dict[str, Any]:
    """One account's usage (the whole service's without `user_id`): every day of the span (days
    without a generation too), each with its sources; totals, and totals per source."""
    days: dict[date, dict[str, Any]] = {d: {**_zero(), "sources": defaultdict(_zero)} for d in span.days()}
    totals, sources = _zero(), {source: _zero() for source in SOURCES}
    for day, source, characters, seconds, generations in _rows(span, user_id):
        bucket = days.get(day)
        if bucket is None:  # not expected: the rows are those of the span's instants
            continue
        for into in (bucket, bucket["sources"][source], totals, sources.setdefault(source, _zero())):
            _add(into, characters, seconds, generations)
    return {
        "first": span.first, "last": span.last, "tz": span.tz.key,
        "totals": _rounded(totals), "sources": {name: _rounded(m) for name, m in sources.items()},
        "days": [
            {"date": d, **_rounded({k: v for k, v in bucket.items() if k != "sources"}),
             "sources": {name: _rounded(m) for name, m in bucket["sources"].items()}}
            for d, bucket in days.items()
        ],
    }


def characters_since(start: datetime, user_ids: list[int]) -> dict[int, int]:
    """Characters of settled generations since `start` (naive UTC), per account of `user_ids`."""
    if not user_ids:
        return {}
    query = (select(Generation.user_id, func.sum(Generation.characters))
             .where(Generation.status == DONE, Generation.created_at >= start, Generation.user_id.in_(user_ids))
             .group_by(Generation.user_id))
    return {user_id: int(total) for user_id, total in db.session.execute(query)}
