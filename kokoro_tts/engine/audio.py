"""Audio helpers: silence trimming and pauses, and encoding to wav, mp3, opus, flac and raw pcm.

Everything but AAC goes through soundfile/libsndfile (>= 1.1 writes MP3 and Opus), so no ffmpeg
program is needed; AAC goes through PyAV, whose wheel carries FFmpeg's libraries: bare (ADTS,
``aac``) or in MP4 (``mp4``: m4a, and m4b for audiobooks).
Streams yield bytes a player can start on before the end: wav gets a header of maximal length then
PCM, pcm is bare s16le, and mp3/opus/flac are encoded incrementally by libsndfile into a
file-like sink that hands out what has been written after each piece. Their headers cannot give
the length, which is unknown until the end; ``write_file`` writes a file on disk instead, whose
headers libsndfile fills in at close. A stream can also leave the whole file in a buffer of the
caller's (``encode_stream(..., whole=)``), headers completed at its end, for keeping: what is
stored gives its true length even when what was sent could not.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import shutil
import struct
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf

from . import aac, mp4
from .errors import Message, UnknownFormat

SAMPLE_RATE = 24000

#: Output format -> its MIME type.
FORMATS: dict[str, str] = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "opus": "audio/ogg; codecs=opus",
    "flac": "audio/flac",
    "pcm": "audio/pcm",
    "aac": "audio/aac",
    "m4a": "audio/mp4",
    "m4b": "audio/mp4",
}
#: AAC in MP4: m4b is the same, branded as an audiobook (players keep the place, show chapters).
MP4_FORMATS = ("m4a", "m4b")
#: MP3 is constant bitrate (64 kb/s at 24 kHz): a stream has no info frame, and a decoder can only
#: tell the length of a VBR stream from it.
_MP3_OPTIONS = {"bitrate_mode": "CONSTANT", "compression_level": 0.6}
#: Format -> (libsndfile container, subtype).
_SNDFILE = {
    "wav": ("WAV", "PCM_16"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "opus": ("OGG", "OPUS"),
    "flac": ("FLAC", "PCM_16"),
}
EXTENSIONS = {fmt: f".{fmt}" for fmt in FORMATS}


def check_format(fmt: str) -> str:
    """Normalise a format name, or raise UnknownFormat naming the supported ones."""
    key = str(fmt or "").strip().lower().lstrip(".")
    key = {"ogg": "opus", "mpeg": "mp3", "raw": "pcm", "wave": "wav", "adts": "aac", "mp4": "m4a"}.get(key, key)
    if key not in FORMATS:
        raise UnknownFormat(Message("unknown format {fmt!r}; supported: {formats}",
                                    fmt=fmt, formats=", ".join(FORMATS)))
    return key


def content_type(fmt: str) -> str:
    return FORMATS[check_format(fmt)]


def trim_bounds(audio: np.ndarray, threshold: float = 0.01, pad: float = 0.02) -> tuple[int, int]:
    """Where the sound of ``audio`` starts and ends, ``pad`` seconds kept around it so onsets are
    not clipped; (0, 0) if it is all near-silence."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return 0, 0
    margin = int(pad * SAMPLE_RATE)
    return max(0, int(loud[0]) - margin), min(len(audio), int(loud[-1]) + 1 + margin)


def trim_silence(audio: np.ndarray, threshold: float = 0.01, pad: float = 0.02) -> np.ndarray:
    """Cut leading and trailing near-silence (see ``trim_bounds``)."""
    lo, hi = trim_bounds(audio, threshold, pad)
    return audio[lo:hi]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32)


def to_pcm16(audio: np.ndarray) -> bytes:
    """float32 in [-1, 1] -> little-endian signed 16-bit bytes."""
    clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    return (clipped * 32767.0).round().astype("<i2").tobytes()


def wav_header(frames: int | None = None) -> bytes:
    """A 44-byte PCM16 mono header; ``None`` frames gives the maximal sizes streaming players accept."""
    data = 0xFFFFFFFF - 36 if frames is None else frames * 2
    return (
        b"RIFF"
        + struct.pack("<I", min(0xFFFFFFFF, data + 36))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data)
    )


def encode(audio: np.ndarray, fmt: str) -> bytes:
    """Whole-file encoding of 24 kHz mono float32 audio."""
    fmt = check_format(fmt)
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if fmt == "pcm":
        return to_pcm16(audio)
    if fmt == "wav":
        return wav_header(len(audio)) + to_pcm16(audio)
    if fmt == "aac":
        return aac.encode(audio)
    if fmt in MP4_FORMATS:
        return mp4.encode(audio, fmt)
    buf = io.BytesIO()
    with open_writer(buf, fmt) as f:
        f.write(audio)
    return buf.getvalue()


def open_writer(file: object, fmt: str) -> sf.SoundFile:
    """A libsndfile writer of `fmt` (MP3, Opus or FLAC) at 24 kHz mono, with our encoder settings."""
    container, subtype = _SNDFILE[fmt]
    options = _MP3_OPTIONS if fmt == "mp3" else {}
    return sf.SoundFile(file, "w", SAMPLE_RATE, 1, format=container, subtype=subtype, **options)


class _Sink(io.RawIOBase):
    """A write-only, seekable file for libsndfile whose written bytes can be taken out as they come.

    libsndfile seeks back at close to patch headers (FLAC's STREAMINFO, the MP3 info frame); bytes
    already handed out cannot change, so writes before that point are dropped. Players treat those
    fields as unknown, which is what a stream is. ``whole``, if given, gets every write where it
    belongs, patches included: at close it holds the file as libsndfile would have left it on disk.
    """

    def __init__(self, whole: bytearray | None = None) -> None:
        super().__init__()
        self._sent = 0  # absolute offset of the first byte not yet handed out
        self._pending = bytearray()  # bytes from _sent on
        self._pos = 0
        self._whole = whole

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # libsndfile may probe; there is nothing to read back
        return 0

    def write(self, b) -> int:
        data = bytes(b)
        start = self._pos
        self._pos += len(data)
        if self._whole is not None:
            _put(self._whole, start, data)
        if self._pos <= self._sent:
            return len(data)
        if start < self._sent:
            data, start = data[self._sent - start :], self._sent
        _put(self._pending, start - self._sent, data)
        return len(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        end = self._sent + len(self._pending)
        self._pos = offset if whence == 0 else (self._pos + offset if whence == 1 else end + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def take(self) -> bytes:
        out = bytes(self._pending)
        self._sent += len(out)
        self._pending.clear()
        return out


def _put(buffer: bytearray, offset: int, data: bytes) -> None:
    """Write `data` into `buffer` at `offset`, as into a file (zeros fill a gap)."""
    if offset > len(buffer):
        buffer.extend(b"\0" * (offset - len(buffer)))
    buffer[offset : offset + len(data)] = data


_MP3_BITRATES = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2.5
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_length(header: bytes) -> int:
    """Length in bytes of the Layer III frame starting with ``header`` (0 if it is not one)."""
    if len(header) < 4 or header[0] != 0xFF or (header[1] & 0xE0) != 0xE0 or ((header[1] >> 1) & 3) != 1:
        return 0
    version = (header[1] >> 3) & 3
    br_index, sr_index, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    if version not in _MP3_BITRATES or br_index in (0, 15) or sr_index == 3:
        return 0
    coefficient = 144 if version == 3 else 72
    return coefficient * _MP3_BITRATES[version][br_index] * 1000 // _MP3_RATES[version][sr_index] + padding


def _drop_info_placeholder(data: bytes) -> bytes:
    """Drop the MP3 info frame libsndfile reserves and only fills in at close.

    In a stream it would stay blank, and decoders would take that for the length of the audio.
    """
    length = _mp3_frame_length(data[:4])
    if length and len(data) >= length:
        frame = data[4:length]
        if not frame.strip(b"\0") or b"Xing" in frame or b"Info" in frame:
            return data[length:]
    return data


def _samples(piece: object) -> np.ndarray:
    return np.asarray(getattr(piece, "audio", piece), dtype=np.float32).reshape(-1)


def _close(source: Iterator[object]) -> None:
    """Close a generator of pieces, so that synthesis stops when its consumer does."""
    close = getattr(source, "close", None)
    if close is not None:
        close()


def encode_stream(
    pieces: Iterable[object], fmt: str, whole: bytearray | None = None
) -> Generator[bytes, None, None]:
    """Encode audio pieces (arrays, or objects with ``.audio``) into byte pieces as they arrive.

    Closing this generator closes ``pieces`` too, so a client that goes away stops synthesis.
    ``whole`` (empty), if given, holds the whole file once the stream has ended: the bytes sent,
    with the headers a stream leaves open completed (WAV's sizes, FLAC's length, MP3's info frame).
    """
    fmt = check_format(fmt)
    source = iter(pieces)
    try:
        if fmt in ("wav", "pcm"):
            yield from _pcm_stream(source, fmt == "wav", whole)
        elif fmt == "aac":
            for data in _aac_stream(source):
                yield _keep(data, whole)
        elif fmt in MP4_FORMATS:
            yield from _mp4_stream(source, fmt, whole)
        else:
            yield from _sndfile_stream(source, fmt, whole)
    finally:
        _close(source)


def _keep(data: bytes, whole: bytearray | None) -> bytes:
    """`data`, also added to `whole` (for a format whose stream is already the whole file)."""
    if whole is not None:
        whole += data
    return data


def _pcm_stream(source: Iterator[object], with_header: bool, whole: bytearray | None) -> Iterator[bytes]:
    if with_header:
        yield _keep(wav_header(None), whole)
    frames = 0
    for piece in source:
        samples = _samples(piece)
        if samples.size:
            frames += samples.size
            yield _keep(to_pcm16(samples), whole)
    if with_header and whole is not None:
        whole[:44] = wav_header(frames)


def _aac_stream(source: Iterator[object]) -> Iterator[bytes]:
    encoder = aac.AacEncoder()
    for piece in source:
        data = encoder.feed(_samples(piece))
        if data:
            yield data
    yield encoder.finish()


def _mp4_stream(source: Iterator[object], fmt: str, whole: bytearray | None) -> Iterator[bytes]:
    """Fragmented MP4; the whole file (kept) is a regular one, its index first, written beside."""
    encoder = mp4.StreamEncoder(fmt, keep=whole is not None)
    try:
        for piece in source:
            data = encoder.feed(_samples(piece))
            if data:
                yield data
        tail, kept = encoder.finish()
        if whole is not None:
            whole += kept
        if tail:
            yield tail
    finally:
        encoder.close()


def _sndfile_stream(source: Iterator[object], fmt: str, whole: bytearray | None) -> Iterator[bytes]:
    sink = _Sink(whole)
    first = fmt == "mp3"
    with open_writer(sink, fmt) as f:
        for piece in source:
            samples = _samples(piece)
            if samples.size:
                f.write(samples)
            data = sink.take()
            if first and data:
                data, first = _drop_info_placeholder(data), False
            if data:
                yield data
    tail = sink.take()
    if tail:
        yield tail


def write_file(pieces: Iterable[object], fmt: str, file: str | os.PathLike[str] | BinaryIO) -> int:
    """Write audio pieces into a whole file whose headers give the true length; returns the samples.

    Pieces are written as they come (memory stays bounded) into a seekable file, and libsndfile fills
    in the lengths at close. A path is written atomically: into a temp file beside it, renamed over
    it at the end, so a failure leaves no half-written file (and the old one, if any). A file object
    must be open for reading and writing, and seekable. ``pieces`` is closed in any case.
    """
    fmt = check_format(fmt)
    source = iter(pieces)
    try:
        if isinstance(file, (str, os.PathLike)):
            return _write_path(source, fmt, Path(file))
        return _write_into(source, fmt, file)
    finally:
        _close(source)


def _write_path(source: Iterator[object], fmt: str, path: Path) -> int:
    path = Path(os.path.realpath(path))  # through a symlink, not over it
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if path.exists() and not path.is_file():  # a device or a pipe: stream to it instead
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "x+b") as f:  # "x": a new file, with the usual permissions
            samples = _write_into(source, fmt, f, tmp)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return samples


def _write_into(source: Iterator[object], fmt: str, f: BinaryIO, path: Path | None = None) -> int:
    if fmt in MP4_FORMATS:  # FFmpeg writes MP4 by the file's name: it rewrites it to put the index first
        pieces = (_samples(piece) for piece in source)
        return mp4.write(pieces, fmt, path) if path else mp4.write_into(pieces, fmt, f)
    written = 0
    if fmt in ("pcm", "aac"):
        encoder = aac.AacEncoder() if fmt == "aac" else None
        for piece in source:
            samples = _samples(piece)
            f.write(encoder.feed(samples) if encoder else to_pcm16(samples))
            written += samples.size
        if encoder:
            f.write(encoder.finish())
        return written
    with open_writer(f, fmt) as snd:
        for piece in source:
            samples = _samples(piece)
            if samples.size:
                snd.write(samples)
                written += samples.size
    return written
