"""``flask tts …``: speak text to a file, list voices, warm the model up.

The commands use the app's engine (``get_engine(current_app)``), so they see the same ``TTS_*``
configuration as the API. Bad input ends with a one-line message and a non-zero exit. A file is
written whole (true lengths in its headers; nothing left behind on failure); ``-o -`` streams.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..context import get_engine
from ..engine import FORMATS, Engine, EngineError, Piece, Request, hub, write_file
from ..engine.audio import check_format
from ..engine.normalize import Options
from ..engine.timing import Timeline, Word, srt, webvtt

tts_cli = AppGroup("tts", help="Speech engine: synthesize text, list voices, warm up the model.")

#: Texts at least this long get a progress bar.
PROGRESS_CHARS = 300


def _format_for(fmt: str | None, output: str) -> str:
    """The --format given, else the output file's extension, else wav (for stdout or no extension)."""
    if fmt:
        return check_format(fmt)
    suffix = Path(output).suffix.lower()
    if output == "-" or not suffix:
        return "wav"
    return check_format(suffix)


def _streamed(output: str) -> bool:
    """Standard output, a pipe or a device is written as a stream: it cannot be seeked, or renamed over."""
    if output == "-":
        return True
    path = Path(output)
    return path.exists() and not path.is_file() and not path.is_dir()


def _copy(chunks: Iterator[bytes], output: str) -> None:
    if output == "-":
        out = sys.stdout.buffer
        for data in chunks:
            out.write(data)
        out.flush()
        return
    with open(output, "wb") as f:
        for data in chunks:
            f.write(data)


def _speak(engine: Engine, req: Request, fmt: str, output: str, timeline: Timeline) -> float:
    """Speak ``req`` into ``output``; returns the seconds of audio, its words in ``timeline``.

    A file gets headers with the true length; a stream's headers go out before the length is known.
    """
    seconds = 0.0
    show = len(req.text) >= PROGRESS_CHARS and output != "-"
    with click.progressbar(length=len(req.text), label="Speaking", file=sys.stderr, hidden=not show) as bar:

        def spoken(piece: Piece) -> None:
            nonlocal seconds
            seconds += piece.duration
            timeline.add(piece.duration, piece.words)
            bar.update(piece.chars)

        pieces = engine.stream(req, on_piece=spoken)
        if _streamed(output):
            _copy(engine.encode_stream(pieces, fmt), output)
        else:
            write_file(pieces, fmt, output)
    return seconds


@tts_cli.command("say")
@click.argument("text")
@click.option("--voice", "-v", default=None, help="Voice id or blend, e.g. af_bella(2)+af_sky(1).")
@click.option("--speed", "-s", default=1.0, type=float, show_default=True, help="0.25 to 4.0.")
@click.option("--lang", "-l", default=None, help="Language (en-us, en-gb, fr, es, it, pt-br, hi, ja, zh).")
@click.option("--format", "-f", "fmt", default=None, help=f"One of {', '.join(FORMATS)} (default: from -o).")
@click.option("--output", "-o", required=True, help="Output file, or - for standard output.")
@click.option("--no-normalize", is_flag=True, help="Read numbers, units and the like as espeak-ng does.")
@click.option("--captions", type=click.Path(dir_okay=False), default=None,
              help="Also write the words' timings: .vtt (WebVTT), .srt or .json.")
def say(text: str, voice: str | None, speed: float, lang: str | None, fmt: str | None, output: str,
        no_normalize: bool, captions: str | None) -> None:
    """Speak TEXT (or standard input, with -) into a file. The text may hold [pause:1.5s],
    [voice:id] and [word](/phonemes/) tags."""
    engine = get_engine(current_app)
    if text == "-":
        text = sys.stdin.read()
    timeline = Timeline()
    try:
        fmt = _format_for(fmt, output)
        req = engine.validate(text, voice, speed, lang, fmt, normalize=Options(enabled=not no_normalize))
        start = time.perf_counter()
        seconds = _speak(engine, req, fmt, output, timeline)
        if captions:
            _write_captions(captions, timeline.words(req.text))
    except EngineError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
    if output != "-":
        elapsed = time.perf_counter() - start
        click.echo(f"Wrote {output}: {seconds:.2f} s of audio ({fmt}) in {elapsed:.2f} s", err=True)


def _write_captions(path: str, words: list[Word]) -> None:
    if path.endswith(".json"):
        body = json.dumps([w.as_dict() for w in words], ensure_ascii=False, indent=1)
    else:
        body = srt(words) if path.endswith(".srt") else webvtt(words)
    Path(path).write_text(body, encoding="utf-8")


@tts_cli.command("voices")
@click.option("--available", "only_available", is_flag=True, help="List only the voices this server has.")
def voices(only_available: bool) -> None:
    """List the voice catalogue and which voices are available."""
    engine = get_engine(current_app)
    try:
        rows = engine.voices()
    except EngineError as e:
        raise click.ClickException(str(e)) from None
    if only_available:
        rows = [v for v in rows if v.available]
    header = ("id", "name", "language", "gender", "grade", "available")
    table = [header] + [
        (v.id, v.name, v.language or "", v.gender or "", v.grade or "", "yes" if v.available else "no") for v in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@tts_cli.command("warmup")
def warmup() -> None:
    """Load the model and voices, speak one short sentence, print the timings."""
    engine = get_engine(current_app)
    try:
        t = engine.warmup()
    except EngineError as e:
        raise click.ClickException(str(e)) from None
    click.echo(
        f"Backend {engine.settings.backend}: loaded in {t['load']:.2f} s; "
        f"{t['audio']:.2f} s of audio synthesized in {t['synthesis']:.2f} s"
    )


@tts_cli.command("download")
@click.option("--voices", "only", default=None, help="Comma-separated voice ids (default: all 54 of the catalogue).")
@click.option("--to", "dest", default=None, type=click.Path(file_okay=False),
              help="Voices folder (default: TTS_CACHE_DIR/voices, which the engine loads by itself).")
@click.option("--revision", default=hub.REVISION, show_default=True, help="Revision of hexgrad/Kokoro-82M.")
@click.option("--connect-timeout", "timeout", type=click.FloatRange(min=0.1), default=hub.CONNECT_TIMEOUT,
              show_default=True, help="Seconds to wait for the Hub's first answer.")
@click.option("--if-reachable", is_flag=True,
              help="When the Hub cannot be reached, say so in one line and succeed (what scripts/run.sh does).")
def download(only: str | None, dest: str | None, revision: str, timeout: float, if_reachable: bool) -> None:
    """Fetch the official voices from the Hugging Face Hub (HF_ENDPOINT for a mirror).

    Resumable: a second run fetches only what is missing; a voice is written whole or not at all.
    """
    engine = get_engine(current_app)
    folder = Path(dest) if dest else hub.default_voices_dir(engine.settings.cache_dir)
    ids = [v.strip() for v in only.split(",") if v.strip()] if only else None

    def report(voice_id: str, fetched: bool) -> None:
        click.echo(f"{voice_id}: {'fetched' if fetched else 'already there'}", err=True)

    try:
        fetched = hub.download_voices(folder, ids, revision, report, timeout)
    except hub.HubUnreachable as e:
        if not if_reachable:
            raise click.ClickException(str(e)) from None
        click.echo(f"voices: the Hugging Face Hub cannot be reached ({hub.endpoint()}); the five embedded voices "
                   "speak meanwhile. Later: flask --app wsgi tts download", err=True)
        return
    except EngineError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{len(fetched)} voices fetched into {folder}")
