"""Benchmark resident memory: what slow and long requests cost a process, and whether it stays.

    python bench/memory_bench.py [--parts engine,service] [--configs A,B,C] [--repeats 20]

1. Engine level. Each (configuration, case) runs in a fresh subprocess, so that its memory starts
   clean; 2 inference threads. Resident memory (VmRSS) and its peak (VmHWM, reset after the model
   is loaded) come from /proc/self/status. Configurations:

   - A:   the engine as it is (CPU arena off, each chunk bounded to `max_chunk_seconds` of audio);
   - A10: the same with EngineSettings(max_chunk_seconds=10);
   - B:   the chunk bound off (max_chunk_seconds=1e9, so chunks of up to 510 tokens); arena still off;
   - C:   bare onnxruntime with its default CPU arena, one call with the whole phoneme string of the
          60-digit text at speed 0.25 (the original problem).

   Cases: "0"*60 at speed 0.25 and at 1.0, 60 random digits at 0.25, a ~1,450-character English
   paragraph at 1.0, and the slow "0"*60 request repeated (RSS after repeat 1, 5, 10, ...).

2. Service level. The real app under gunicorn (gunicorn.conf.py, its own worker and thread
   defaults) on a throw-away PostgreSQL database (`BENCH_DATABASE_URL`, default the local test
   server), production settings, one registered account (unlimited credits). The RSS of every
   worker (children of the master, from /proc) after start, a first short request, a slow
   request, 4 slow requests in parallel, 3 streamed paragraphs in parallel and N sequential slow
   requests; per step also each worker's peak (VmHWM reset at the step's start) and the peak of the
   total over all workers (sampled every 0.1 s).

Prints a Markdown table per part and writes the numbers as JSON to bench/results/.
Everything runs on this machine; every wait is bounded.
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine_bench import _LONG_PARAGRAPHS, SHORT  # noqa: E402

VOICE, LANG = "jf_alpha", "en-us"
THREADS = 2
SLOW = "0" * 60
DIGITS = "".join(random.Random(60).choice("0123456789") for _ in range(60))
PARAGRAPH = " ".join(_LONG_PARAGRAPHS[:4])
PORT = 8797
QUICK = False


def checkpoint() -> None:
    """Saves the results measured so far (set by main; a run stopped from outside keeps them)."""


MB = 1024 * 1024

#: case -> (text, speed)
CASES = {
    "zeros@0.25": (SLOW, 0.25),
    "zeros@1.0": (SLOW, 1.0),
    "digits@0.25": (DIGITS, 0.25),
    "paragraph@1.0": (PARAGRAPH, 1.0),
    "repeat": (SLOW, 0.25),
}
#: configuration -> max_chunk_seconds of the engine (None: bare onnxruntime, arena on)
CONFIGS: dict[str, float | None] = {"A": None, "A10": 10.0, "B": 1e9, "C": None, "D": None}


def make_quick() -> None:
    """--quick: tiny texts, only to check that the script runs end to end (numbers meaningless)."""
    global SLOW, DIGITS, PARAGRAPH, QUICK
    QUICK = True
    SLOW, DIGITS, PARAGRAPH = "0" * 4, DIGITS[:4], SHORT
    CASES.update(
        {
            "zeros@0.25": (SLOW, 0.25),
            "zeros@1.0": (SLOW, 1.0),
            "digits@0.25": (DIGITS, 0.25),
            "paragraph@1.0": (PARAGRAPH, 1.0),
            "repeat": (SLOW, 0.25),
        }
    )


CONFIG_NOTES = {
    "A": "engine as is (arena off, max_chunk_seconds default)",
    "A10": "engine, max_chunk_seconds=10",
    "B": "engine, chunk bound off (max_chunk_seconds=1e9), arena off",
    "C": "bare onnxruntime, default arena ON, one call",
    "D": "engine as A but arena ON, shrunk after every call (patched in by this script)",
}


# -- /proc -------------------------------------------------------------------------------------


def mem(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM of a process in MB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(re.search(rf"{k}:\s+(\d+)", text).group(1)) / 1024 for k in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


def reset_peak(pid: int | str = "self") -> bool:
    """Set VmHWM back to the current RSS (Linux >= 4.0); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def malloc_trim() -> None:
    """Give the C heap's free memory back to the system (what RSS keeps that no one uses)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def children(ppid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
                pids.append(int(entry.name))
    return sorted(pids)


# -- engine level: one subprocess per (configuration, case) ------------------------------------


def arena_with_shrinkage() -> None:
    """Config D, an experiment: the engine's session with onnxruntime's CPU arena back on, and the
    arena shrunk at the end of every call (run option memory.enable_memory_arena_shrinkage), so that
    the memory goes back after each call. Patched in here; the engine itself is not changed."""
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


def child(config: str, case: str, repeats: int) -> dict:
    """Runs in a fresh process: load, reset the peak, run the case, report."""
    text, speed = CASES[case]
    if config == "C":
        return child_bare(text, speed)
    from kokoro_tts.engine import Engine, EngineSettings

    limit = CONFIGS[config]
    settings = EngineSettings(threads=THREADS, default_voice=VOICE)
    if limit is not None:
        settings = EngineSettings(threads=THREADS, default_voice=VOICE, max_chunk_seconds=limit)
    if config == "D":
        arena_with_shrinkage()
    engine = Engine(settings)
    engine.load()
    req = engine.validate(text, voice=VOICE, speed=speed, lang=LANG)
    out: dict = {
        "loaded": mem(),
        "max_chunk_seconds": settings.max_chunk_seconds,
        "chunk_tokens": [len(c.tokens) for c in engine.chunks(req.text, req.lang, req.speed)],
        "peak_reset": reset_peak(),
    }
    runs = []
    for i in range(1, (repeats if case == "repeat" else 1) + 1):
        reset_peak()
        t0 = time.perf_counter()
        result = engine.synthesize(req)
        m = mem()
        runs.append(
            {
                "i": i,
                "seconds": time.perf_counter() - t0,
                "audio": result.duration,
                "rss": m["VmRSS"],
                "peak": m["VmHWM"],
            }
        )
        print(
            f"    {config} {case} #{i}: {runs[-1]['seconds']:.0f} s, rss {m['VmRSS']:.0f} MB, peak {m['VmHWM']:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
    malloc_trim()
    out.update(runs=runs, after_trim=mem()["VmRSS"])
    return out


def child_bare(text: str, speed: float) -> dict:
    import numpy as np
    import onnxruntime as ort

    from kokoro_tts.engine import Engine, EngineSettings
    from kokoro_tts.engine.chunking import tokenize
    from kokoro_tts.engine.g2p import get_g2p
    from kokoro_tts.engine.model_files import embedded_model_path

    settings = EngineSettings(threads=THREADS, default_voice=VOICE)
    tokens = tokenize(get_g2p(LANG)(text))  # the whole text, one call: no chunking
    style = Engine(settings).resolve_voice(VOICE).style_for(len(tokens))  # voice pack only
    opts = ort.SessionOptions()  # enable_cpu_mem_arena left at its default (True)
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(embedded_model_path(settings.cache_dir)), sess_options=opts, providers=["CPUExecutionProvider"]
    )
    names = {i.name.lower(): i.name for i in session.get_inputs()}
    feed = {
        names.get("tokens", names.get("input_ids")): np.array([[0, *tokens, 0]], dtype=np.int64),
        names.get("style", names.get("ref_s")): np.asarray(style, dtype=np.float32).reshape(1, -1),
        names["speed"]: np.array([speed], dtype=np.float32),
    }
    out: dict = {"loaded": mem(), "chunk_tokens": [len(tokens)], "peak_reset": reset_peak()}
    t0 = time.perf_counter()
    audio = session.run(None, feed)[0]
    m = mem()
    out["runs"] = [
        {
            "i": 1,
            "seconds": time.perf_counter() - t0,
            "audio": audio.size / 24000,
            "rss": m["VmRSS"],
            "peak": m["VmHWM"],
        }
    ]
    malloc_trim()
    out["after_trim"] = mem()["VmRSS"]
    return out


def engine_part(configs: list[str], repeats: int, repeat_configs: set[str], timeout: float, rows: list[dict]) -> None:
    for config in configs:
        cases = ["zeros@0.25"] if config == "C" else [c for c in CASES if c != "repeat"]
        if config in repeat_configs and config != "C":
            cases.append("repeat")
        for case in cases:
            print(f"  engine {config} {case} ...", file=sys.stderr, flush=True)
            t0 = time.time()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", config, case, str(repeats), *(["--quick"] if QUICK else [])],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            sys.stderr.write("".join(line + "\n" for line in proc.stderr.splitlines() if line.startswith("    ")))
            if proc.returncode != 0:
                raise RuntimeError(f"{config} {case} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append({"config": config, "case": case, "wall": time.time() - t0, **result})
            checkpoint()


def engine_tables(rows: list[dict]) -> str:
    lines = [
        "| config | case | chunks (tokens) | audio s | time s | RSS loaded MB | peak MB | RSS after MB "
        "| RSS after malloc_trim MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["case"] == "repeat":
            continue
        run = r["runs"][0]
        lines.append(
            f"| {r['config']} | {r['case']} | {_tokens(r['chunk_tokens'])} | {run['audio']:.1f} | "
            f"{run['seconds']:.0f} | {r['loaded']['VmRSS']:.0f} | {run['peak']:.0f} | {run['rss']:.0f} | "
            f"{r['after_trim']:.0f} |"
        )
    reps = [r for r in rows if r["case"] == "repeat"]
    if reps:
        marks = _marks(len(reps[0]["runs"]))
        lines += [
            "",
            f'Slow request ("0"*60 at speed 0.25) repeated {len(reps[0]["runs"])} times in one process: '
            "RSS after repeat i (its peak during that repeat in brackets), MB",
            "",
            "| config | RSS loaded | "
            + " | ".join(f"after #{i}" for i in marks)
            + " | highest peak | after malloc_trim | s per request |",
            "|---|---|" + "---|" * len(marks) + "---|---|---|",
        ]
        for r in reps:
            runs = {x["i"]: x for x in r["runs"]}
            cells = " | ".join(f"{runs[i]['rss']:.0f} ({runs[i]['peak']:.0f})" for i in marks)
            per = sum(x["seconds"] for x in r["runs"]) / len(r["runs"])
            lines.append(
                f"| {r['config']} | {r['loaded']['VmRSS']:.0f} | {cells} | {max(x['peak'] for x in r['runs']):.0f} | "
                f"{r['after_trim']:.0f} | {per:.0f} |"
            )
    return "\n".join(lines)


def _tokens(chunks: list[int]) -> str:
    real = [n for n in chunks if n]
    return f"{len(real)}: max {max(real)}, total {sum(real)}" if real else "0"


def _marks(n: int) -> list[int]:
    return sorted({i for i in (1, 5, 10, 20, n) if i <= n})


# -- service level -----------------------------------------------------------------------------


class Client:
    def __init__(self, token: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=3600)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, dict]:
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        size, chunks = 0, []
        while data := response.read1(65536):  # streamed answers come piece by piece
            size += len(data)
            if size < 100_000:
                chunks.append(data)
        self.conn.close()
        return response.status, b"".join(chunks), {k.lower(): v for k, v in response.getheaders()} | {"size": size}


class Watcher:
    """Samples the summed RSS of the workers every 0.1 s while a step runs."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0.0
            for pid in children(self.master):
                try:
                    total += mem(pid)["VmRSS"]
                except (OSError, AttributeError):
                    pass
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(0.1)

    def __enter__(self) -> Watcher:
        for pid in children(self.master):
            reset_peak(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def snapshot(master: int, step: str, watcher: Watcher | None, seconds: float, seen: set[int]) -> dict:
    workers = {}
    for pid in children(master):
        m = mem(pid)
        workers[pid] = {"rss": m["VmRSS"], "peak": m["VmHWM"]}
    seen.update(workers)
    row = {
        "step": step,
        "seconds": seconds,
        "workers": workers,
        "total_rss": sum(w["rss"] for w in workers.values()),
        "peak_total_sampled": watcher.peak_total if watcher else None,
        "workers_seen": sorted(seen),
    }
    print(
        f"  service {step}: {seconds:.0f} s, total RSS {row['total_rss']:.0f} MB, workers "
        + ", ".join(f"{p}={w['rss']:.0f}/{w['peak']:.0f}" for p, w in workers.items()),
        file=sys.stderr,
        flush=True,
    )
    return row


def generate(token: str, body: dict) -> dict:
    status, data, headers = Client(token).call("POST", "/api/tts/generate", body)
    if status != 200:
        raise RuntimeError(f"generate {body.get('text', '')[:20]!r}: {status} {data[:300]!r}")
    return {
        "bytes": headers["size"],
        "duration": headers.get("x-audio-duration"),
        "credits": headers.get("x-credits-remaining"),
    }


def parallel(tokens: list[str], bodies: list[dict]) -> list[dict]:
    """`bodies[i]` sent by the account of `tokens[i]`, all at once (the first failure is raised)."""
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(generate, tokens, bodies))


def server_env(url: str, tmp: str, config: str) -> dict[str, str]:
    """The environment of the server: the project's own defaults for workers and threads (nothing
    that overrides them is passed on), production settings, limits out of the way."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TTS_", "GUNICORN_"))
        and k not in ("WEB_CONCURRENCY", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DEFAULT_CREDITS", "DATABASE_URL")
    }
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(32),
        APP_ENV="production",
        PORT=str(PORT),
        PUBLIC_URL=f"http://127.0.0.1:{PORT}",
        INSTANCE_PATH=tmp,
        GENERATE_RATE_LIMIT="100000 per minute",
        REGISTER_RATE_LIMIT="100000 per minute",
    )
    if config == "D":  # the experiment of config D, in the workers (through sitecustomize)
        Path(tmp, "sitecustomize.py").write_text(
            f"import sys\nsys.path.insert(0, {str(ROOT / 'bench')!r})\n"
            "from memory_bench import arena_with_shrinkage\narena_with_shrinkage()\n"
        )
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tmp, env.get("PYTHONPATH")) if p)
    return env


def gunicorn_settings(env: dict[str, str]) -> dict:
    """What gunicorn.conf.py gives in this environment: workers, threads, TTS_THREADS."""
    code = (
        "import json, os, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({'workers': c['workers'], 'threads': c['threads'], "
        "'TTS_THREADS': os.environ['TTS_THREADS']}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_ready(seconds: float) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            if Client().call("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        if time.time() > deadline:
            raise RuntimeError("gunicorn did not become ready")
        time.sleep(0.3)


def register(n: int) -> list[str]:
    """n accounts (unlimited credits: the default); their access tokens."""
    tokens = []
    for i in range(n):
        status, body, _ = Client().call(
            "POST", "/api/auth/register", {"email": f"membench{i}@example.com", "password": "bench password"}
        )
        answer = json.loads(body)
        assert status == 201 and answer["user"]["credits"] is None, (status, body[:300])
        tokens.append(answer["access_token"])
    return tokens


def service_steps(master: int, repeats: int, steps: list[dict]) -> None:
    seen: set[int] = set()
    slow = {"text": SLOW, "speed": 0.25, "lang": LANG, "voice": VOICE}
    steps.append(snapshot(master, "after start (/readyz)", None, 0.0, seen))
    checkpoint()
    # One account per parallel request: the service takes at most 2 generations at once per
    # account (429 beyond), so "4 in parallel" is 4 people.
    tokens = register(4)
    token = tokens[0]

    def step(name: str, work) -> None:
        with Watcher(master) as watcher:
            t0 = time.perf_counter()
            work()
            steps.append(snapshot(master, name, watcher, time.perf_counter() - t0, seen))
            checkpoint()

    step(
        "first request (short sentence, speed 1)",
        lambda: generate(token, {"text": SHORT, "lang": LANG, "voice": VOICE}),
    )
    step('"0"*60 at speed 0.25', lambda: generate(token, slow))
    step('4 x "0"*60 at speed 0.25 in parallel', lambda: parallel(tokens, [slow] * 4))
    streamed = {"text": PARAGRAPH, "lang": LANG, "voice": VOICE, "stream": True}
    step(f"3 x streamed paragraph ({len(PARAGRAPH)} chars) in parallel", lambda: parallel(tokens[:3], [streamed] * 3))
    marks = set(_marks(repeats))
    with Watcher(master) as watcher:
        t0 = time.perf_counter()
        for i in range(1, repeats + 1):
            generate(token, slow)
            if i in marks:
                name = f'sequential "0"*60 at 0.25: after #{i}'
                steps.append(snapshot(master, name, watcher, time.perf_counter() - t0, seen))
                checkpoint()


def service_part(repeats: int, steps: list[dict], config: str = "A") -> dict:
    """Fills `steps` as it goes (so that a failure keeps the steps measured before it)."""
    from tests.support.pg import temporary_database

    with temporary_database("kokoro_membench") as url, tempfile.TemporaryDirectory() as tmp:
        env = server_env(url, tmp, config)
        init_env = {**env, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # no experiment here
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"],
            cwd=ROOT,
            env=init_env,
            check=True,
            capture_output=True,
        )
        log = open(Path(tmp) / "gunicorn.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        gunicorn = gunicorn_settings(env)
        try:
            wait_ready(90)
            service_steps(server.pid, repeats, steps)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
            tail = (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()
    restarts = [line for line in tail if "Booting worker" in line]
    return {
        "steps": steps,
        "gunicorn": gunicorn,
        "workers_booted": len(restarts),
        "log_errors": [line for line in tail if "ERROR" in line or "CRITICAL" in line or "Killed" in line][:20],
    }


def service_table(result: dict) -> str:
    steps = result["steps"]
    lines = [
        "| step | time s | RSS per worker MB (peak during step) | total RSS MB | total peak MB (sampled) |",
        "|---|---|---|---|---|",
    ]
    for s in steps:
        per = ", ".join(f"{pid}: {w['rss']:.0f} ({w['peak']:.0f})" for pid, w in s["workers"].items())
        peak = f"{s['peak_total_sampled']:.0f}" if s["peak_total_sampled"] is not None else "-"
        lines.append(f"| {s['step']} | {s['seconds']:.0f} | {per} | {s['total_rss']:.0f} | {peak} |")
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------


def run_engine_part(args: argparse.Namespace, configs: list[str], results: dict) -> str:
    rows: list[dict] = []
    results["engine"] = rows
    engine_part(configs, args.repeats, set(args.repeat_configs.split(",")), args.timeout, rows)
    return (
        f"\n### Engine level ({THREADS} threads, voice {VOICE}, {LANG}; one fresh process per row)\n\n"
        + "\n".join(f"- {c}: {CONFIG_NOTES[c]}" for c in configs)
        + "\n\n"
        + engine_tables(rows)
    )


def run_service_part(args: argparse.Namespace, results: dict) -> str:
    steps: list[dict] = []
    results["service"] = {"steps": steps, "config": args.service_config}
    try:
        service = service_part(args.repeats, steps, args.service_config)
    except Exception as exc:  # the engine part's tables are still printed
        service = {"error": repr(exc), "steps": steps}
        print(f"service part failed: {exc!r}", file=sys.stderr)
    results["service"] = service
    if "error" in service:
        return f"\n### Service level: FAILED: {service['error']}\n\n" + service_table(service)
    text = (
        f"\n### Service level, engine config {args.service_config} "
        f"(gunicorn.conf.py defaults: {len(service['steps'][0]['workers'])} worker(s), "
        f"{service['gunicorn']['threads']} threads, TTS_THREADS={service['gunicorn']['TTS_THREADS']}; "
        f"{service['workers_booted']} worker boot(s) in the log)\n\n" + service_table(service)
    )
    if service["log_errors"]:
        text += "\n\nErrors in the gunicorn log:\n\n" + "\n".join(f"    {e}" for e in service["log_errors"])
    return text


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="engine,service")
    parser.add_argument("--configs", default="A,B,C", help="engine configurations: A, A10, B, C")
    parser.add_argument("--repeats", type=int, default=20, help="sequential slow requests (engine and service)")
    parser.add_argument("--repeat-configs", default="A,A10", help="configurations that also run the repeats")
    parser.add_argument(
        "--service-config", default="A", choices=("A", "D"), help="D: the workers with config D's arena"
    )
    parser.add_argument("--port", type=int, default=8797, help="the server's port (127.0.0.1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one engine subprocess may take")
    parser.add_argument("--json", type=Path, help="default: bench/results/memory-<time>.json")
    parser.add_argument("--quick", action="store_true", help="tiny texts: checks the script, measures nothing")
    parser.add_argument("--child", nargs=3, metavar=("CONFIG", "CASE", "REPEATS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    PORT = args.port
    if args.quick:
        make_quick()
    if args.child:
        config, case, repeats = args.child
        print(json.dumps(child(config, case, int(repeats))))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped from outside: still clean up
    os.environ.setdefault("TEST_DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["TEST_DATABASE_URL"]:
        del os.environ["TEST_DATABASE_URL"]

    parts = set(args.parts.split(","))
    configs = [c for c in args.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; choose from {list(CONFIGS)}")
    started = time.time()
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cores": os.cpu_count(),
        "threads": THREADS,
        "repeats": args.repeats,
        "texts": {"slow": SLOW, "digits": DIGITS, "paragraph": PARAGRAPH},
        "configs": {c: CONFIG_NOTES[c] for c in configs},
    }
    path = args.json or ROOT / "bench" / "results" / f"memory-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    global checkpoint

    def checkpoint() -> None:
        path.write_text(json.dumps(results, indent=1))

    out = []
    if "engine" in parts:
        out.append(run_engine_part(args, configs, results))
    if "service" in parts:
        out.append(run_service_part(args, results))
    results["seconds"] = time.time() - started
    out.append(f"\nTotal {results['seconds'] / 60:.1f} min on {os.cpu_count()} cores.")
    print("\n".join(out))
    path.write_text(json.dumps(results, indent=1))
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
