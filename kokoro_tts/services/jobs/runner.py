"""What a worker does with a job: take it, speak its parts from where the row says it stands,
one at a time, then finish it.

Between two parts the worker looks at the row: a cancelled job stops there (what was spoken
is kept, the rest refunded); a stopping worker (SIGTERM) hands the job back. A problem that may
pass (the database or the store away) hands it back too, to be tried again later; anything
else fails the job and refunds it. Speech goes through the engine and its scheduler, so the
threads of one worker take turns on the model as web requests do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...context import App, get_engine, setting
from ...engine import NothingToSay
from ...engine.normalize import Options
from ...engine.pronounce import PronunciationRule
from ...extensions import db
from ...models import Job, User
from ...storage import StorageError
from .. import audio_store, pronunciations
from ..errors import is_database_outage
from ..generation import stored_words
from . import parts
from .queue import job_queue
from .result import fail, finish, result_key
from .state import Held, Lost, claim, hand_back, progress, record_part

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runner:
    """Who runs jobs in this process: its name in the rows it holds, and the event that asks it to stop."""

    name: str
    stopping: threading.Event


def perform(app: App, job_id: int, runner: Runner) -> None:
    """Run one job (the queue's message handler), in an app context of its own."""
    with app.app_context():
        try:
            held = claim(job_id, runner.name)
        except Exception:
            db.session.rollback()
            log.warning("job %s cannot be taken now; looking again later", job_id, exc_info=True)
            job_queue().send(job_id, delay_seconds=setting("JOB_RETRY_DELAY"))
            return
        if held is None:
            return  # finished, cancelled or gone: the message was stale
        try:
            if held.attempts > setting("JOB_MAX_ATTEMPTS"):
                fail(held, f"The job was tried {held.attempts - 1} times; you were not charged.")
            else:
                _run(held, runner)
        except Lost:
            _let_go(held)
        except Exception as exc:
            db.session.rollback()
            _after_error(held, exc)


def _let_go(held: Held) -> None:
    """Another worker holds the job now, or it is gone with its account: then what this worker
    stored for it (its parts, its result) is removed, since no row will ever point at it."""
    if db.session.get(Job, held.id) is not None:
        db.session.rollback()
        log.warning("job %s was taken over by another worker; letting go", held.id)
        return
    db.session.rollback()
    log.warning("job %s was deleted (its account was); removing what it stored", held.id)
    try:
        parts.delete_all(held.user_id, held.id)
        audio_store.delete_path(result_key(held))
    except StorageError:
        log.warning("the audio of deleted job %s stays until the orphan sweep", held.id, exc_info=True)


def _passing(exc: BaseException) -> bool:
    return is_database_outage(exc) or isinstance(exc, StorageError)


def _after_error(held: Held, exc: Exception) -> None:
    """Try again later if the trouble may pass (up to JOB_MAX_ATTEMPTS), else fail and refund.

    If even that cannot be written (the database is away), the job is looked at again later:
    its row still names this worker, and the next one takes it over.
    """
    again = _passing(exc) and held.attempts < setting("JOB_MAX_ATTEMPTS")
    try:
        if again:
            log.warning("job %s: %s; handed back, to be tried again", held.id, exc)
            hand_back(held)
        else:
            log.error("job %s failed", held.id, exc_info=exc)
            fail(held, "The service could not keep the audio; you were not charged." if _passing(exc)
                 else "The speech could not be made; you were not charged.")
    except Lost:
        return
    except Exception:
        db.session.rollback()
        log.exception("job %s: could not record the error; looking again later", held.id)
        again = True
    if again:
        job_queue().send(held.id, delay_seconds=setting("JOB_RETRY_DELAY"))


def _run(held: Held, runner: Runner) -> None:
    user = db.session.get(User, held.user_id)
    if user is None:
        raise Lost(held.id)
    rules = pronunciations.for_engine(user)
    db.session.rollback()
    options = Options.from_request(held.normalize, None)
    parts_done, chars_done, cancelled = progress(held)
    while parts_done < len(held.parts) and not cancelled:
        if runner.stopping.is_set():
            hand_back(held, attempted=False)
            job_queue().send(held.id)
            log.info("job %s handed back at part %d of %d (stopping)", held.id, parts_done, len(held.parts))
            return
        start, end, _ = held.parts[parts_done]
        audio, words = _speak(held, start, end, rules, options)
        parts.save(held.user_id, held.id, parts_done, audio, words)
        record_part(held, parts_done + 1, chars_done + end - start)
        parts_done, chars_done, cancelled = progress(held)
    finish(held, parts_done, chars_done)


def _speak(
    held: Held, start: int, end: int, rules: Sequence[PronunciationRule], options: Options
) -> tuple[np.ndarray, list[Any]]:
    """One part's audio and words; a part with nothing to say (a row of asterisks) is silent."""
    engine = get_engine()
    try:
        req = engine.validate(held.text[start:end], held.voice, held.speed, held.lang, held.format, rules, options,
                              text_type="text", parts=held.parts_of(start, end))
    except NothingToSay:
        return np.zeros(0, dtype=np.float32), []
    result = engine.synthesize(req, owner=("job", held.user_id))
    return result.audio, stored_words(result.words)
