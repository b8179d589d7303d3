"""Voices: the catalogue with availability, and the caller's favourites."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..auth.identity import caller, login_required
from ..errors import ApiError
from ..extensions import db
from ..models import lock_user
from ..rest import BEARER
from .blueprint import bp
from .engine import EngineError, get_engine
from .engine.voices import parse_spec
from .schemas import FavoritesSchema, VoiceListSchema, VoiceQuerySchema


def as_list(value: object) -> list[str]:
    """favorite_voices as a list of ids, whatever an old row holds."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def known_voice_ids() -> set[str]:
    return {v.id for v in get_engine(current_app).voices()}


def unknown_voices(spec: str) -> list[str]:
    """The parts of a voice id or blend that are not in the catalogue (all of it if unreadable)."""
    try:
        ids = [voice_id for voice_id, _weight in parse_spec(spec)]
    except EngineError:
        return [spec]
    known = known_voice_ids()
    return [voice_id for voice_id in ids if voice_id not in known]


@bp.get("/voices")
@bp.arguments(VoiceQuerySchema, location="query")
@bp.response(200, VoiceListSchema)
def list_voices(query: dict[str, Any]):
    """The 54 official voices (and any other a loaded pack has); with a token, favourites are marked."""
    user = caller(optional=True)
    favorites = set(as_list(user.favorite_voices)) if user else set()
    voices = []
    for voice in get_engine(current_app).voices():
        if "language" in query and voice.language != query["language"].lower():
            continue
        if "available" in query and voice.available != query["available"]:
            continue
        voices.append({**voice.as_dict(), "favorite": voice.id in favorites})
    return {"voices": voices}


def _change_favorites(voice_id: str, add: bool) -> dict[str, list[str]]:
    if voice_id not in known_voice_ids():
        raise ApiError(404, "voice_not_found", f"No voice {voice_id!r} in the catalogue.")
    user = lock_user(caller().id)  # concurrent changes queue here: none is lost
    favorites = [v for v in as_list(user.favorite_voices) if v != voice_id]
    if add:
        favorites.append(voice_id)
    user.favorite_voices = favorites
    db.session.commit()
    return {"favorite_voices": favorites}


@bp.put("/voices/<voice_id>/favorite")
@login_required
@bp.response(200, FavoritesSchema)
@bp.doc(security=BEARER)
def add_favorite(voice_id: str):
    """Add a voice to the favourites (idempotent)."""
    return _change_favorites(voice_id, add=True)


@bp.delete("/voices/<voice_id>/favorite")
@login_required
@bp.response(200, FavoritesSchema)
@bp.doc(security=BEARER)
def remove_favorite(voice_id: str):
    """Remove a voice from the favourites (idempotent)."""
    return _change_favorites(voice_id, add=False)
