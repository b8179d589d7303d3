"""Audio the tests read back."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode any container soundfile reads; streamed FLAC has no total length, so read it raw."""
    with sf.SoundFile(io.BytesIO(data)) as f:
        rate = f.samplerate
        if f.frames < 1 << 40:
            return f.read(dtype="float32"), rate
        out = np.zeros(rate * 600, dtype=np.float32)
        n = sf._snd.sf_readf_float(f._file, sf._ffi.cast("float *", out.ctypes.data), len(out))
        return out[:n], rate


def longest_silence(audio: np.ndarray, rate: int = 24000, threshold: float = 0.01) -> float:
    """The longest run of samples under `threshold`, in seconds."""
    quiet = np.concatenate([[0], (np.abs(audio) < threshold).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(quiet))
    runs = edges[1::2] - edges[::2]
    return float(runs.max()) / rate if runs.size else 0.0


def _syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def id3_frames(data: bytes) -> list[tuple[str, bytes]]:
    """The frames of an ID3v2.4 tag at the start of `data`, in file order: (frame id, body).

    Read by hand, not through mutagen, so the order is the file's and no library's.
    """
    assert data[:3] == b"ID3" and data[3] == 4, "an ID3v2.4 tag"
    end = 10 + _syncsafe(data[6:10])
    frames, pos = [], 10
    while pos + 10 <= end and data[pos] != 0:
        size = _syncsafe(data[pos + 4:pos + 8])
        frames.append((data[pos:pos + 4].decode("ascii"), data[pos + 10:pos + 10 + size]))
        pos += 10 + size
    return frames


def _text_frame(body: bytes) -> str:
    """A TIT2 body: its encoding byte (3: UTF-8), then the text."""
    assert body[0] == 3
    return body[1:].rstrip(b"\0").decode("utf-8")


def _sub_frames(data: bytes) -> dict[str, bytes]:
    found, pos = {}, 0
    while pos + 10 <= len(data):
        size = _syncsafe(data[pos + 4:pos + 8])
        found[data[pos:pos + 4].decode("ascii")] = data[pos + 10:pos + 10 + size]
        pos += 10 + size
    return found


def id3_chapters(data: bytes) -> tuple[list[str], list[tuple[str, str, int, int]]]:
    """The table of contents' children, and the CHAP frames as found in the file:
    (element id, title, start ms, end ms)."""
    children: list[str] = []
    chapters = []
    for frame_id, body in id3_frames(data):
        if frame_id == "CTOC":
            _, rest = body.split(b"\0", 1)
            count = rest[1]
            names = rest[2:].split(b"\0")[:count]
            children = [name.decode("latin-1") for name in names]
        elif frame_id == "CHAP":
            element, rest = body.split(b"\0", 1)
            start, end = int.from_bytes(rest[0:4], "big"), int.from_bytes(rest[4:8], "big")
            title = _text_frame(_sub_frames(rest[16:])["TIT2"])
            chapters.append((element.decode("latin-1"), title, start, end))
    return children, chapters
