"""`flask jobs worker`: a process that speaks long-form jobs from the queue."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup

from ..services.jobs import worker

jobs_cli = AppGroup("jobs", help="Long-form jobs (POST /api/tts/jobs).")


@jobs_cli.command("worker")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Jobs spoken at once by this process (they take turns on the model).")
def worker_command(threads: int) -> None:
    """Speak jobs from the queue (Redis at REDIS_URL) until SIGTERM or Ctrl-C; then finish the
    part in progress, hand the job back to the queue, and exit."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without it, jobs run inside the web process")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run(app, threads, stopping)


@jobs_cli.command("requeue")
@click.option("--stale", default=600.0, show_default=True, type=click.FloatRange(0),
              help="Also running jobs whose worker has recorded nothing for this many seconds.")
def requeue_command(stale: float) -> None:
    """Queue the unfinished jobs again: after Redis lost its data (a restart without persistence).
    Safe to repeat: a job is never run twice at once nor charged twice."""
    click.echo(f"{worker.requeue(stale)} job(s) queued again")
