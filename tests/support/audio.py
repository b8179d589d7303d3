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
