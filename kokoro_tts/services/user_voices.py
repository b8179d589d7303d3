"""Voices as the service sees them: the engine's catalogue with availability, blends checked
against it, and each user's favourites."""

from __future__ import annotations

from typing import Any

from ..context import get_engine
from ..engine import EngineError
from ..engine.errors import Message
from ..engine.voice_packs import parse_spec
from ..extensions import db
from ..models import User, lock_user
from .errors import ServiceError


def as_list(value: object) -> list[str]:
    """favorite_voices as a list of ids, whatever an old row holds."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def known_voice_ids() -> set[str]:
    return {v.id for v in get_engine().voices()}


def unknown_voices(spec: str) -> list[str]:
    """The parts of a voice id or blend that are not in the catalogue (all of it if unreadable)."""
    try:
        ids = [voice_id for voice_id, _weight in parse_spec(spec)]
    except EngineError:
        return [spec]
    known = known_voice_ids()
    return [voice_id for voice_id in ids if voice_id not in known]


def unavailable_voices(spec: str) -> list[str]:
    """The catalogue voices of a spec that no loaded pack holds (empty for an empty spec)."""
    if not spec:
        return []
    try:
        ids = [voice_id for voice_id, _weight in parse_spec(spec)]
    except EngineError:
        return []
    have = set(available_ids())
    return [voice_id for voice_id in ids if voice_id not in have]


def listing(user: User | None, language: str | None = None, available: bool | None = None) -> list[dict[str, Any]]:
    """The catalogue, filtered, each voice marked `favorite` for `user`."""
    favorites = set(as_list(user.favorite_voices)) if user else set()
    voices = []
    for voice in get_engine().voices():
        if language is not None and voice.language != language.lower():
            continue
        if available is not None and voice.available != available:
            continue
        voices.append({**voice.as_dict(), "favorite": voice.id in favorites})
    return voices


def available_ids() -> list[str]:
    return [v.id for v in get_engine().voices() if v.available]


def set_favorite(user: User, voice_id: str, favorite: bool) -> list[str]:
    """Add or remove one favourite (idempotent); concurrent changes queue on the row lock."""
    if voice_id not in known_voice_ids():
        raise ServiceError("voice_not_found", Message("No voice {voice!r} in the catalogue.", voice=voice_id))
    locked = lock_user(user.id)
    favorites = [v for v in as_list(locked.favorite_voices) if v != voice_id]
    if favorite:
        favorites.append(voice_id)
    locked.favorite_voices = favorites
    db.session.commit()
    return favorites
