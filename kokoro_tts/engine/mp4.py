"""AAC in MP4 (``.m4a``; ``.m4b``, the same marked as an audiobook) through PyAV.

Audiobook players read chapters from MP4, and browsers play it. A file is written to a path:
FFmpeg moves its index (moov) to the front when it closes (faststart), so a player can start
before it has the whole file, and it reopens the file by its name to do that. A stream cannot
wait for that index: it is fragmented MP4 (a short index, then fragments of about a second, each
played as it comes), and the file kept of it is written beside it, from the same samples.
Chapters are written when the file is remuxed (``remux``): FFmpeg wants them before it starts a file,
and they are known only once the audio is.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

RATE = 24000
BITRATE = 64000
#: Fragments of about a second: what a stream holds back before a player gets it.
FRAGMENT_MICROSECONDS = 1_000_000
_FAST_START = {"movflags": "+faststart"}
_FRAGMENTED = {"movflags": "delay_moov+default_base_moof", "frag_duration": str(FRAGMENT_MICROSECONDS)}


def _options(fmt: str) -> dict[str, str]:
    """FFmpeg's muxer options for a file of `fmt`: an m4b is branded as an audiobook."""
    return {**_FAST_START, "brand": "M4B "} if fmt == "m4b" else dict(_FAST_START)


class Writer:
    """AAC encoded into an MP4 container: fed float32 mono samples, then closed."""

    def __init__(self, target: str | io.BytesIO, options: dict[str, str], muxer: str = "ipod") -> None:
        import av

        self._av = av
        self._container: Any = av.open(target, mode="w", format=muxer, options=options)
        self._stream = self._container.add_stream("aac", rate=RATE, layout="mono")
        self._stream.bit_rate = BITRATE
        self._pts = 0
        self.samples = 0

    def feed(self, samples: np.ndarray) -> None:
        samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
        if not samples.size:
            return
        frame = self._av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
        frame.sample_rate, frame.pts = RATE, self._pts
        self._pts += samples.shape[1]
        self.samples += samples.shape[1]
        self._container.mux(self._stream.encode(frame))

    def close(self) -> None:
        """Flush the encoder and write the index (and, for a file, move it to the front)."""
        self._container.mux(self._stream.encode(None))
        self._container.close()

    def abandon(self) -> None:
        """Close without finishing (the audio stopped coming)."""
        try:
            self._container.close()
        except Exception:  # the file is thrown away: its trailer cannot matter
            pass


def write(pieces: Iterable[np.ndarray], fmt: str, path: str | os.PathLike[str]) -> int:
    """Encode `pieces` into the MP4 file `path` as they come; how many samples it holds."""
    writer = Writer(os.fspath(path), _options(fmt))
    try:
        for piece in pieces:
            writer.feed(piece)
    except BaseException:
        writer.abandon()
        raise
    writer.close()
    return writer.samples


def write_into(pieces: Iterable[np.ndarray], fmt: str, out: BinaryIO) -> int:
    """`write`, into a file object: through a temporary file, since FFmpeg reopens it by name."""
    with tempfile.TemporaryDirectory(prefix="kokoro-mp4-") as folder:
        path = Path(folder) / f"audio.{fmt}"
        samples = write(pieces, fmt, path)
        with open(path, "rb") as source:
            shutil.copyfileobj(source, out)
    return samples


def encode(audio: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write_into([audio], fmt, buffer)
    return buffer.getvalue()


class StreamEncoder:
    """Fragmented MP4 for a stream, and (`keep`) the whole file written beside it."""

    def __init__(self, fmt: str, keep: bool) -> None:
        self._fmt = fmt
        self._buffer = io.BytesIO()
        self._sent = Writer(self._buffer, _FRAGMENTED, muxer="mp4")
        self._folder = tempfile.mkdtemp(prefix="kokoro-mp4-") if keep else None
        self._kept = Writer(self._path(), _options(fmt)) if self._folder else None

    def _path(self) -> str:
        assert self._folder is not None
        return os.path.join(self._folder, f"audio.{self._fmt}")

    def _take(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data

    def feed(self, samples: np.ndarray) -> bytes:
        """The bytes of the fragments completed so far (often none: a fragment is a second)."""
        self._sent.feed(samples)
        if self._kept is not None:
            self._kept.feed(samples)
        return self._take()

    def finish(self) -> tuple[bytes, bytes]:
        """The last bytes to send, and the whole file kept (empty when not kept)."""
        self._sent.close()
        tail = self._take()
        if self._kept is None:
            return tail, b""
        self._kept.close()
        self._kept = None
        return tail, Path(self._path()).read_bytes()

    def close(self) -> None:
        """Remove the file kept (after `finish`, or when the stream stops early)."""
        if self._kept is not None:
            self._kept.abandon()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def remux(path: Path, fmt: str, chapters: Sequence[tuple[str, float, float]]) -> None:
    """Rewrite the MP4 file `path` with these chapters (title, start and end in seconds).

    The packets are copied, not encoded again. FFmpeg writes the chapters twice: as a QuickTime
    chapter track (Apple's players) and as a Nero ``chpl`` box (most others).
    """
    import av

    remuxed = path.with_name(f".{path.name}.remux")
    try:
        with av.open(str(path)) as source, av.open(str(remuxed), "w", format="ipod", options=_options(fmt)) as out:
            audio = source.streams.audio[0]
            stream = out.add_stream_from_template(audio)
            out.set_chapters([
                {"id": number, "start": round(start * 1000), "end": round(end * 1000),
                 "time_base": Fraction(1, 1000), "metadata": {"title": title}}
                for number, (title, start, end) in enumerate(chapters, start=1)
            ])
            for packet in source.demux(audio):
                if packet.dts is None:  # the demuxer's flush packet
                    continue
                packet.stream = stream
                out.mux(packet)
        os.replace(remuxed, path)
    finally:
        remuxed.unlink(missing_ok=True)

