"""The ``flask tts`` commands, on a minimal Flask app built here (not the project's app factory)."""

from __future__ import annotations

import errno
import re

import numpy as np
import pytest
import soundfile as sf
from flask import Flask

from kokoro_tts.cli import speech
from kokoro_tts.cli.speech import tts_cli
from tests.support.audio import decode, longest_silence

pytestmark = pytest.mark.unit

TEXT = "Hello there. This is a test of files on disk."


@pytest.fixture
def app(engine):
    app = Flask(__name__)
    app.cli.add_command(tts_cli)
    app.extensions["kokoro_engine"] = engine  # share the session's loaded engine
    return app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.mark.slow
def test_say_writes_audio(runner, tmp_path):
    out = tmp_path / "hello.wav"
    result = runner.invoke(
        args=["tts", "say", "Hello there.", "--voice", "jf_alpha", "--lang", "en-us", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    audio, rate = decode(out.read_bytes())
    assert rate == 24000 and len(audio) > 12000


@pytest.mark.slow
def test_say_reads_ssml(runner, tmp_path):
    out = tmp_path / "ssml.wav"
    text = '<speak xml:lang="en-US">Hello there. <break time="1200ms"/> Goodbye.</speak>'
    result = runner.invoke(args=["tts", "say", text, "--voice", "jf_alpha", "-o", str(out)])
    assert result.exit_code == 0, result.output
    audio, _ = decode(out.read_bytes())
    assert 1.2 <= longest_silence(audio) <= 1.32


def test_say_reads_stdin_and_picks_format(runner, tmp_path):
    out = tmp_path / "x.bin"
    result = runner.invoke(
        args=["tts", "say", "-", "--lang", "en-us", "--format", "mp3", "--speed", "1.5", "-o", str(out)],
        input="Hello from standard input.",
    )
    assert result.exit_code == 0, result.output
    audio, rate = decode(out.read_bytes())
    assert rate == 24000 and len(audio) > 12000


@pytest.mark.slow
def test_say_shows_progress_on_long_text(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(speech, "PROGRESS_CHARS", 20)
    text = "One sentence. And another."
    result = runner.invoke(args=["tts", "say", text, "--lang", "en-us", "-o", str(tmp_path / "p.flac")])
    assert result.exit_code == 0, result.output
    assert "Speaking" in result.output
    assert (tmp_path / "p.flac").stat().st_size > 0


def printed_seconds(output: str) -> float:
    match = re.search(r": ([0-9.]+) s of audio", output)
    assert match, output
    return float(match.group(1))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["flac", "wav"])
def test_say_file_headers_give_the_true_length(runner, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    out.write_bytes(b"old contents, replaced")
    result = runner.invoke(args=["tts", "say", TEXT, "--lang", "en-us", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = sf.info(str(out))
    audio, rate = sf.read(str(out), dtype="float32")
    assert rate == 24000 and len(audio) > 24000
    assert info.frames == len(audio)
    assert info.duration == pytest.approx(printed_seconds(result.output), abs=0.005)
    if fmt == "wav":  # RIFF and data sizes are the real ones, not the streaming maxima
        data = out.read_bytes()
        assert int.from_bytes(data[4:8], "little") == len(data) - 8
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_say_compressed_files_decode(runner, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    result = runner.invoke(args=["tts", "say", TEXT, "--lang", "en-us", "-o", str(out)])
    assert result.exit_code == 0, result.output
    audio, rate = decode(out.read_bytes())
    assert rate == 24000
    assert len(audio) / rate == pytest.approx(printed_seconds(result.output), abs=0.005)


@pytest.mark.slow
def test_say_to_stdout_streams(runner):
    result = runner.invoke(args=["tts", "say", TEXT, "--lang", "en-us", "-f", "wav", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data[:4] == b"RIFF" and data[4:8] == b"\xff\xff\xff\xff"  # a stream: length unknown up front
    samples = np.frombuffer(data[44:], "<i2")
    assert len(samples) > 24000 and np.abs(samples).max() > 1000


def test_say_failure_midway_leaves_no_file(runner, tmp_path, engine, monkeypatch):
    infer, calls = engine.backend.infer, []

    def fails_on_second_chunk(*args):
        calls.append(args)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return infer(*args)

    monkeypatch.setattr(engine.backend, "infer", fails_on_second_chunk)
    out = tmp_path / "x.flac"
    result = runner.invoke(args=["tts", "say", "Hello there.\n\nGoodbye.", "--lang", "en-us", "-o", str(out)])
    assert len(calls) == 2
    assert result.exit_code != 0 and "No space left on device" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args,message",
    [
        (["   "], "text is empty"),
        (["Hi.", "--format", "wma"], "unknown format"),
        (["Hi.", "-o", "out.wma"], "unknown format"),
        (["Hi. [pause:30s]", "--lang", "en-us"], "[pause:30s]: a pause lasts from 0.1 to 10 seconds"),
        (["Hi.", "--speed", "9"], "speed must be"),
        (["Hi.", "--voice", "af_heart"], "is not installed on this server"),
        (["Hi.", "--voice", "nobody"], "unknown voice"),
        (["Hi.", "--lang", "tlh"], "unsupported language"),
    ],
)
def test_say_bad_input_is_one_line_error(runner, tmp_path, args, message):
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "o.wav")]
    result = runner.invoke(args=["tts", "say", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("Error:") and len(result.output.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit)


def test_voices_table(runner):
    result = runner.invoke(args=["tts", "voices"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "name", "language", "gender", "grade", "available"]
    assert len(lines) == 55
    row = next(line for line in lines if line.startswith("jf_alpha"))
    assert row.split() == ["jf_alpha", "Alpha", "ja", "female", "C+", "yes"]
    assert next(line for line in lines if line.startswith("af_heart")).split()[-1] == "no"


@pytest.mark.slow
def test_warmup_prints_timing(runner):
    result = runner.invoke(args=["tts", "warmup"])
    assert result.exit_code == 0
    assert "loaded in" in result.output and "synthesized in" in result.output


@pytest.mark.slow
def test_say_writes_captions_and_can_leave_numbers_alone(runner, tmp_path):
    out, vtt = tmp_path / "x.wav", tmp_path / "x.vtt"
    text = "It costs $5. [pause:1s] Thank you."
    result = runner.invoke(args=["tts", "say", text, "--lang", "en-us", "-o", str(out), "--captions", str(vtt)])
    assert result.exit_code == 0, result.output
    body = vtt.read_text()
    assert body.startswith("WEBVTT") and "It costs $5." in body and "Thank you." in body and "[pause" not in body
    plain = tmp_path / "plain.wav"
    result = runner.invoke(args=["tts", "say", "It costs $5.", "--lang", "en-us", "-o", str(plain), "--no-normalize"])
    assert result.exit_code == 0
    normalised = tmp_path / "n.wav"
    runner.invoke(args=["tts", "say", "It costs $5.", "--lang", "en-us", "-o", str(normalised)])
    assert normalised.read_bytes() != plain.read_bytes()  # "five dollars", not espeak's "dollar five"
