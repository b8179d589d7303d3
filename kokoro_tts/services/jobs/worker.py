"""A worker: Dramatiq consumer threads that run jobs until asked to stop.

`flask --app wsgi jobs worker` runs one (separate processes, as many as wanted, on any
machine sharing the database, Redis and the store). Without `REDIS_URL`, the web process
starts one itself on the first job (`start_embedded`), and takes up the jobs a previous run
of the process left unfinished.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

import dramatiq
from sqlalchemy import and_, or_, select

from ...context import App, get_engine
from ...extensions import db
from ...models import QUEUED, RUNNING, Job, utcnow
from .. import audio_store
from .queue import QUEUE, JobQueue, job_queue
from .runner import Runner, perform

log = logging.getLogger(__name__)
_embedded_lock = threading.Lock()


def _start(app: App, queue: JobQueue, threads: int, stopping: threading.Event) -> dramatiq.Worker:
    me = Runner(f"{socket.gethostname()}:{os.getpid()}:{id(queue):x}"[:64], stopping)
    queue.handler = lambda job_id: perform(app, job_id, me)
    worker = dramatiq.Worker(queue.broker, queues={QUEUE}, worker_threads=threads, worker_timeout=1000)
    worker.queue_prefetch = 1  # one job waits here at most: the others stay for idle workers
    worker.start()
    log.info("job worker %s started with %d thread(s)", me.name, threads)
    return worker


def run(app: App, threads: int, stopping: threading.Event) -> None:
    """Run jobs until `stopping` is set, then finish the part in progress and hand the job back."""
    get_engine(app).load()  # a broken model fails here, not job by job
    worker = _start(app, job_queue(app), threads, stopping)
    threading.Thread(target=_sweep_orphans, args=(app, stopping), daemon=True, name="audio-sweep").start()
    stopping.wait()
    log.info("job worker stopping: the jobs in progress finish their part and go back to the queue")
    worker.stop(timeout=int(app.config["JOB_STOP_TIMEOUT"] * 1000))


def _sweep_orphans(app: App, stopping: threading.Event) -> None:
    """Every AUDIO_SWEEP_INTERVAL seconds, remove the audio no row points at (see audio_store)."""
    while not stopping.wait(app.config["AUDIO_SWEEP_INTERVAL"]):
        with app.app_context():
            try:
                removed = audio_store.sweep_orphans()
            except Exception:
                db.session.rollback()
                log.warning("the sweep of audio with no row failed; it will run again", exc_info=True)
                continue
        if removed:
            log.info("removed %d stored objects no row pointed at", removed)


def start_embedded(app: App) -> None:
    """Without Redis: one worker thread in this process (once), after re-queueing the jobs a
    previous run of it left behind."""
    queue = job_queue(app)
    if not queue.embedded or queue.handler is not None:
        return
    with _embedded_lock:
        if queue.handler is not None:
            return
        queue.worker = _start(app, queue, 1, threading.Event())
        requeue(0)  # one process: whatever is unfinished was left by an earlier run of it


def requeue(stale_seconds: float) -> int:
    """Send the queue a message for every queued job, and every running one its worker has not
    touched for `stale_seconds`: after the broker lost its messages (Redis restarted without
    persistence). A message too many costs a look, or at worst one part spoken twice (the job
    changes hands); never a double charge. How many were sent."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    unfinished = or_(Job.status == QUEUED, and_(Job.status == RUNNING, Job.updated_at <= cutoff))
    ids = db.session.scalars(select(Job.id).where(unfinished).order_by(Job.id)).all()
    db.session.rollback()
    for job_id in ids:
        job_queue().send(job_id)
    return len(ids)
