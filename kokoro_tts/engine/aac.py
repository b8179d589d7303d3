"""AAC (ADTS) encoding through PyAV, whose wheel carries FFmpeg's native AAC encoder.

libsndfile has no AAC, and OpenAI's API offers it. ADTS frames stand alone, so the stream can be
played, or cut, at any frame: the same bytes serve a download and a stream.
"""

from __future__ import annotations

import io

import numpy as np

RATE = 24000
BITRATE = 64000


class AacEncoder:
    """Feed float32 mono samples, take the ADTS bytes encoded so far; ``finish`` flushes."""

    def __init__(self) -> None:
        import av

        self._av = av
        self._buf = io.BytesIO()
        self._container = av.open(self._buf, mode="w", format="adts")
        self._stream = self._container.add_stream("aac", rate=RATE, layout="mono")
        self._stream.bit_rate = BITRATE
        self._pts = 0

    def _take(self) -> bytes:
        data = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return data

    def feed(self, samples: np.ndarray) -> bytes:
        samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
        if samples.size:
            frame = self._av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
            frame.sample_rate, frame.pts = RATE, self._pts
            self._pts += samples.shape[1]
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        return self._take()

    def finish(self) -> bytes:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        return self._take()


def encode(audio: np.ndarray) -> bytes:
    encoder = AacEncoder()
    return encoder.feed(audio) + encoder.finish()


def decode(data: bytes) -> np.ndarray:
    """ADTS bytes back to float32 mono samples (for tests and tools)."""
    import av

    with av.open(io.BytesIO(data), format="aac") as container:
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]  # type: ignore[union-attr]
    return np.concatenate(frames).astype(np.float32) if frames else np.zeros(0, dtype=np.float32)
