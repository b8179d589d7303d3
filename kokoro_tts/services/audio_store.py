"""Where generated audio lives: the store `AUDIO_STORAGE_URL` names (a folder by default), pruned
by count or age.

Rows of the history keep a key (`<user>/<generation>.<format>`), not a place: every server that
shares the database and the store can replay any item. Rows stay when their audio is pruned;
replaying such an item is a 404 `audio_not_found`, the listing still shows it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ..context import App, per_app, setting
from ..extensions import db
from ..models import QUEUED, RUNNING, Generation, Job, utcnow
from ..storage import Store, open_store

EXTENSION_KEY = "kokoro_audio_store"


def storage_url(app: App) -> str:
    """`AUDIO_STORAGE_URL`, else the folder `TTS_AUDIO_DIR` (default: instance/audio)."""
    url = app.config.get("AUDIO_STORAGE_URL")
    if url:
        return str(url)
    folder = app.config.get("TTS_AUDIO_DIR") or os.path.join(app.instance_path, "audio")
    return Path(folder).resolve().as_uri()


def store(app: App | None = None) -> Store:
    """The app's audio store, opened on first use."""
    return per_app(EXTENSION_KEY, lambda a: open_store(storage_url(a)), app)


def save(user_id: int, generation_id: int, fmt: str, audio: bytes) -> str:
    """Store a generation's audio whole (or not at all); its key for the row."""
    key = f"{user_id}/{generation_id}.{fmt}"
    store().put(key, audio)
    return key


def delete_path(key: str) -> None:
    """Remove a stored object no row points at (a settlement that did not commit)."""
    store().delete(key)


def size_of(generation: Generation) -> int | None:
    """Bytes of the item's stored audio; None when it has none."""
    return store().size(generation.audio_path) if generation.audio_path else None


def read(generation: Generation) -> Iterator[bytes] | None:
    return store().read(generation.audio_path) if generation.audio_path else None


def local_path(generation: Generation) -> Path | None:
    """A file holding the item's audio, where the store is a folder (served with ranges)."""
    return store().local_path(generation.audio_path) if generation.audio_path else None


def delete_audio(generation: Generation) -> None:
    if generation.audio_path:
        store().delete(generation.audio_path)
    generation.audio_path = None


def apply_retention(user_id: int) -> None:
    """Drop the audio of a user's items beyond the newest N or older than the max age
    (`HISTORY_AUDIO_MAX_ITEMS`, `HISTORY_AUDIO_MAX_DAYS`; 0 or unset: no limit)."""
    max_items = setting("HISTORY_AUDIO_MAX_ITEMS", 0) or 0
    max_days = setting("HISTORY_AUDIO_MAX_DAYS", 0) or 0
    if not max_items and not max_days:
        return
    query = (
        select(Generation)
        .where(Generation.user_id == user_id, Generation.audio_path.is_not(None))
        .order_by(Generation.created_at.desc(), Generation.id.desc())
    )
    cutoff = utcnow() - timedelta(days=max_days) if max_days else None
    for index, generation in enumerate(db.session.scalars(query)):
        too_many = max_items and index >= max_items
        too_old = cutoff is not None and generation.created_at < cutoff
        if too_many or too_old:
            delete_audio(generation)
    db.session.commit()


def delete_user_audio(user_id: int) -> None:
    """Remove a deleted account's audio (after its rows are gone)."""
    store().delete_prefix(str(user_id))


_JOB_PART = re.compile(r"^\d+/jobs/(\d+)/")
_OWNED = re.compile(r"^\d+/(?:job-)?\d+\.\w+$")


def _kept_keys() -> tuple[set[str], set[int]]:
    """The keys rows point at, and the jobs whose parts are still needed (unfinished)."""
    paths = {path for path in db.session.scalars(select(Generation.audio_path)) if path}
    unfinished = set(db.session.scalars(select(Job.id).where(Job.status.in_([QUEUED, RUNNING]))))
    db.session.rollback()
    return paths, unfinished


def _orphan(key: str, paths: set[str], unfinished: set[int]) -> bool:
    part = _JOB_PART.match(key)
    if part:
        return int(part.group(1)) not in unfinished
    return bool(_OWNED.match(key)) and key not in paths


def sweep_orphans(grace: timedelta = timedelta(hours=1)) -> int:
    """Remove the audio no row points at (an account deleted while its audio was being made, a
    settlement that never came), once older than `grace` (a writer may be about to record it);
    how many objects were removed. Keys of another shape are left alone."""
    paths, unfinished = _kept_keys()
    cutoff = utcnow() - grace
    removed = 0
    for key, written in store().objects():
        if written < cutoff and _orphan(key, paths, unfinished):
            store().delete(key)
            removed += 1
    return removed
