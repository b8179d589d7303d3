"""The ledger of charges: no credit is lost, whatever dies.

A charge and its generation row (`pending`) are written in one transaction, so no charge is
ever without its record. Settling a generation keeps what was spoken and refunds the rest in
one transaction, and only once (`WHERE status = 'pending'`). A generation nobody settled (its
worker was killed, or the database was away when it ended) is settled by `sweep` after
`PENDING_GENERATION_TIMEOUT` seconds: kept if its audio was stored, refunded otherwise. So for
every account, credits spent equal the characters recorded in its history.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import DONE, PENDING, Generation, utcnow
from . import credits

log = logging.getLogger(__name__)


def open_charge(generation: Generation) -> int | None:
    """Charge `generation.characters` and record the generation as pending, committed together.

    Returns the balance left; 402 if the credits are short (nothing is written then).
    """
    balance = credits.charge(generation.user_id, generation.characters)
    generation.status = PENDING
    db.session.add(generation)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return balance


@dataclass(frozen=True)
class Outcome:
    """How a generation ended: characters kept (spoken), seconds of audio, stored audio, and
    its word timings (``[[word, start, end], ...]``)."""

    kept: int
    duration: float
    audio_path: str | None = None
    words: list[Any] | None = None


def _rows(result: Any) -> int:
    """Rows a DELETE or UPDATE touched."""
    return int(result.rowcount)


def settle(generation_id: int, user_id: int, charged: int, outcome: Outcome) -> bool:
    """Keep what was spoken and refund the rest, in one transaction.

    Nothing spoken and nothing stored: the row goes, as if never asked. False when someone
    (the sweep) settled it first; then nothing changes here.
    """
    kept = max(0, min(charged, outcome.kept))
    if kept == 0 and outcome.audio_path is None:
        done = _rows(db.session.execute(
            delete(Generation).where(Generation.id == generation_id, Generation.status == PENDING)
        ))
    else:
        done = _rows(db.session.execute(
            update(Generation)
            .where(Generation.id == generation_id, Generation.status == PENDING)
            .values(status=DONE, characters=kept, duration=round(outcome.duration, 3),
                    audio_path=outcome.audio_path, words=outcome.words)
            .execution_options(synchronize_session=False)
        ))
    if done:
        credits.refund(user_id, charged - kept)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if done and charged > kept:
        log.info("generation %s settled: %d of %d characters refunded", generation_id, charged - kept, charged)
    return bool(done)


def _settle_stale(row: Any) -> None:
    """A generation nobody settled: kept if its audio is stored, else refunded in full."""
    if row.audio_path is not None:
        outcome = Outcome(row.characters, row.duration or 0.0, row.audio_path)
    else:
        outcome = Outcome(0, 0.0)
    if settle(row.id, row.user_id, row.characters, outcome):
        log.warning("generation %s was left pending; settled by the sweep (%s)",
                    row.id, "kept" if row.audio_path else f"{row.characters} credits refunded")


def sweep(timeout: float, limit: int = 100) -> int:
    """Settle generations pending for longer than `timeout` seconds; how many were settled."""
    cutoff = utcnow() - timedelta(seconds=timeout)
    rows = db.session.execute(
        select(Generation.id, Generation.user_id, Generation.characters, Generation.duration,
               Generation.audio_path)
        .where(Generation.status == PENDING, Generation.created_at < cutoff)
        .order_by(Generation.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # end the read; each settlement is its own transaction
    for row in rows:
        _settle_stale(row)
    return len(rows)


_sweep_lock = threading.Lock()
_last_sweep = [0.0]


def sweep_now_and_then(app: Flask) -> None:
    """Run `sweep` at most once per `PENDING_SWEEP_INTERVAL` seconds per process, from a
    request; never fails the request (a database outage only postpones it)."""
    interval = app.config["PENDING_SWEEP_INTERVAL"]
    now = time.monotonic()
    if now - _last_sweep[0] < interval or not _sweep_lock.acquire(blocking=False):
        return
    try:
        _last_sweep[0] = now
        sweep(current_app.config["PENDING_GENERATION_TIMEOUT"])
    except Exception:
        db.session.rollback()
        log.warning("the sweep of pending generations failed; it will run again", exc_info=True)
    finally:
        _sweep_lock.release()
