"""History routes: list, read, replay (no synthesis, no charge), delete."""

from __future__ import annotations

from typing import Any

from flask import send_file

from ..engine import content_type
from ..errors import ApiError
from ..rest import MAX_ID
from ..security import auth_required, current_caller
from ..services import audio_store, history
from . import bp
from .schemas import DeletedSchema, GenerationSchema, HistoryPageSchema, HistoryQuerySchema

ITEM = f"/history/<int(max={MAX_ID}):generation_id>"


@bp.get("/history")
@auth_required
@bp.arguments(HistoryQuerySchema, location="query")
@bp.response(200, HistoryPageSchema)
def list_history(query: dict[str, Any]):
    """Your generations, newest first, a page at a time."""
    return history.page(current_caller(), query["page"], query["per_page"])


@bp.get(ITEM)
@auth_required
@bp.response(200, GenerationSchema)
def get_history_item(generation_id: int):
    """One item of your history."""
    return history.item(current_caller(), generation_id)


@bp.get(f"{ITEM}/audio")
@auth_required
@bp.response(200, content_type="audio/wav", description="The stored audio, as first generated.")
def replay(generation_id: int):
    """The stored audio again: no synthesis, no charge."""
    generation = history.item(current_caller(), generation_id)
    path = audio_store.path_of(generation)
    if path is None:
        raise ApiError(
            404, "audio_not_found", "The audio of this item is not stored (expired, or never kept)."
        )
    return send_file(
        path, mimetype=content_type(generation.format), as_attachment=True,
        download_name=f"kokoro-{generation.id}.{generation.format}",
    )


@bp.delete(ITEM)
@auth_required
@bp.response(200, DeletedSchema)
def delete_history_item(generation_id: int):
    """Delete one item and its audio."""
    return {"deleted": history.delete([history.item(current_caller(), generation_id)])}


@bp.delete("/history")
@auth_required
@bp.response(200, DeletedSchema)
def clear_history():
    """Delete your whole history and its audio."""
    return {"deleted": history.clear(current_caller())}
