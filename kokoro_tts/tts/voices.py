"""Voice routes: the catalogue with availability, and the caller's favourites."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file

from ..openapi import errors
from ..rest import OPTIONAL_AUTH, PUBLIC
from ..security import auth_required, caller, current_caller
from ..services import previews, user_voices
from . import bp
from .schemas import FavoritesSchema, VoiceListSchema, VoiceQuerySchema


@bp.get("/voices")
@bp.arguments(VoiceQuerySchema, location="query")
@bp.response(200, VoiceListSchema)
@bp.doc(**OPTIONAL_AUTH)
@bp.doc(**errors(400, 401, 503, notes={401: "A token was sent and it is not valid (see the other routes)."}))
def list_voices(query: dict[str, Any]):
    """The 54 official voices (and any other a loaded pack has); with a token, favourites are marked."""
    listing = user_voices.listing(caller(optional=True), query.get("language"), query.get("available"))
    return {"voices": listing}


@bp.put("/voices/<voice_id>/favorite")
@auth_required
@bp.response(200, FavoritesSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`voice_not_found`: no such voice in the catalogue."}))
def add_favorite(voice_id: str):
    """Add a voice to the favourites (idempotent)."""
    return {"favorite_voices": user_voices.set_favorite(current_caller(), voice_id, True)}


@bp.delete("/voices/<voice_id>/favorite")
@auth_required
@bp.response(200, FavoritesSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`voice_not_found`: no such voice in the catalogue."}))
def remove_favorite(voice_id: str):
    """Remove a voice from the favourites (idempotent)."""
    return {"favorite_voices": user_voices.set_favorite(current_caller(), voice_id, False)}


@bp.get("/voices/<voice_id>/preview")
@bp.response(200, content_type="audio/mpeg", description="a short MP3 sample of the voice")
@bp.doc(**PUBLIC)
@bp.doc(**errors(400, 404, 413, 503, notes={
    400: "`voice_unavailable`: the voice is not installed on this server.",
    404: "`voice_not_found`: no such voice in the catalogue.",
    413: "`text_too_long`: the server's TTS_MAX_CHARS is shorter than the voice's sample (about 50 characters).",
}))
def voice_preview(voice_id: str) -> Response:
    """A short sample of an available voice (free; made once per server, then served from a file)."""
    return send_file(previews.preview(voice_id), mimetype="audio/mpeg", max_age=24 * 3600)
