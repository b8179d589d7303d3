"""History routes: list, read, replay (no synthesis, no charge), delete."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file, stream_with_context

from ..engine import content_type
from ..openapi import ATTACHMENT, audio, errors
from ..security import auth_required, current_caller
from ..services import audio_store, history
from ..services.errors import ServiceError
from . import bp
from .schemas import DeletedSchema, GenerationSchema, HistoryPageSchema, HistoryQuerySchema

ITEM = "/history/<int:generation_id>"


@bp.get("/history")
@auth_required
@bp.arguments(HistoryQuerySchema, location="query")
@bp.response(200, HistoryPageSchema)
@bp.doc(**errors(400, 401, 503))
def list_history(query: dict[str, Any]):
    """Your generations, newest first, a page at a time."""
    return history.page(current_caller(), query["page"], query["per_page"])


@bp.get(ITEM)
@auth_required
@bp.response(200, GenerationSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`generation_not_found`: no such item in your history."}))
def get_history_item(generation_id: int):
    """One item of your history."""
    return history.item(current_caller(), generation_id)


@bp.get(f"{ITEM}/audio")
@auth_required
@bp.response(200, content_type="audio/wav", description="The stored audio, as first generated.")
@bp.doc(**audio(ATTACHMENT))
@bp.doc(**errors(401, 404, 503, notes={
    404: "`generation_not_found`: no such item in your history; `audio_not_found`: its audio is not stored "
         "(expired, or never kept).",
}))
def replay(generation_id: int):
    """The stored audio again: no synthesis, no charge."""
    generation = history.item(current_caller(), generation_id)
    name = f"kokoro-{generation.id}.{generation.format}"
    path = audio_store.local_path(generation)
    if path is not None:  # a folder: with ranges, so players can seek
        return send_file(path, mimetype=content_type(generation.format), as_attachment=True, download_name=name)
    size = audio_store.size_of(generation)
    chunks = audio_store.read(generation) if size is not None else None
    if chunks is None:
        raise ServiceError(
            "audio_not_found", "The audio of this item is not stored (expired, or never kept)."
        )
    headers = {"Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(stream_with_context(chunks), mimetype=content_type(generation.format), headers=headers)


@bp.delete(ITEM)
@auth_required
@bp.response(200, DeletedSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`generation_not_found`: no such item in your history."}))
def delete_history_item(generation_id: int):
    """Delete one item and its audio."""
    return {"deleted": history.delete([history.item(current_caller(), generation_id)])}


@bp.delete("/history")
@auth_required
@bp.response(200, DeletedSchema)
@bp.doc(**errors(401, 503))
def clear_history():
    """Delete your whole history and its audio."""
    return {"deleted": history.clear(current_caller())}
