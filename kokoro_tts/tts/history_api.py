"""The caller's history: list, read, replay (no synthesis, no charge), delete."""

from __future__ import annotations

import math
from typing import Any

from flask import send_file
from sqlalchemy import func, select

from ..auth.identity import caller, login_required
from ..errors import ApiError
from ..extensions import db
from ..models import Generation
from ..rest import BEARER, MAX_ID
from . import storage
from .blueprint import bp
from .engine import content_type
from .schemas import DeletedSchema, GenerationSchema, HistoryPageSchema, HistoryQuerySchema


def _own(generation_id: int) -> Generation:
    generation = db.session.get(Generation, generation_id) if generation_id <= MAX_ID else None
    if generation is None or generation.user_id != caller().id:
        # Another user's item is indistinguishable from a missing one.
        raise ApiError(404, "generation_not_found", "No such item in your history.")
    return generation


@bp.get("/history")
@login_required
@bp.arguments(HistoryQuerySchema, location="query")
@bp.response(200, HistoryPageSchema)
@bp.doc(security=BEARER)
def list_history(query: dict[str, Any]):
    """Your generations, newest first, a page at a time."""
    user_id = caller().id
    page, per_page = query["page"], query["per_page"]
    total = db.session.scalar(select(func.count()).where(Generation.user_id == user_id))
    rows = db.session.scalars(
        select(Generation)
        .where(Generation.user_id == user_id)
        .order_by(Generation.created_at.desc(), Generation.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return {
        "items": rows.all(), "page": page, "per_page": per_page,
        "total": total, "pages": math.ceil(total / per_page) if total else 0,
    }


@bp.get("/history/<int:generation_id>")
@login_required
@bp.response(200, GenerationSchema)
@bp.doc(security=BEARER)
def get_history_item(generation_id: int):
    """One item of your history."""
    return _own(generation_id)


@bp.get("/history/<int:generation_id>/audio")
@login_required
@bp.response(200, content_type="audio/wav", description="The stored audio, as first generated.")
@bp.doc(security=BEARER)
def replay(generation_id: int):
    """The stored audio again: no synthesis, no charge."""
    generation = _own(generation_id)
    path = storage.path_of(generation)
    if path is None:
        raise ApiError(
            404, "audio_not_found", "The audio of this item is not stored (expired, or never kept)."
        )
    return send_file(
        path, mimetype=content_type(generation.format), as_attachment=True,
        download_name=f"kokoro-{generation.id}.{generation.format}",
    )


@bp.delete("/history/<int:generation_id>")
@login_required
@bp.response(200, DeletedSchema)
@bp.doc(security=BEARER)
def delete_history_item(generation_id: int):
    """Delete one item and its audio."""
    generation = _own(generation_id)
    _delete([generation])
    return {"deleted": 1}


@bp.delete("/history")
@login_required
@bp.response(200, DeletedSchema)
@bp.doc(security=BEARER)
def clear_history():
    """Delete your whole history and its audio."""
    rows = db.session.scalars(select(Generation).where(Generation.user_id == caller().id)).all()
    _delete(rows)
    return {"deleted": len(rows)}


def _delete(rows: list[Generation]) -> None:
    """Rows first (committed), files after: a failure never leaves a row without its file."""
    files = [storage.path_of(g) for g in rows]
    for generation in rows:
        db.session.delete(generation)
    db.session.commit()
    for path in files:
        if path is not None:
            path.unlink(missing_ok=True)
