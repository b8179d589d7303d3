"""Resident memory of the engine and of the service on slow and long inputs: bench/README.md, "Memory"."""

import os
import random
import time
from functools import partial
from pathlib import Path

import harness
from harness import LANG, VOICE, log, memory

THREADS = 2
DIGITS = "".join(random.Random(60).choice("0123456789") for _ in range(60))
CONFIGS: dict[str, tuple[dict[str, float], str]] = {
    "A": ({}, "engine as is (arena off, max_chunk_seconds default)"),
    "A10": ({"max_chunk_seconds": 10.0}, "engine, max_chunk_seconds=10"),
    "B": ({"max_chunk_seconds": 1e9}, "engine, chunk bound off (max_chunk_seconds=1e9), arena off"),
    "C": ({}, "bare onnxruntime, default arena ON, one call"),
    "D": ({}, "engine as A but arena ON, shrunk after every call (patched in by this script)"),
}


def cases(quick: bool) -> dict[str, tuple[str, float]]:
    """case -> (text, speed); --quick: tiny texts, only to check that the script runs end to end."""
    n, paragraph = (4, harness.SHORT) if quick else (60, " ".join(harness.PARAGRAPHS[:4]))
    return {"zeros@0.25": ("0" * n, 0.25), "zeros@1.0": ("0" * n, 1.0), "digits@0.25": (DIGITS[:n], 0.25),
            "paragraph@1.0": (paragraph, 1.0), "repeat": ("0" * n, 0.25)}


def marks(n: int) -> list[int]:
    return sorted({i for i in (1, 5, 10, 20, n) if i <= n})


def arena_with_shrinkage() -> None:
    """Config D: the engine's session with onnxruntime's CPU arena back on, shrunk at the end of every call."""
    import onnxruntime as ort

    real, options = ort.InferenceSession, ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def session(path, sess_options, **kwargs):
        sess_options.enable_cpu_mem_arena = True
        made = real(path, sess_options=sess_options, **kwargs)
        made.run = partial(made.run, run_options=options)
        return made

    ort.InferenceSession = session


def child(config: str, case: str, repeats: int, quick: bool) -> dict:
    """Runs in a fresh process: load, then each run with the peak reset before it; RSS after malloc_trim."""
    from kokoro_tts.engine import Engine, EngineSettings, chunking, g2p

    text, speed = cases(quick)[case]
    if config == "D":
        arena_with_shrinkage()
    engine = Engine(EngineSettings(threads=THREADS, default_voice=VOICE, **CONFIGS[config][0]))
    if config == "C":  # bare onnxruntime, its arena on: the whole phoneme string in one call, no chunking
        tokens = chunking.tokenize(g2p.get_g2p(LANG)(text))
        feed = harness.bare_feed(tokens, engine.resolve_voice(VOICE).style_for(len(tokens)), speed)
        work = partial(harness.bare_session(THREADS).run, None, feed)
        loaded, chunks = memory(), [len(tokens)]
    else:
        engine.load()
        req = engine.validate(text, voice=VOICE, speed=speed, lang=LANG)
        work = partial(engine.synthesize, req)
        loaded, chunks = memory(), [len(c.tokens) for c in engine.chunks(req.text, req.lang, req.speed)]
    out = {"config": config, "case": case, "loaded": loaded, "chunk_tokens": chunks, "runs": []}
    for i in range(1, (repeats if case == "repeat" else 1) + 1):
        harness.reset_peak()
        t0 = time.perf_counter()
        audio = work()[0].size / 24000 if config == "C" else work().duration
        seconds, m = time.perf_counter() - t0, memory()
        log(f"    {config} {case} #{i}: {seconds:.0f} s, rss {m['VmRSS']:.0f} MB, peak {m['VmHWM']:.0f} MB")
        out["runs"].append({"seconds": seconds, "audio": audio, "rss": m["VmRSS"], "peak": m["VmHWM"]})
    harness.malloc_trim()
    return {**out, "after_trim": memory()["VmRSS"]}


def engine_part(args, report: harness.Report) -> str:
    rows = report.data["engine"] = []
    for config in args.configs:
        names = ["zeros@0.25"] if config == "C" else [c for c in cases(args.quick) if c != "repeat"
                                                       or config in args.repeat_configs.split(",")]
        for case in names:
            log(f"  engine {config} {case} ...")
            rows.append(harness.in_child(child, config, case, args.repeats, args.quick))
            report.save()
    lines = harness.table(
        ["config", "case", "chunks (tokens)", "audio s", "time s", "RSS loaded MB", "peak MB", "RSS after MB",
         "RSS after malloc_trim MB"],
        [[r["config"], r["case"], tokens(r["chunk_tokens"]), f"{x['audio']:.1f}", f"{x['seconds']:.0f}",
          f"{r['loaded']['VmRSS']:.0f}", f"{x['peak']:.0f}", f"{x['rss']:.0f}", f"{r['after_trim']:.0f}"]
         for r in rows if r["case"] != "repeat" for x in r["runs"]])  # one run each
    if reps := [r for r in rows if r["case"] == "repeat"]:
        lines += ["", f'Slow request ("0"*60 at speed 0.25) repeated {args.repeats} times in one process: '
                  "RSS after repeat i (its peak during that repeat in brackets), MB", ""]
        lines += harness.table(
            ["config", "RSS loaded", *(f"after #{i}" for i in marks(args.repeats)), "highest peak",
             "after malloc_trim", "s per request"],
            [[r["config"], f"{r['loaded']['VmRSS']:.0f}",
              *(f"{r['runs'][i - 1]['rss']:.0f} ({r['runs'][i - 1]['peak']:.0f})" for i in marks(args.repeats)),
              f"{max(x['peak'] for x in r['runs']):.0f}", f"{r['after_trim']:.0f}",
              f"{sum(x['seconds'] for x in r['runs']) / args.repeats:.0f}"] for r in reps])
    return (f"\n### Engine level ({THREADS} threads, voice {VOICE}, {LANG}; one fresh process per row)\n\n"
            + "\n".join(f"- {c}: {CONFIGS[c][1]}" for c in args.configs) + "\n\n" + "\n".join(lines))


def tokens(chunks: list[int]) -> str:
    return f"{len(chunks)}: max {max(chunks)}, total {sum(chunks)}"


def service_steps(port: int, master: int, args, steps: list[dict], save) -> None:
    """Each step's requests, then the workers' RSS (after each mark of a sequence) and their peaks during it."""
    slow, paragraph = {"text": cases(args.quick)["zeros@0.25"][0], "speed": 0.25}, cases(args.quick)["paragraph@1.0"][0]
    requests = [  # step, what each account sends, how many accounts at once, how many times in a row
        ("first request (short sentence, speed 1)", {"text": harness.SHORT}, 1, 1),
        ('"0"*60 at speed 0.25', slow, 1, 1),
        ('4 x "0"*60 at speed 0.25 in parallel', slow, 4, 1),
        (f"3 x streamed paragraph ({len(paragraph)} chars) in parallel", {"text": paragraph, "stream": True}, 3, 1),
        ('sequential "0"*60 at 0.25', slow, 1, args.repeats)]
    steps.append({**harness.Sampler(master).snapshot(step="after start (/readyz)"), "seconds": 0.0, "peak": None})
    # One account per parallel request: the service takes at most 2 generations at once per account.
    accounts = [harness.register(port, f"membench{i}@example.com") for i in range(4)]
    for name, body, parallel, times in requests:
        with harness.Sampler(master) as sampler:
            for i in range(1, times + 1):
                harness.together(partial(harness.generate, port, body=body), accounts[:parallel])
                if i in marks(times):
                    steps.append(sampler.snapshot(step=f"{name}: after #{i}" if times > 1 else name))
                    log(f"  service {steps[-1]['step']}: {steps[-1]['seconds']:.0f} s, "
                        f"total RSS {steps[-1]['total']:.0f} MB")
                    save()


def service_part(args, report: harness.Report) -> str:
    """The app under gunicorn: the workers' RSS after each step and their peaks during it."""
    steps: list[dict] = []
    result = report.data["service"] = {"steps": steps, "config": args.service_config}
    try:
        with harness.service("kokoro_membench", GENERATE_RATE_LIMIT="100000 per minute",
                             REGISTER_RATE_LIMIT="100000 per minute") as svc:
            result["gunicorn"] = g = svc.settings()
            if args.service_config == "D":  # the experiment of config D, in the workers (through sitecustomize)
                Path(svc.tmp, "sitecustomize.py").write_text("import memory_bench\nmemory_bench.arena_with_shrinkage()")
                path = (str(svc.tmp), str(harness.ROOT / "bench"), svc.env.get("PYTHONPATH"))
                svc.env["PYTHONPATH"] = os.pathsep.join(p for p in path if p)
            web = svc.gunicorn()
            service_steps(web.port, web.pid, args, steps, report.save)
        result.update(svc.logs)
        head = (f"Service level, engine config {args.service_config} (gunicorn.conf.py defaults: "
                f"{len(steps[0]['workers'])} worker(s), {g['threads']} threads, TTS_THREADS={g['TTS_THREADS']}; "
                f"{result['workers_booted']} worker boot(s) in the log)")
    except Exception as exc:  # the engine part's tables are still printed
        log(f"service part failed: {exc!r}")
        head = f"Service level: FAILED: {exc!r}"
    lines = [f"\n### {head}", "", *harness.table(
        ["step", "time s", "RSS per worker MB (peak during step)", "total RSS MB", "total peak MB (sampled)"],
        [[s["step"], f"{s['seconds']:.0f}", ", ".join(f"{pid}: {w['rss']:.0f} ({w['peak']:.0f})"
                                                      for pid, w in s["workers"].items()),
          f"{s['total']:.0f}", "-" if s["peak"] is None else f"{s['peak']:.0f}"] for s in steps])]
    if result.get("log_errors"):
        lines += ["", "Errors in the gunicorn log:", "", *(f"    {e}" for e in result["log_errors"])]
    return "\n".join(lines)


def main() -> None:
    parser = harness.parser(__doc__, "memory")
    parser.add_argument("--parts", default="engine,service")
    parser.add_argument("--configs", default="A,B,C", help="engine configurations: A, A10, B, C, D")
    parser.add_argument("--repeats", type=int, default=20, help="sequential slow requests (engine and service)")
    parser.add_argument("--repeat-configs", default="A,A10", help="configurations that also run the repeats")
    parser.add_argument("--service-config", default="A", choices=("A", "D"), help="D: the workers with D's arena")
    parser.add_argument("--quick", action="store_true", help="tiny texts: checks the script, measures nothing")
    args = parser.parse_args()
    args.configs = [c for c in args.configs.split(",") if c]
    if unknown := [c for c in args.configs if c not in CONFIGS]:
        parser.error(f"unknown configuration(s) {unknown}; choose from {list(CONFIGS)}")
    report = harness.Report("memory", args.json, threads=THREADS, repeats=args.repeats)
    tables = [part(args, report) for name, part in (("engine", engine_part), ("service", service_part))
              if name in args.parts.split(",")]
    report.finish(lambda _: "\n".join(tables))


if __name__ == "__main__":
    main()
