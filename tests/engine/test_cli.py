"""The ``flask tts`` commands, on a minimal Flask app built here (not the project's app factory)."""

from __future__ import annotations

import pytest
from flask import Flask

from kokoro_tts.tts import commands
from kokoro_tts.tts.commands import tts_cli

from .conftest import decode


@pytest.fixture
def app(engine):
    app = Flask(__name__)
    app.cli.add_command(tts_cli)
    app.extensions["kokoro_engine"] = engine  # share the session's loaded engine
    return app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_say_writes_audio(runner, tmp_path):
    out = tmp_path / "hello.wav"
    result = runner.invoke(
        args=["tts", "say", "Hello there.", "--voice", "jf_alpha", "--lang", "en-us", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    audio, rate = decode(out.read_bytes())
    assert rate == 24000 and len(audio) > 12000


def test_say_reads_stdin_and_picks_format(runner, tmp_path):
    out = tmp_path / "x.bin"
    result = runner.invoke(
        args=["tts", "say", "-", "--lang", "en-us", "--format", "mp3", "--speed", "1.5", "-o", str(out)],
        input="Hello from standard input.",
    )
    assert result.exit_code == 0, result.output
    audio, rate = decode(out.read_bytes())
    assert rate == 24000 and len(audio) > 12000


def test_say_shows_progress_on_long_text(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "PROGRESS_CHARS", 20)
    text = "One sentence. And another."
    result = runner.invoke(args=["tts", "say", text, "--lang", "en-us", "-o", str(tmp_path / "p.flac")])
    assert result.exit_code == 0, result.output
    assert "Speaking" in result.output
    assert (tmp_path / "p.flac").stat().st_size > 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["   "], "text is empty"),
        (["Hi.", "--format", "aac"], "unknown format"),
        (["Hi.", "-o", "out.aac"], "unknown format"),
        (["Hi.", "--speed", "9"], "speed must be"),
        (["Hi.", "--voice", "af_heart"], "not in the voice packs"),
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


def test_warmup_prints_timing(runner):
    result = runner.invoke(args=["tts", "warmup"])
    assert result.exit_code == 0
    assert "loaded in" in result.output and "synthesized in" in result.output
