"""Resident memory of the engine and of the service on slow and long inputs: bench/README.md, "Memory"."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import harness
from harness import LANG, VOICE, log, memory

THREADS = 2
DIGITS = "".join(random.Random(60).choice("0123456789") for _ in range(60))
#: configuration -> (max_chunk_seconds of the engine, None: its default; C is bare onnxruntime), what it is
CONFIGS: dict[str, tuple[float | None, str]] = {
    "A": (None, "engine as is (arena off, max_chunk_seconds default)"),
    "A10": (10.0, "engine, max_chunk_seconds=10"),
    "B": (1e9, "engine, chunk bound off (max_chunk_seconds=1e9), arena off"),
    "C": (None, "bare onnxruntime, default arena ON, one call"),
    "D": (None, "engine as A but arena ON, shrunk after every call (patched in by this script)"),
}


def cases(quick: bool) -> dict[str, tuple[str, float]]:
    """case -> (text, speed); --quick: tiny texts, only to check that the script runs end to end."""
    slow, digits, paragraph = ("0" * 4, DIGITS[:4], harness.SHORT) if quick else ("0" * 60, DIGITS,
                                                                                  " ".join(harness.PARAGRAPHS[:4]))
    return {"zeros@0.25": (slow, 0.25), "zeros@1.0": (slow, 1.0), "digits@0.25": (digits, 0.25),
            "paragraph@1.0": (paragraph, 1.0), "repeat": (slow, 0.25)}


# -- engine level: one subprocess per (configuration, case) ------------------------------------


def arena_with_shrinkage() -> None:
    """Config D: the engine's session with onnxruntime's CPU arena back on, shrunk at the end of every call."""
    import onnxruntime as ort

    real = ort.InferenceSession
    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def session(path, sess_options=None, **kwargs):
        sess_options.enable_cpu_mem_arena = True
        made = real(path, sess_options=sess_options, **kwargs)
        run = made.run
        made.run = lambda names, feed, run_options=None: run(names, feed, options)
        return made

    ort.InferenceSession = session


def timed(i: int, label: str, work) -> dict:
    """`work()` (its audio seconds) after the peak is reset: time, audio, RSS and peak after it."""
    harness.reset_peak()
    t0 = time.perf_counter()
    audio = work()
    seconds, m = time.perf_counter() - t0, memory()
    log(f"    {label} #{i}: {seconds:.0f} s, rss {m['VmRSS']:.0f} MB, peak {m['VmHWM']:.0f} MB")
    return {"i": i, "seconds": seconds, "audio": audio, "rss": m["VmRSS"], "peak": m["VmHWM"]}


def child(config: str, case: str, repeats: int, quick: bool) -> dict:
    """Runs in a fresh process: load, reset the peak, run the case, report."""
    from kokoro_tts.engine import Engine, EngineSettings

    text, speed = cases(quick)[case]
    limit = {} if CONFIGS[config][0] is None else {"max_chunk_seconds": CONFIGS[config][0]}
    settings = EngineSettings(threads=THREADS, default_voice=VOICE, **limit)
    if config == "C":  # bare onnxruntime, its arena on: the whole phoneme string in one call, no chunking
        from kokoro_tts.engine.chunking import tokenize
        from kokoro_tts.engine.g2p import get_g2p

        tokens = tokenize(get_g2p(LANG)(text))
        feed = harness.bare_feed(tokens, Engine(settings).resolve_voice(VOICE).style_for(len(tokens)), speed)
        session = harness.bare_session(THREADS)
        out = {"loaded": memory(), "chunk_tokens": [len(tokens)], "peak_reset": harness.reset_peak()}
        runs = [timed(1, f"{config} {case}", lambda: session.run(None, feed)[0].size / 24000)]
    else:
        if config == "D":
            arena_with_shrinkage()
        engine = Engine(settings)
        engine.load()
        req = engine.validate(text, voice=VOICE, speed=speed, lang=LANG)
        out = {"loaded": memory(), "max_chunk_seconds": settings.max_chunk_seconds,
               "chunk_tokens": [len(c.tokens) for c in engine.chunks(req.text, req.lang, req.speed)],
               "peak_reset": harness.reset_peak()}
        runs = [timed(i, f"{config} {case}", lambda: engine.synthesize(req).duration)
                for i in range(1, (repeats if case == "repeat" else 1) + 1)]
    harness.malloc_trim()
    return {**out, "runs": runs, "after_trim": memory()["VmRSS"]}


def engine_part(args, configs: list[str], report: harness.Report) -> str:
    rows = report.data.setdefault("engine", [])
    for config in configs:
        names = ["zeros@0.25"] if config == "C" else [c for c in cases(args.quick) if c != "repeat"]
        names += ["repeat"] if config in args.repeat_configs.split(",") and config != "C" else []
        for case in names:
            log(f"  engine {config} {case} ...")
            t0 = time.time()
            result = harness.in_child(child, config, case, args.repeats, args.quick)
            rows.append({"config": config, "case": case, "wall": time.time() - t0, **result})
            report.save()
    return (f"\n### Engine level ({THREADS} threads, voice {VOICE}, {LANG}; one fresh process per row)\n\n"
            + "\n".join(f"- {c}: {CONFIGS[c][1]}" for c in configs) + "\n\n" + engine_tables(rows))


def engine_tables(rows: list[dict]) -> str:
    head = ["config", "case", "chunks (tokens)", "audio s", "time s", "RSS loaded MB", "peak MB", "RSS after MB",
            "RSS after malloc_trim MB"]
    lines = harness.table(head, [
        [r["config"], r["case"], tokens(r["chunk_tokens"]), f"{r['runs'][0]['audio']:.1f}",
         f"{r['runs'][0]['seconds']:.0f}", f"{r['loaded']['VmRSS']:.0f}", f"{r['runs'][0]['peak']:.0f}",
         f"{r['runs'][0]['rss']:.0f}", f"{r['after_trim']:.0f}"] for r in rows if r["case"] != "repeat"])
    if reps := [r for r in rows if r["case"] == "repeat"]:
        n = len(reps[0]["runs"])
        lines += ["", f'Slow request ("0"*60 at speed 0.25) repeated {n} times in one process: RSS after repeat i '
                  "(its peak during that repeat in brackets), MB", ""]
        lines += harness.table(
            ["config", "RSS loaded", *(f"after #{i}" for i in marks(n)), "highest peak", "after malloc_trim",
             "s per request"],
            [[r["config"], f"{r['loaded']['VmRSS']:.0f}",
              *(f"{r['runs'][i - 1]['rss']:.0f} ({r['runs'][i - 1]['peak']:.0f})" for i in marks(n)),
              f"{max(x['peak'] for x in r['runs']):.0f}", f"{r['after_trim']:.0f}",
              f"{sum(x['seconds'] for x in r['runs']) / n:.0f}"] for r in reps])
    return "\n".join(lines)


def tokens(chunks: list[int]) -> str:
    real = [n for n in chunks if n]
    return f"{len(real)}: max {max(real)}, total {sum(real)}" if real else "0"


def marks(n: int) -> list[int]:
    return sorted({i for i in (1, 5, 10, 20, n) if i <= n})


# -- service level -----------------------------------------------------------------------------


def service_steps(port: int, master: int, args, steps: list[dict], save) -> None:
    """The steps, each with the workers' RSS at its end and their peaks during it, into `steps` as they come."""
    (slow_text, _), (paragraph, _) = (cases(args.quick)[c] for c in ("zeros@0.25", "paragraph@1.0"))
    slow, streamed = {"text": slow_text, "speed": 0.25}, {"text": paragraph, "stream": True}
    steps.append({**harness.Sampler(master).snapshot(step="after start (/readyz)"), "seconds": 0.0, "peak": None})
    # One account per parallel request: the service takes at most 2 generations at once per account.
    tokens = [harness.register(port, f"membench{i}@example.com") for i in range(4)]

    def snapshot(sampler: harness.Sampler, name: str) -> None:
        steps.append(sampler.snapshot(step=name))
        log(f"  service {name}: {steps[-1]['seconds']:.0f} s, total RSS {steps[-1]['total']:.0f} MB")
        save()

    def generate(body: dict, n: int = 1) -> None:  # one request from each of n accounts, all at once
        harness.together(lambda token: harness.generate(port, token, body), tokens[:n])

    work = {"first request (short sentence, speed 1)": lambda: generate({"text": harness.SHORT}),
            '"0"*60 at speed 0.25': lambda: generate(slow),
            '4 x "0"*60 at speed 0.25 in parallel': lambda: generate(slow, 4),
            f"3 x streamed paragraph ({len(paragraph)} chars) in parallel": lambda: generate(streamed, 3)}
    for name, step in work.items():
        with harness.Sampler(master) as sampler:
            step()
            snapshot(sampler, name)
    with harness.Sampler(master) as sampler:
        for i in range(1, args.repeats + 1):
            generate(slow)
            if i in marks(args.repeats):
                snapshot(sampler, f'sequential "0"*60 at 0.25: after #{i}')


def service_part(args, report: harness.Report) -> str:
    steps: list[dict] = []
    result = report.data["service"] = {"steps": steps, "config": args.service_config}
    try:
        with harness.service("kokoro_membench", GENERATE_RATE_LIMIT="100000 per minute",
                             REGISTER_RATE_LIMIT="100000 per minute") as svc:
            result["gunicorn"] = svc.settings()
            extra = {}
            if args.service_config == "D":  # the experiment of config D, in the workers (through sitecustomize)
                Path(svc.tmp, "sitecustomize.py").write_text(
                    f"import sys\nsys.path.insert(0, {str(harness.ROOT / 'bench')!r})\n"
                    "from memory_bench import arena_with_shrinkage\narena_with_shrinkage()\n")
                extra["PYTHONPATH"] = os.pathsep.join(p for p in (str(svc.tmp), svc.env.get("PYTHONPATH")) if p)
            web = svc.gunicorn(**extra)
            service_steps(web.port, web.pid, args, steps, report.save)
        result.update(svc.logs)
    except Exception as exc:  # the engine part's tables are still printed
        log(f"service part failed: {exc!r}")
        return f"\n### Service level: FAILED: {exc!r}\n\n" + service_table(steps)
    g = result["gunicorn"]
    text = (f"\n### Service level, engine config {args.service_config} (gunicorn.conf.py defaults: "
            f"{len(steps[0]['workers'])} worker(s), {g['threads']} threads, TTS_THREADS={g['TTS_THREADS']}; "
            f"{result['workers_booted']} worker boot(s) in the log)\n\n" + service_table(steps))
    if result["log_errors"]:
        text += "\n\nErrors in the gunicorn log:\n\n" + "\n".join(f"    {e}" for e in result["log_errors"])
    return text


def service_table(steps: list[dict]) -> str:
    return "\n".join(harness.table(
        ["step", "time s", "RSS per worker MB (peak during step)", "total RSS MB", "total peak MB (sampled)"],
        [[s["step"], f"{s['seconds']:.0f}", ", ".join(f"{pid}: {w['rss']:.0f} ({w['peak']:.0f})"
                                                      for pid, w in s["workers"].items()),
          f"{s['total']:.0f}", "-" if s["peak"] is None else f"{s['peak']:.0f}"] for s in steps]))


def main() -> None:
    parser = harness.parser(__doc__, "memory")
    parser.add_argument("--parts", default="engine,service")
    parser.add_argument("--configs", default="A,B,C", help="engine configurations: A, A10, B, C, D")
    parser.add_argument("--repeats", type=int, default=20, help="sequential slow requests (engine and service)")
    parser.add_argument("--repeat-configs", default="A,A10", help="configurations that also run the repeats")
    parser.add_argument("--service-config", default="A", choices=("A", "D"), help="D: the workers with D's arena")
    parser.add_argument("--quick", action="store_true", help="tiny texts: checks the script, measures nothing")
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    if unknown := [c for c in configs if c not in CONFIGS]:
        parser.error(f"unknown configuration(s) {unknown}; choose from {list(CONFIGS)}")
    texts = {k: cases(args.quick)[c][0] for k, c in (("slow", "zeros@0.25"), ("digits", "digits@0.25"),
                                                      ("paragraph", "paragraph@1.0"))}
    report = harness.Report("memory", args.json, threads=THREADS, repeats=args.repeats,
                            configs={c: CONFIGS[c][1] for c in configs}, texts=texts)
    parts = []
    if "engine" in args.parts.split(","):
        parts.append(engine_part(args, configs, report))
    if "service" in args.parts.split(","):
        parts.append(service_part(args, report))
    report.finish(lambda _: "\n".join(parts))


if __name__ == "__main__":
    main()
