"""The job queue: Dramatiq on Redis (`REDIS_URL`); its messages only say which job to look at.

PostgreSQL holds each job's state, so a lost or repeated message costs nothing but a look. A
worker that dies (``kill -9``) stops sending heartbeats; after `JOB_HEARTBEAT_TIMEOUT` seconds
another worker's broker puts its unfinished messages back in the queue (Dramatiq's own
maintenance, done here on every broker call rather than one in a thousand, so a job is picked
up again within seconds of the timeout). Without `REDIS_URL` the queue lives in the web process
(Dramatiq's stub broker) and so does its worker: enough for the embedded defaults.
"""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.brokers.stub import StubBroker

from ...context import App, per_app

QUEUE = "jobs"
EXTENSION_KEY = "kokoro_job_queue"


class JobQueue:
    """The broker and the one actor jobs are sent to; a worker sets `handler` to run them."""

    def __init__(self, app: App) -> None:
        url = app.config.get("REDIS_URL")
        self.broker: dramatiq.Broker
        if url:
            self.broker = RedisBroker(
                url=url, namespace="kokoro-tts", middleware=[],
                heartbeat_timeout=int(app.config["JOB_HEARTBEAT_TIMEOUT"] * 1000),
                maintenance_chance=MAINTENANCE_SCALE,
                # Redis away: a submission is refused (503) within seconds instead of hanging.
                socket_connect_timeout=2, socket_timeout=10,
            )
        else:
            self.broker = StubBroker(middleware=[])
        self.embedded = not url
        self.handler: Callable[[int], None] | None = None
        #: The worker this process runs (embedded), if any.
        self.worker: dramatiq.Worker | None = None
        self.actor = dramatiq.Actor(
            self._perform, broker=self.broker, actor_name="speak_job", queue_name=QUEUE, priority=0, options={}
        )

    def _perform(self, job_id: int) -> None:
        if self.handler is None:
            raise RuntimeError("this process runs no jobs")
        self.handler(job_id)

    def send(self, job_id: int, delay_seconds: float | None = None) -> None:
        """Ask a worker to look at the job (after `delay_seconds`)."""
        delay = int(delay_seconds * 1000) if delay_seconds else None
        self.actor.send_with_options(args=(job_id,), delay=delay)


def job_queue(app: App | None = None) -> JobQueue:
    return per_app(EXTENSION_KEY, JobQueue, app)
