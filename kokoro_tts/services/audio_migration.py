"""Copy every stored audio object to another store, verified, so the service can move to it.

Nothing changes where the audio is now, nor in the database (rows hold keys, not places): an
object counts as moved only once it has been read back from the new store and found identical.
Run it again after a failure and it goes on where it stopped (objects already there, the same,
are skipped). Then point `AUDIO_STORAGE_URL` at the new store.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Generation
from ..storage import Store
from . import audio_store

log = logging.getLogger(__name__)


@dataclass
class Report:
    copied: int = 0
    already: int = 0
    missing: int = 0
    failed: list[str] = field(default_factory=list)


def _digest(chunks: Iterable[bytes] | None) -> str:
    sha = hashlib.sha256()
    for data in chunks or ():
        sha.update(data)
    return sha.hexdigest()


def _same(source: Store, target: Store, key: str) -> bool:
    size = target.size(key)
    return size is not None and size == source.size(key) and _digest(target.read(key)) == _digest(source.read(key))


def _copy(source: Store, target: Store, key: str) -> bool:
    """Copy one object and read it back; False if it is missing at the source."""
    chunks = source.read(key)
    if chunks is None:
        return False
    data = b"".join(chunks)
    target.put(key, data)
    if _digest(target.read(key)) != hashlib.sha256(data).hexdigest():
        raise OSError(f"{key}: the copy read back differs")
    return True


def migrate(target: Store, progress: Callable[[str, str], None] = lambda key, what: None) -> Report:
    """Copy the audio of every history item from the app's store into `target`."""
    source = audio_store.store()
    keys = [str(key) for key in db.session.scalars(
        select(Generation.audio_path).where(Generation.audio_path.is_not(None)).order_by(Generation.id)
    )]
    db.session.rollback()
    report = Report()
    for key in keys:
        try:
            if _same(source, target, key):
                report.already += 1
                what = "already there"
            elif _copy(source, target, key):
                report.copied += 1
                what = "copied"
            else:
                report.missing += 1
                what = "missing at the source"
        except Exception as exc:  # one object's failure must not stop the others
            log.warning("could not copy %s: %s", key, exc)
            report.failed.append(key)
            what = f"failed: {exc}"
        progress(key, what)
    return report
