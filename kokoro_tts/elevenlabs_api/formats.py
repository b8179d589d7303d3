"""ElevenLabs' `output_format` (`codec_rate[_bitrate]`) as this service makes it.

The engine speaks at 24 kHz. Raw PCM and telephony's G.711 have no header, so their rate must be
the one asked: they are resampled (libswresample, through PyAV) and, for `ulaw_8000` and
`alaw_8000`, companded here. MP3 and Opus carry their rate in their headers and any player reads
them, so `mp3_*` is the service's MP3 (24 kHz, 64 kb/s) and `opus_*` its Ogg Opus, whatever rate and
bitrate the name asks; what the answer is, `X-Output-Format` says.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import av
import numpy as np

from ..engine import SAMPLE_RATE
from ..engine.errors import Message
from ..services.errors import ServiceError

PCM_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
_NAME = re.compile(r"^(mp3|pcm|ulaw|alaw|opus)_(\d+)(?:_(\d+))?$")


@dataclass(frozen=True)
class OutputFormat:
    """`fmt`: what the engine makes; `rate` and `codec`: what the client gets (see `convert`)."""

    name: str
    fmt: str
    codec: str
    rate: int
    content_type: str

    @property
    def converted(self) -> bool:
        return self.codec in ("ulaw", "alaw") or (self.codec == "pcm" and self.rate != SAMPLE_RATE)


def parse(name: str | None) -> OutputFormat:
    """The format named (ElevenLabs' default: mp3_44100_128); a 400 naming what can be made otherwise."""
    name = (name or "mp3_44100_128").strip().lower()
    found = _NAME.match(name)
    codec, rate = (found.group(1), int(found.group(2))) if found else ("", 0)
    if codec in ("mp3", "opus"):
        return OutputFormat(name, codec, codec, SAMPLE_RATE, "audio/mpeg" if codec == "mp3" else "audio/ogg")
    if codec == "pcm" and rate in PCM_RATES:
        return OutputFormat(name, "pcm", "pcm", rate, "audio/pcm")
    if codec in ("ulaw", "alaw") and rate == 8000:
        return OutputFormat(name, "pcm", codec, rate, "audio/basic" if codec == "ulaw" else "audio/x-alaw-basic")
    raise ServiceError("unknown_format", Message(
        "output_format {name!r} cannot be made here: mp3_* (MP3 at 24 kHz), opus_* (Ogg Opus), pcm_{rates} "
        "(16-bit mono), ulaw_8000 or alaw_8000", name=name, rates="/".join(str(r) for r in PCM_RATES)))


#: Where each G.711 segment ends (the reference code's tables: µ-law on 14 bits, A-law on 13).
_ULAW_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_ENDS = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _ulaw(samples: np.ndarray) -> np.ndarray:
    value = samples.astype(np.int32) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(value), 8159) + 0x21
    segment = np.searchsorted(_ULAW_ENDS, value)
    coded = (segment << 4) | ((value >> (segment + 1)) & 0x0F)
    return np.where(segment >= 8, 0x7F, coded) ^ mask


def _alaw(samples: np.ndarray) -> np.ndarray:
    value = samples.astype(np.int32) >> 3
    mask = np.where(value >= 0, 0xD5, 0x55)
    value = np.where(value >= 0, value, -value - 1)
    segment = np.searchsorted(_ALAW_ENDS, value)
    coded = (segment << 4) | np.where(segment < 2, value >> 1, value >> np.maximum(segment, 1)) & 0x0F
    return np.where(segment >= 8, 0x7F, coded) ^ mask


def _companded(samples: np.ndarray, codec: str) -> bytes:
    """G.711 µ-law or A-law of 16-bit samples, as ITU-T G.711's reference code makes them."""
    return (_ulaw(samples) if codec == "ulaw" else _alaw(samples)).astype(np.uint8).tobytes()


def _frames(chunks: Iterable[bytes]) -> Iterator[np.ndarray]:
    """16-bit samples from byte chunks that may split a sample in two."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        whole = len(data) - len(data) % 2
        carry = data[whole:]
        if whole:
            yield np.frombuffer(data[:whole], "<i2")


def convert(chunks: Iterable[bytes], out: OutputFormat) -> Iterator[bytes]:
    """The engine's 24 kHz 16-bit PCM (`fmt` "pcm") as `out` asks, chunk by chunk."""
    if not out.converted:
        yield from chunks
        return
    resampler = av.AudioResampler(format="s16", layout="mono", rate=out.rate)
    for samples in itertools.chain(_frames(chunks), [None]):
        frame = None
        if samples is not None:
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
        for made in resampler.resample(frame):
            pcm = made.to_ndarray().reshape(-1)
            yield pcm.astype("<i2").tobytes() if out.codec == "pcm" else _companded(pcm, out.codec)
