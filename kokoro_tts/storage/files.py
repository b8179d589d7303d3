"""Audio in a folder: each object a file, written to a temporary name and renamed into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from . import CHUNK_BYTES, StorageError


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.url = self.root.resolve().as_uri() if self.root.is_absolute() else f"file:{self.root}"

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} leaves the store")
        return path

    def put(self, key: str, data: bytes) -> None:
        self._write(key, lambda f: f.write(data))

    def put_file(self, key: str, path: Path) -> None:
        def copy(f: BinaryIO) -> None:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, f, CHUNK_BYTES)

        self._write(key, copy)

    def _write(self, key: str, fill: Callable[[BinaryIO], object]) -> None:
        """Write to a temporary file beside the target, then rename it into place. A disk that
        refuses (full, read-only, not a folder) is a StorageError, as an S3 store's would be."""
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        except OSError as exc:
            raise StorageError(f"cannot write {key} in {self.root}: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "wb") as f:
                fill(f)
            os.replace(tmp, target)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError) and not isinstance(exc, StorageError):
                raise StorageError(f"cannot write {key} in {self.root}: {exc.strerror or exc}") from exc
            raise

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def read(self, key: str) -> Iterator[bytes] | None:
        path = self._path(key)
        if not path.is_file():
            return None

        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while data := f.read(CHUNK_BYTES):
                    yield data

        return chunks()

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{self.root}: {exc.strerror or exc}") from exc
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"{self.root} is not writable")

    def objects(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        base = self._path(prefix) if prefix else self.root
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                written = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
                yield path.relative_to(self.root).as_posix(), written
