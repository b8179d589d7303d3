"""Where generated audio is kept: a folder or an S3 bucket, chosen by one URL.

- ``file:///srv/audio`` (or a plain path): files in a folder on this machine.
- ``s3://bucket/prefix``: objects in an S3 bucket through boto3, with the standard AWS settings
  (``AWS_ENDPOINT_URL`` for R2, B2, MinIO and other S3-compatible stores, ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``), so that several servers share the audio.

Keys are relative paths (``<user id>/<generation id>.<format>``). A write is whole or absent: a
reader never sees half an object. No Flask in here: the services give the URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

#: Bytes per chunk when an object is read as a stream.
CHUNK_BYTES = 256 * 1024


class Store(Protocol):
    url: str

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` at ``key``, whole or not at all (replacing what was there)."""

    def put_file(self, key: str, path: Path) -> None:
        """Store the file at `path` (too big to hold in memory, say), whole or not at all."""

    def size(self, key: str) -> int | None:
        """The object's size, or None if there is none."""

    def read(self, key: str) -> Iterator[bytes] | None:
        """The object's bytes, a chunk at a time; None if there is none."""

    def local_path(self, key: str) -> Path | None:
        """A file on this machine holding the object, where the store is a folder (else None)."""

    def delete(self, key: str) -> None:
        """Remove the object (no error if it is gone)."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with ``prefix/``."""

    def objects(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        """Every key (under ``prefix/``) and when its object was written (UTC, naive)."""

    def check(self) -> None:
        """StorageError unless the store can be written to now (the readiness probe)."""


class BadStorageUrl(ValueError):
    pass


class StorageError(OSError):
    """The store could not be reached or refused the operation (a server problem: 503)."""


def open_store(url: str) -> Store:
    """The store a URL names; BadStorageUrl if it names none."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        from .files import FileStore

        return FileStore(Path(unquote(parsed.path if parsed.scheme else url)).expanduser())
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise BadStorageUrl(f"{url!r}: an S3 URL names a bucket, as in s3://bucket/prefix")
        from .s3 import S3Store

        return S3Store(parsed.netloc, parsed.path.strip("/"))
    raise BadStorageUrl(f"{url!r}: audio storage is file:///path or s3://bucket/prefix")
