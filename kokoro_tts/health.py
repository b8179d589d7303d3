"""Liveness and readiness probes (the latter is Render's health check).

Readiness fails (503) only when the database does not answer: without it nothing works. Redis and
the audio store are reported beside it: without Redis the service still serves (rate limits are
counted in memory, job submissions are refused with 503 `queue_unavailable`), and without the
store generations are refused with 503 `storage_unavailable`, so a restart would not help either.
"""

from __future__ import annotations

import redis
from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .services import audio_store
from .services.errors import ServiceError
from .storage import StorageError

bp = Blueprint("health", __name__)
OK, UNAVAILABLE, NOT_CONFIGURED = "ok", "unavailable", "not configured"


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked."""
    return {"status": "ok"}


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return type(getattr(exc, "orig", None) or exc).__name__
    return OK


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return NOT_CONFIGURED
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return UNAVAILABLE
    return OK


def _storage() -> str:
    try:
        audio_store.store().check()
    except StorageError:
        return UNAVAILABLE
    return OK


@bp.get("/readyz")
def readyz():
    """Ready to serve when the database answers; `degraded` when Redis or the store does not."""
    database = _database()
    checks = {"redis": _redis(), "storage": _storage()}
    if database != OK:
        raise ServiceError("database_unavailable", "The database does not answer.",
                           {"reason": database, **checks})
    degraded = any(state == UNAVAILABLE for state in checks.values())
    return {"status": "degraded" if degraded else "ready", "database": OK, **checks}
