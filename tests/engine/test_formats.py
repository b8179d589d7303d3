"""Every format decodes back to 24 kHz and the same length: whole, streamed and written to a file."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
import soundfile as sf

from kokoro_tts.engine import FORMATS, Engine, content_type, write_file
from kokoro_tts.engine.aac import decode as decode_aac
from kokoro_tts.engine.audio import wav_header
from tests.support.audio import decode

from .conftest import VOICE

pytestmark = pytest.mark.unit

# An MP3 stream has no info frame to say how much encoder padding to drop: up to two frames more.
MP3_FRAME = 1152
# Nor has ADTS: AAC's encoder delay (one frame) and the last frame's padding stay.
AAC_FRAME = 1024
# MP4 says both (its edit list): FFmpeg's decoder drops the delay, and the container's duration
# is the true length; the last frame's padding is still decoded.
MP4 = ("m4a", "m4b")


def mp4_duration(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        return container.duration / 1e6


def decoded_length(data: bytes, fmt: str) -> int:
    if fmt == "pcm":
        assert len(data) % 2 == 0
        return len(data) // 2
    if fmt == "aac":
        return len(decode_aac(data))
    if fmt in MP4:
        with av.open(io.BytesIO(data)) as container:
            return sum(frame.samples for frame in container.decode(audio=0))
    audio, rate = decode(data)
    assert rate == 24000
    return len(audio)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_whole_file_decodes_to_same_length(engine: Engine, hello, fmt):
    data = engine.encode(hello.audio, fmt)
    if fmt == "aac":
        assert len(hello.audio) + AAC_FRAME <= decoded_length(data, fmt) <= len(hello.audio) + 3 * AAC_FRAME
    elif fmt in MP4:
        assert len(hello.audio) <= decoded_length(data, fmt) < len(hello.audio) + AAC_FRAME
        assert abs(mp4_duration(data) - len(hello.audio) / 24000) < 0.001
        assert data.find(b"moov") < data.find(b"mdat")  # the index first: a player starts at once
    else:
        assert decoded_length(data, fmt) == len(hello.audio)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_stream_decodes_to_same_length(engine: Engine, hello, fmt):
    chunks = list(engine.encode_stream(hello.chunks, fmt))
    assert all(isinstance(c, bytes) and c for c in chunks)
    n = decoded_length(b"".join(chunks), fmt)
    if fmt == "mp3":
        assert len(hello.audio) <= n <= len(hello.audio) + 2 * MP3_FRAME
    elif fmt == "aac":
        assert len(hello.audio) + AAC_FRAME <= n <= len(hello.audio) + 3 * AAC_FRAME
    elif fmt in MP4:  # fragmented: each fragment's length is known, not that the last frame is padded
        assert len(hello.audio) <= n < len(hello.audio) + AAC_FRAME
        assert b"moof" in b"".join(chunks)
    else:
        assert n == len(hello.audio)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_streams_whole_file_is_the_file_with_true_headers(engine: Engine, hello, fmt):
    """What a stream leaves in `whole` is what a whole-file encoding makes (Opus aside: each
    Ogg stream has a random serial number), and its header gives the length."""
    whole = bytearray()
    sent = b"".join(engine.encode_stream(hello.chunks, fmt, whole))
    assert sent and whole
    if fmt != "opus":
        assert bytes(whole) == engine.encode(hello.audio, fmt)
    if fmt in ("wav", "flac", "mp3", "opus"):
        assert sf.info(io.BytesIO(bytes(whole))).frames == len(hello.audio)
    if fmt in MP4:  # a regular MP4 (no fragments), its index first, its duration the true one
        assert b"moof" not in whole and whole.find(b"moov") < whole.find(b"mdat")
        assert abs(mp4_duration(bytes(whole)) - len(hello.audio) / 24000) < 0.001


@pytest.mark.parametrize("fmt", ["mp3", "opus", "flac", "wav", "pcm", "m4a"])
def test_stream_yields_before_the_end(fmt):
    """Bytes come out after the first piece, not only once every piece is in."""
    tone = (0.3 * np.sin(np.arange(48000) / 7)).astype(np.float32)
    produced = []

    def pieces():
        for i in range(4):
            produced.append(i)
            yield tone

    stream = Engine.encode_stream(pieces(), fmt)
    first = next(stream)
    assert first and len(produced) <= 2
    stream.close()


@pytest.mark.slow
def test_pcm_is_s16le_and_wav_stream_header_is_open_ended(hello):
    pcm = Engine.encode(hello.audio, "pcm")
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32767
    np.testing.assert_allclose(samples, np.clip(hello.audio, -1, 1), atol=1 / 32767 + 1e-6)
    assert wav_header(None)[4:8] == b"\xff\xff\xff\xff"
    assert wav_header(None)[40:44] == (0xFFFFFFFF - 36).to_bytes(4, "little")


def test_content_types():
    assert content_type("wav") == "audio/wav"
    assert content_type("mp3") == "audio/mpeg"
    assert content_type("opus").startswith("audio/ogg")
    assert content_type("flac") == "audio/flac"
    assert content_type("pcm") == "audio/pcm"
    assert content_type("aac") == "audio/aac"
    assert content_type("m4a") == content_type("m4b") == content_type("mp4") == "audio/mp4"
    assert set(FORMATS) == {"wav", "mp3", "opus", "flac", "pcm", "aac", "m4a", "m4b"}


@pytest.mark.slow
def test_synthesized_stream_encodes_end_to_end(engine: Engine):
    pieces = engine.stream(engine.validate("Hello. Goodbye.", voice=VOICE, lang="en-us"))
    audio, rate = decode(b"".join(engine.encode_stream(pieces, "opus")))
    assert rate == 24000 and len(audio) > 12000


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_write_file_gives_a_whole_file(tmp_path, fmt):
    tone = (0.3 * np.sin(np.arange(12000) / 7)).astype(np.float32)
    path = tmp_path / f"tone.{fmt}"
    assert write_file([tone, tone[:0], tone], fmt, path) == 24000
    padding = 3 * AAC_FRAME if fmt == "aac" else AAC_FRAME - 1 if fmt in MP4 else 0
    assert 24000 <= decoded_length(path.read_bytes(), fmt) <= 24000 + padding
    if fmt in ("wav", "flac"):
        assert sf.info(str(path)).frames == 24000
    if fmt in MP4:
        assert abs(mp4_duration(path.read_bytes()) - 1.0) < 0.001


def test_write_file_failure_keeps_the_old_file(tmp_path):
    path = tmp_path / "tone.flac"
    path.write_bytes(b"old")

    def pieces():
        yield np.zeros(2400, np.float32)
        raise RuntimeError("synthesis failed")

    with pytest.raises(RuntimeError):
        write_file(pieces(), "flac", path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["tone.flac"]
