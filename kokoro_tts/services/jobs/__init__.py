"""Long-form jobs: a text or a document spoken by workers part by part, into one history item.

- `submission`: checks and plans a job, reserves its credits, tells the queue.
- `queue`: Dramatiq on Redis (or in the process, without Redis).
- `worker`, `runner`: the worker process and what it does with a job.
- `state`: the job's row, changed only by the worker holding it.
- `parts`: the parts spoken so far, in the audio store.
- `result`: joining the parts (chapter marks, words) and settling the credits.

PostgreSQL is the source of truth for every job; see each module for how nothing is lost or
charged twice when workers die.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import CANCELLED, QUEUED, RUNNING, Job, User, lock_user, utcnow
from .. import ledger
from ..owned import owned, page_of
from .submission import UNPACKED_FACTOR, JobOrder, read_upload, submit

__all__ = ["UNPACKED_FACTOR", "JobOrder", "cancel", "item", "page", "read_upload", "submit"]


def page(user: User, number: int, per_page: int) -> dict[str, Any]:
    """One page of the account's jobs, newest first."""
    return page_of(select(Job).where(Job.user_id == user.id).order_by(Job.created_at.desc(), Job.id.desc()),
                   number, per_page)


def item(user: User, job_id: int) -> Job:
    return owned(Job, job_id, user.id, "job_not_found", "No such job.")


def cancel(user: User, job_id: int) -> Job:
    """A queued job ends now, refunded in full; a running one stops after its part in progress
    (its worker keeps what was spoken and refunds the rest); a finished one stays as it is."""
    item(user, job_id)
    lock_user(user.id)  # one cancellation at a time per account, and the row re-read under it
    job = db.session.scalars(select(Job).where(Job.id == job_id).with_for_update()).one()
    if job.status == QUEUED:
        job.status, job.finished_at = CANCELLED, utcnow()
        ledger.refund_unspoken(job.user_id, job.characters, kept=0)
    elif job.status == RUNNING:
        job.cancel_requested = True
    db.session.commit()
    return job
