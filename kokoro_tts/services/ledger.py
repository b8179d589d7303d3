"""The ledger: the one module that moves credits. No credit is lost, whatever dies.

The invariant: for every account, the credits it was given minus its balance equal the
characters kept in its history (`done` generations), plus what its pending generations and
unfinished jobs hold until they are settled. Every move keeps it, each in one transaction with
the row that records why:

- a generation: `open_charge` takes the credits and writes the generation `pending`, together;
  `settle` keeps what was spoken and refunds the rest, together, and only once (`WHERE status =
  'pending'`); `sweep` settles what nobody settled (the worker was killed, the database was away)
  after `PENDING_GENERATION_TIMEOUT` seconds: kept if its audio was stored, refunded otherwise.
- a job: `reserve` takes the credits of all its text with the job's row; `withdraw` gives them back
  and deletes the row (the queue could not be told); `refund_unspoken` gives back what a job did
  not speak, in the transaction that ends it (cancelled, finished, failed).
- an account: `opening_balance` when it is made; an operator (the admin API, `users credits`):
  `set_balance` and `add_credits`, each with its audit entry (before, after, reason) in the
  same transaction, so the log and the balance never disagree.

Credits are spent with one atomic statement: `UPDATE ... WHERE credits >= n` lets the database
arbitrate, so parallel requests can never spend more than the balance. NULL credits mean
unlimited and stay NULL (NULL - n is NULL).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update

from ..context import App, setting
from ..engine.errors import Message
from ..extensions import db
from ..models import DONE, PENDING, Generation, Job, User, lock_user, utcnow
from . import audit
from .errors import ServiceError

log = logging.getLogger(__name__)


def _take(user_id: int, amount: int) -> int | None:
    """Take `amount` credits in the current transaction (the caller commits) and return the
    balance left; `insufficient_credits` (and a rollback) if short."""
    result = db.session.execute(
        update(User)
        .where(User.id == user_id, or_(User.credits.is_(None), User.credits >= amount))
        .values(credits=User.credits - amount)
        .returning(User.credits)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        db.session.rollback()
        raise _short(amount, balance(user_id))
    return result[0]


def _give(user_id: int, amount: int) -> None:
    """Give back `amount` credits in the current transaction (the caller commits)."""
    if amount > 0:
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(credits=User.credits + amount)
            .execution_options(synchronize_session=False)
        )


def _commit() -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def balance(user_id: int) -> int | None:
    """The credits left (None: unlimited)."""
    return db.session.scalar(select(User.credits).where(User.id == user_id))


def check_balance(user_id: int, amount: int) -> None:
    """`insufficient_credits` now if the balance cannot cover `amount` (before costly work; the
    charge itself is still one atomic statement that the database arbitrates)."""
    left = balance(user_id)
    if left is not None and left < amount:
        raise _short(amount, left)


def _short(amount: int, left: int | None) -> ServiceError:
    return ServiceError(
        "insufficient_credits", Message("This needs {required} credits; {credits} left.",
                                        required=amount, credits=left),
        {"credits": left, "required": amount},
    )


def balance_text(credits: int | None) -> str:
    """A balance as headers and commands say it."""
    return "unlimited" if credits is None else str(credits)


def opening_balance() -> int | None:
    """What a new account starts with: DEFAULT_CREDITS (None: unlimited)."""
    value: int | None = setting("DEFAULT_CREDITS")
    return value


@dataclass(frozen=True)
class Change:
    """An operator's change of a balance: what it was and what it is (None: unlimited)."""

    before: int | None
    after: int | None


def set_balance(user_id: int, credits: int | None, actor: audit.Actor, reason: str | None) -> Change:
    """An operator sets an account's credits (None: unlimited); recorded and committed together."""
    user = lock_user(user_id)  # a generation charging meanwhile waits: `before` is what it was
    change = Change(user.credits, credits)
    user.credits = credits
    audit.record(actor, "credits_set", user, {"credits": change.before}, {"credits": credits}, reason)
    _commit()
    return change


def add_credits(user_id: int, amount: int, actor: audit.Actor, reason: str | None) -> Change:
    """An operator adds (or, negative, takes) credits, never below 0; recorded and committed together.
    An unlimited balance has nothing to add to: `credits_unlimited` (set a number first)."""
    user = lock_user(user_id)
    if user.credits is None:
        db.session.rollback()
        raise ServiceError("credits_unlimited", "This account has unlimited credits: set a number instead.")
    change = Change(user.credits, max(0, user.credits + amount))
    user.credits = change.after
    audit.record(actor, "credits_added", user, {"credits": change.before},
                 {"credits": change.after, "amount": amount}, reason)
    _commit()
    return change


# -- generations --------------------------------------------------------------------------


def open_charge(generation: Generation) -> int | None:
    """Charge `generation.characters` and record the generation as pending, committed together.

    Returns the balance left; `insufficient_credits` if short (nothing is written then).
    """
    left = _take(generation.user_id, generation.characters)
    generation.status = PENDING
    db.session.add(generation)
    _commit()
    return left


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
        _give(user_id, charged - kept)
    _commit()
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


def sweep_now_and_then(app: App) -> None:
    """Run `sweep` at most once per `PENDING_SWEEP_INTERVAL` seconds per process, from a
    request; never fails the request (a database outage only postpones it)."""
    interval = app.config["PENDING_SWEEP_INTERVAL"]
    now = time.monotonic()
    if now - _last_sweep[0] < interval or not _sweep_lock.acquire(blocking=False):
        return
    try:
        _last_sweep[0] = now
        sweep(app.config["PENDING_GENERATION_TIMEOUT"])
    except Exception:
        db.session.rollback()
        log.warning("the sweep of pending generations failed; it will run again", exc_info=True)
    finally:
        _sweep_lock.release()


# -- jobs -----------------------------------------------------------------------------------


def reserve(job: Job) -> int | None:
    """Take the credits of all of a job's text and write its row, committed together; the
    balance left (`insufficient_credits`, and nothing written, if short)."""
    left = _take(job.user_id, job.characters)
    db.session.add(job)
    _commit()
    return left


def withdraw(job: Job) -> None:
    """A job that will never run (its queue could not be told): its row goes and its credits
    come back, committed together."""
    _give(job.user_id, job.characters)
    db.session.delete(job)
    _commit()


def refund_unspoken(user_id: int, reserved: int, kept: int) -> None:
    """Give back what a job reserved and did not speak. In the transaction that ends the job
    (the caller changes the row, then commits), so the two happen together or not at all."""
    _give(user_id, reserved - kept)
