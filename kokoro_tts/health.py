"""Liveness and readiness probes (the latter is Render's health check)."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .services.errors import ServiceError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise ServiceError(
            "database_unavailable", "The database does not answer.",
            {"reason": type(getattr(exc, "orig", None) or exc).__name__},
        ) from exc
    return {"status": "ready", "database": "ok"}
