"""What every benchmark in bench/ shares (bench/README.md); importing it puts the repository root on sys.path."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import http.client
import json
import multiprocessing
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from statistics import median
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VOICE, LANG = "jf_alpha", "en-us"

# -- texts ----------------------------------------------------------------------------------------

SHORT = "The quick brown fox jumps over the lazy dog by the quiet river."
SENTENCE = "Hello there, this is a short sentence."
MEDIUM = (
    "Speech synthesis has come a long way in a few years. Small models now run on an ordinary "
    "laptop, faster than real time, with no graphics card at all. This one has eighty-two million "
    "parameters, yet it reads a paragraph like this clearly, with pauses in the right places, and "
    "it can start speaking before it has finished reading the whole text."
)
#: Seven paragraphs of a story, about 360 characters each (one a line in the file).
PARAGRAPHS = (ROOT / "bench" / "harbour.txt").read_text().strip().split("\n\n")
LONGS = ["\n\n".join(PARAGRAPHS[i:i + 4]) for i in range(3)]  # four paragraphs each
LONG = "\n\n".join(PARAGRAPHS * 3)
while len(LONG) > 5000:
    LONG = LONG[: LONG.rfind("\n\n")]

# -- the service: a throw-away database, its environment, gunicorn ----------------------------------

#: What the shell may set that would override the project's own defaults (gunicorn.conf.py's
#: workers and threads, the engine's TTS_* settings, limits, Redis, storage, jobs).
OVERRIDES = re.compile(r"(TTS|GUNICORN|JOB|AWS)_.*|.*_RATE_LIMIT|WEB_CONCURRENCY|REDIS_URL|RATELIMIT_STORAGE_URI|"
                       r"DEFAULT_CREDITS|DATABASE_URL|PROMETHEUS_MULTIPROC_DIR|AUDIO_STORAGE_URL")


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `condition` until it is truthy (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


class Process:
    """A child process in a process group of its own, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log, self.port = name, log, 0
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.pid = self.proc.pid

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def kill(self) -> None:
        """SIGKILL, the process alone (a crash)."""
        self.proc.kill()
        self.proc.wait(10)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM, then SIGKILL to whatever is left of its group."""
        if self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(10)


class Service:
    """A throw-away database and folder, the app's environment on them, the processes started on them."""

    def __init__(self, url: str, tmp: Path, env: dict[str, str]) -> None:
        self.url, self.tmp, self.env = url, tmp, env
        self.processes: list[Process] = []
        self.logs: dict[str, Any] = {}

    def start(self, name: str, argv: list[str], ready: Callable[[Process], bool], timeout: float = 120,
              **env: str) -> Process:
        """Start a process with the service's environment (and `env`), wait until `ready`."""
        proc = Process(name, argv, {**self.env, **env}, self.tmp / f"{name}.log")
        self.processes.append(proc)

        def check() -> bool:
            if proc.proc.poll() is not None:
                raise RuntimeError(f"{name} exited:\n" + "\n".join(proc.lines()[-40:]))
            return ready(proc)

        wait_for(check, timeout, f"{name} to start", every=0.3)
        return proc

    def gunicorn(self, name: str = "web", **env: str) -> Process:
        """The app under gunicorn with gunicorn.conf.py on a free port, once it answers /readyz."""
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"]
        proc = self.start(name, argv, lambda _: ready(port), PORT=str(port), PUBLIC_URL=f"http://127.0.0.1:{port}",
                          **env)
        proc.port = port
        return proc

    def settings(self) -> dict[str, Any]:
        """What gunicorn.conf.py decides in this environment: workers, threads, TTS_THREADS, cores."""
        code = ("import json, os, runpy; c = runpy.run_path('gunicorn.conf.py'); print(json.dumps({'workers': c["
                "'workers'], 'threads': c['threads'], 'TTS_THREADS': os.environ['TTS_THREADS'], 'cores': c['cores']}))")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        for proc in reversed(self.processes):
            proc.stop()
        lines = [(p.name, line) for p in self.processes for line in p.lines()]
        problems = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback|WORKER TIMEOUT|Killed")
        # The exception each traceback ends with (e.g. a database pool timeout), counted.
        ends = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Timeout)\b.*:")
        exceptions = [line[:300] for _, line in lines if ends.match(line)]
        self.logs = {
            "workers_booted": sum("Booting worker" in line for _, line in lines),
            "log_errors": [f"{name}: {line}" for name, line in lines if problems.search(line)][:40],
            "log_exceptions": {line: exceptions.count(line) for line in dict.fromkeys(exceptions)},
        }


@contextlib.contextmanager
def service(prefix: str, **env: str) -> Iterator[Service]:
    """The app's production settings (and `env`) on a migrated throw-away database; processes stopped at the end."""
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ.setdefault("TEST_DATABASE_URL", os.environ["BENCH_DATABASE_URL"])
    from tests.support.pg import temporary_database

    with temporary_database(prefix) as url, tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in os.environ.items() if not OVERRIDES.fullmatch(k)}
        svc = Service(url, Path(tmp), {**base, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32),
                                        "APP_ENV": "production", "INSTANCE_PATH": tmp,
                                        "PUBLIC_URL": "http://127.0.0.1", **env})
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT, env=svc.env, check=True,
                       capture_output=True)
        try:
            yield svc
        finally:
            svc.stop()


# -- HTTP -------------------------------------------------------------------------------------------

#: Every 5xx answer seen: (port, method, path, status, body start).
SERVER_ERRORS: list[tuple] = []


class Client:
    """Requests to 127.0.0.1:`port` on one keep-alive connection, read as the answer arrives."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 600) -> None:
        self.port, self.conn = port, http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})

    def request(self, method: str, path: str, body: dict | None = None, barrier: threading.Barrier | None = None,
                on_first: threading.Event | None = None, stop: threading.Event | None = None) -> dict[str, Any]:
        """Status, headers (lower case), data, seconds to the `first` byte past a WAV header and the `total`,
        `reads` (time, bytes so far). Sent past `barrier`; `on_first` set at first audio; left at `stop`."""
        if barrier is not None:
            if self.conn.sock is None:
                self.conn.connect()
            barrier.wait()
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
            response = self.conn.getresponse()
            out = {"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                   "start": start, "first": None, "reads": [], "stopped": False}
            chunks, size = [], 0
            while chunk := response.read1(65536):
                now = time.perf_counter() - start
                if out["first"] is None and response.status == 200 and size + len(chunk) > 44:
                    out["first"] = now
                    if on_first is not None:
                        on_first.set()
                chunks.append(chunk)
                size += len(chunk)
                out["reads"].append((round(now, 4), size))
                if stop is not None and stop.is_set():
                    out["stopped"] = True  # the listener leaves: the service stops synthesis
                    self.conn.close()
                    break
            else:
                response.read()  # the end: the connection can take the next request
        finally:
            if on_first is not None:
                on_first.set()  # never leave a waiter hanging
        end = time.perf_counter()
        out.update(data=b"".join(chunks), bytes=size, end=end, total=end - start)
        if response.status >= 500:
            SERVER_ERRORS.append((self.port, method, path, response.status, out["data"][:300]))
        return out

    def close(self) -> None:
        self.conn.close()


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
         expect: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """One request on a connection of its own (see Client.request); a status other than `expect` raises."""
    client = Client(port, token)
    try:
        answer = client.request(method, path, body, **kwargs)
    finally:
        client.close()
    if expect is not None and answer["status"] != expect:
        raise RuntimeError(f"{method} {path} on :{port}: {answer['status']} {answer['data'][:500]!r}")
    return answer


def call_json(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
              expect: int = 200) -> Any:
    return json.loads(call(port, method, path, body, token, expect)["data"])


def generate(port: int, token: str, body: dict, expect: int | None = 200, **kwargs: Any) -> dict[str, Any]:
    """POST /api/tts/generate, voice jf_alpha and en-us unless `body` says otherwise (see `call`)."""
    return call(port, "POST", "/api/tts/generate", {"voice": VOICE, "lang": LANG, **body}, token, expect, **kwargs)


def together(work: Callable[..., Any], *args: list, barrier: bool = False) -> list:
    """`work` on each set of arguments (zip of `args`), all at once, each in a thread; the results in order.
    With `barrier`, each call also gets `barrier=` one `threading.Barrier` for all (to send at the same moment)."""
    if barrier:
        work = functools.partial(work, barrier=threading.Barrier(len(args[0])))
    with ThreadPoolExecutor(max_workers=len(args[0])) as pool:
        return list(pool.map(work, *args))


def metric(port: int, name: str) -> float:
    """The sum of the values of the /metrics lines that start with `name`."""
    lines = call(port, "GET", "/metrics")["data"].decode().splitlines()
    return sum(float(line.split()[-1]) for line in lines if line.startswith(name))


def ready(port: int) -> bool:
    with contextlib.suppress(OSError):
        return call(port, "GET", "/readyz")["status"] == 200
    return False


def register(port: int, email: str) -> str:
    """A new account, registered through the API (unlimited credits: the default); its access token."""
    answer = call_json(port, "POST", "/api/auth/register", {"email": email, "password": "bench password"}, expect=201)
    assert answer["user"]["credits"] is None, answer
    return answer["access_token"]


# -- processes: memory and CPU (psutil; the peak RSS, VmHWM, only in /proc) -------------------------


def memory(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process in MB."""
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
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def children(ppid: int) -> list[int]:
    with contextlib.suppress(psutil.Error):
        return sorted(child.pid for child in psutil.Process(ppid).children())
    return []


def workers(master: int) -> dict[int, dict[str, float]]:
    """RSS, peak (MB) and OS threads of each child of `master` (gunicorn's workers)."""
    out = {}
    for pid in children(master):
        with contextlib.suppress(OSError, psutil.Error):
            m = memory(pid)
            out[pid] = {"rss": m["VmRSS"], "peak": m["VmHWM"], "threads": psutil.Process(pid).num_threads()}
    return out


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Sampler:
    """The peak of the summed RSS (MB) of the children of `master` while a step runs, sampled every `every` s."""

    def __init__(self, master: int, every: float = 0.1, reset: bool = True) -> None:
        self.master, self.every, self.reset, self.peak, self.t0 = master, every, reset, 0.0, time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(w["rss"] for w in workers(self.master).values()))
            self._stop.wait(self.every)

    def snapshot(self, **fields: Any) -> dict[str, Any]:
        """The workers now, their total RSS, the sampled peak and the seconds since the start (and `fields`)."""
        ws = workers(self.master)
        return {**fields, "seconds": time.perf_counter() - self.t0, "workers": ws,
                "total": sum(w["rss"] for w in ws.values()), "peak": self.peak, "load": load()}

    def __enter__(self) -> Sampler:
        for pid in children(self.master) if self.reset else ():
            reset_peak(pid)
        self.t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class CpuMeter:
    """Cores (CPU s per wall s) used between two laps by each group of processes (name -> its pids) and the rest;
    each process is sampled every second, so one that dies counts up to its last sample."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]], rest: str = "rest") -> None:
        self.groups, self.rest = groups, rest
        self.seen: dict[int, float] = {}
        self.last = self._sample()
        threading.Thread(target=self._run, daemon=True).start()

    def _sample(self) -> tuple[float, float, dict[int, float]]:
        """The time, the machine's busy CPU seconds (idle and iowait left out) and each process's CPU seconds."""
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                self.seen[proc.pid] = sum(proc.cpu_times()[:2])  # user + system
        busy = psutil.cpu_times()
        return time.perf_counter(), sum(busy[:8]) - busy.idle - busy.iowait, dict(self.seen)

    def _run(self) -> None:
        while True:
            time.sleep(1.0)
            self._sample()

    def lap(self) -> dict[str, float]:
        """Cores used since the previous lap (the first: since the meter started)."""
        (t0, busy0, seen0), (now, busy, seen) = self.last, self._sample()
        self.last = (now, busy, seen)
        wall = max(now - t0, 1e-9)
        used = {name: sum(seen[p] - seen0.get(p, 0.0) for p in set(pids()) if p in seen)
                for name, pids in self.groups.items()}
        used[self.rest] = max(0.0, busy - busy0 - sum(used.values()))
        return {"wall": round(wall, 1), **{k: round(v / wall, 2) for k, v in used.items()}}


# -- the bare model, runs in a subprocess, interleaved runs -----------------------------------------


def bare_session(threads: int) -> Any:
    """onnxruntime on the embedded int8 model, set up as the engine does but with its CPU arena on (the default)."""
    import onnxruntime as ort

    from kokoro_tts.engine.model_files import embedded_model_path
    from kokoro_tts.engine.settings import EngineSettings

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    model = embedded_model_path(EngineSettings().cache_dir)
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


def bare_feed(tokens: list[int], style: Any, speed: float = 1.0) -> dict[str, Any]:
    import numpy as np

    return {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64), "style": np.asarray(style).reshape(1, -1),
            "speed": np.array([speed], dtype=np.float32)}


def _own_defaults() -> None:
    for key in [k for k in os.environ if k.startswith("TTS_")]:
        del os.environ[key]


def spawned() -> ProcessPoolExecutor:
    """A fresh Python process (its own memory and peak RSS) that runs what is submitted to it, with the
    engine's own defaults (no TTS_* setting of the shell), as the service gets them."""
    return ProcessPoolExecutor(1, multiprocessing.get_context("spawn"), initializer=_own_defaults)


def in_child(work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)` in a `spawned` process of its own."""
    with spawned() as child:
        return child.submit(work, *args).result()


#: In a `spawned` process once `bare_load` ran there: its engine, voice, G2P and session.
BARE: dict[str, Any] = {}


def bare_load(threads: int) -> dict[str, Any]:
    """Load the bare model and warm it up; the process's RSS then."""
    from kokoro_tts.engine import Engine
    from kokoro_tts.engine.g2p import get_g2p

    engine = Engine()  # for the voice pack and (info only) the engine's chunking
    BARE.update(engine=engine, voice=engine.store.resolve(VOICE), g2p=get_g2p(LANG), session=bare_session(threads))
    bare_synth(MEDIUM)  # warm-up
    bare_synth(SENTENCE)
    return {"ready": True, "threads": threads, "rss": memory()["VmRSS"]}


def bare_synth(text: str) -> list[dict[str, Any]]:
    """Sentence by sentence: espeak-ng phonemes -> tokenize -> InferenceSession.run, timed."""
    from kokoro_tts.engine.chunking import MAX_TOKENS, sentences, tokenize

    out = []
    for piece in (text[s:e].strip() for s, e, _ in sentences(text)):
        if piece:
            t0 = time.perf_counter()
            tokens = tokenize(BARE["g2p"](piece))[:MAX_TOKENS]
            t1 = time.perf_counter()
            samples = BARE["session"].run(None, bare_feed(tokens, BARE["voice"].style_for(len(tokens))))[0].size
            out.append({"chars": len(piece), "tokens": len(tokens), "g2p": t1 - t0, "infer": time.perf_counter() - t1,
                        "audio": samples / 24000})
    return out


def bare_seconds(bare: ProcessPoolExecutor, text: str) -> float:
    """Phonemization + inference seconds of `text` in a bare-model process."""
    return sum(s["g2p"] + s["infer"] for s in bare.submit(bare_synth, text).result())


def interleaved(repeat: int, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[list, list]:
    """`repeat` runs of each, which goes first alternating, so that the machine's drift hits both alike."""
    a, b = [], []
    for i in range(repeat):
        for run in (first, second) if i % 2 == 0 else (second, first):
            (a if run is first else b).append(run())
    return a, b


def versus(repeat: int, service: Callable[[], float], bare: Callable[[], float]) -> dict[str, Any]:
    """`interleaved` runs (the bare one first), their medians and the ratio of the medians."""
    b, s = interleaved(repeat, bare, service)
    return {"service": s, "bare": b, "service_median": median(s), "bare_median": median(b),
            "ratio": median(s) / median(b)}


# -- the report -------------------------------------------------------------------------------------


def parser(doc: str | None, default_json: str | None = None) -> argparse.ArgumentParser:
    """An argument parser with `--json FILE` (default bench/results/<default_json>-<time>.json, if named)."""
    p = argparse.ArgumentParser(description=doc)
    where = f"default bench/results/{default_json}-<time>.json" if default_json else "else not written"
    p.add_argument("--json", type=Path, help=f"where to write the numbers ({where})")
    return p


class Report:
    """A run's numbers (`data`), saved as they come; SIGTERM exits through the callers' finally blocks."""

    def __init__(self, name: str, path: Path | None, default_file: bool = True, **data: Any) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.path = path or (ROOT / "bench" / "results" / f"{name}-{stamp}.json" if default_file else None)
        self.t0 = time.perf_counter()
        self.data: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(),
                                     "load_start": load(), **data}
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        log(f"load average at start: {self.data['load_start']} ({os.cpu_count()} cores)")

    def save(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.data, indent=1, default=str))

    def finish(self, tables: Callable[[dict], str]) -> None:
        """Save the numbers, print the tables made of them and where the numbers are."""
        self.data.update(load_end=load(), run_seconds=time.perf_counter() - self.t0)
        self.save()
        print(tables(self.data))
        if self.path:
            print(f"\nNumbers in {self.path} ({self.data['run_seconds'] / 60:.1f} min on {os.cpu_count()} cores)")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(head: list[str], rows: Iterable[Iterable[object]], align: str = "") -> list[str]:
    """A Markdown table; `align` has an "r" for each column aligned right (e.g. "lrr")."""
    lines = ["| " + " | ".join(str(c) for c in cells) + " |" for cells in (head, *rows)]
    lines.insert(1, "|" + "|".join("---:" if a == "r" else "---" for a in align.ljust(len(head), "l")) + "|")
    return lines
