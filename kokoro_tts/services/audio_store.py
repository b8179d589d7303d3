"""Where generated audio lives: files on local disk, pruned by count or age.

Rows of the history stay when their audio is pruned; replaying such an item is a
404 `audio_not_found`, the listing still shows it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Generation, utcnow


def audio_root() -> Path:
    folder = current_app.config.get("TTS_AUDIO_DIR") or os.path.join(current_app.instance_path, "audio")
    return Path(folder)


def save(user_id: int, generation_id: int, fmt: str, audio: bytes) -> str:
    """Write a generation's audio atomically (temp file + rename); its path for the row."""
    relative = Path(str(user_id)) / f"{generation_id}.{fmt}"
    target = audio_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(audio)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(relative)


def delete_path(relative: str) -> None:
    """Remove a stored file that no row points at (a settlement that did not commit)."""
    (audio_root() / relative).unlink(missing_ok=True)


def path_of(generation: Generation) -> Path | None:
    if not generation.audio_path:
        return None
    path = audio_root() / generation.audio_path
    return path if path.is_file() else None


def delete_audio(generation: Generation) -> None:
    path = path_of(generation)
    if path is not None:
        path.unlink(missing_ok=True)
    generation.audio_path = None


def apply_retention(user_id: int) -> None:
    """Drop the audio of a user's items beyond the newest N or older than the max age
    (`HISTORY_AUDIO_MAX_ITEMS`, `HISTORY_AUDIO_MAX_DAYS`; 0 or unset: no limit)."""
    max_items = current_app.config.get("HISTORY_AUDIO_MAX_ITEMS") or 0
    max_days = current_app.config.get("HISTORY_AUDIO_MAX_DAYS") or 0
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
    """Remove a deleted account's audio folder (after its rows are gone)."""
    shutil.rmtree(audio_root() / str(user_id), ignore_errors=True)
