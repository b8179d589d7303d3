"""A job's row, changed only by the worker holding it: every change says `WHERE worker = me`.

When a job is taken over (its worker was thought dead), the old worker's next write touches
no row; it raises `Lost` and the old worker lets go. So a job is never spoken twice at once,
and never charged or refunded twice: each settlement is one transaction guarded the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from ...engine.ssml import parse, window
from ...engine.tags import Part
from ...extensions import db
from ...models import QUEUED, RUNNING, Job, utcnow


class Lost(Exception):
    """Another worker holds the job now (or it was deleted with its account)."""


@dataclass(frozen=True)
class Held:
    """What a worker needs of the job it holds (read once: the text can be a whole book)."""

    id: int
    user_id: int
    title: str
    text: str
    voice: str
    speed: float
    lang: str | None
    format: str
    normalize: bool
    characters: int
    parts: list[list[int]]
    chapters: list[dict[str, Any]]
    attempts: int
    worker: str
    #: the SSML document `text` was read from (None: plain text)
    markup: str | None = None
    #: the document's author, for the tags of the audio (its cover is read only at the end)
    author: str | None = None

    def parts_of(self, start: int, end: int) -> tuple[Part, ...] | None:
        """The engine's parts of ``text[start:end]`` when the job is SSML (None: read the text itself)."""
        return window(parse(self.markup), start, end) if self.markup is not None else None


def claim(job_id: int, worker: str) -> Held | None:
    """Take the job (queued, or running on a worker presumed dead); None if it is finished or gone."""
    taken = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_([QUEUED, RUNNING]))
        .values(status=RUNNING, worker=worker, attempts=Job.attempts + 1, updated_at=utcnow())
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    if taken is None:
        return None
    job = db.session.get(Job, job_id)
    if job is None:
        return None
    held = Held(job.id, job.user_id, job.title, job.text, job.voice, job.speed, job.lang, job.format,
                job.normalize, job.characters, job.parts, job.chapters, job.attempts, worker, job.markup,
                job.author)
    db.session.rollback()
    return held


def progress(held: Held) -> tuple[int, int, bool]:
    """(parts done, characters done, cancel requested), as the row says now."""
    row = db.session.execute(
        select(Job.parts_done, Job.chars_done, Job.cancel_requested, Job.worker).where(Job.id == held.id)
    ).first()
    db.session.rollback()
    if row is None or row.worker != held.worker:
        raise Lost(held.id)
    return row.parts_done, row.chars_done, row.cancel_requested


def change(held: Held, **values: Any) -> None:
    """Write `values` to the job's row in the current transaction, or raise Lost (rolled back)."""
    result: Any = db.session.execute(
        update(Job)
        .where(Job.id == held.id, Job.worker == held.worker, Job.status == RUNNING)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    done = result.rowcount
    if not done:
        db.session.rollback()
        raise Lost(held.id)


def record_part(held: Held, parts_done: int, chars_done: int) -> None:
    change(held, parts_done=parts_done, chars_done=chars_done)
    db.session.commit()


def hand_back(held: Held, attempted: bool = True) -> None:
    """Let go of the job: queued again, for the next worker. A stopping worker's hand-back
    (`attempted` False) does not count as one of the job's attempts."""
    change(held, status=QUEUED, worker=None, attempts=Job.attempts - (0 if attempted else 1))
    db.session.commit()
