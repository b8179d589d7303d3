"""Benchmark the service as deployed (gunicorn, its own defaults) against the bare model, in one run.

    python bench/serve_bench.py [--repeat 3] [--json FILE] [--no-retry]

Starts the app under gunicorn with the project's gunicorn.conf.py and nothing that overrides its
workers, threads or TTS_THREADS (without REDIS_URL: 1 worker, its threads, TTS_THREADS = cores; the run prints them),
APP_ENV=production, a random 43-character SECRET_KEY, on a throw-away PostgreSQL database
(`BENCH_DATABASE_URL`, default the test server), and registers 24 accounts through the API
(credits NULL: unlimited). Only REGISTER_RATE_LIMIT is raised (20 per hour per address would
refuse the 21st account); every other limit is the default.

The bare reference runs in separate subprocesses that stay loaded for the whole run: espeak-ng
phonemes (`get_g2p("en-us")`) -> `tokenize` -> `InferenceSession.run` on the embedded int8 model
(style row `Engine().store.resolve("jf_alpha").style_for(n)`), sentence by sentence; its time is
the sum of per-sentence phonemization + inference. Voice jf_alpha, lang en-us, format wav.

1. Lone request: `POST /api/tts/generate` of the 343-character paragraph (whole answer read) vs
   the bare pipeline with 2 threads on the same text. Interleaved, median of `--repeat`.
2. Four at once: 4 users post that paragraph together; audio seconds per wall second vs two bare
   1-thread processes side by side, each speaking it twice. Interleaved, median of `--repeat`.
3. First audio of a short streamed sentence: time to the first audio byte alone, vs the bare
   one-sentence time (2 threads), interleaved; then the same while 3 other users read long
   (~1,450-character) streams continuously.
4. 24 users post ~100-character texts at once: statuses, Retry-After on every 429/503, how many
   are served (then, unless --no-retry, the refused ones retry as Retry-After says).
5. VmRSS of each gunicorn worker (children of the master) after each phase, and the total.

Prints one Markdown table per part and a summary; writes JSON to bench/results/serve-<time>.json.
The machine is shared: the load average at start and end is printed; compare within a run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine_bench import _LONG_PARAGRAPHS, MEDIUM, _session  # noqa: E402

PORT = 8796
VOICE, LANG, FORMAT = "jf_alpha", "en-us", "wav"
SHORT = "Hello there, this is a short sentence."
LONGS = ["\n\n".join(_LONG_PARAGRAPHS[i:i + 4]) for i in range(3)]
SMALL = [f"Message number {i + 1}: the quick brown fox jumps over the lazy dog, then rests by the quiet river."
         for i in range(24)]
USERS = 24
WAV_BYTES_PER_SECOND = 24000 * 2  # s16le mono 24 kHz
TARGETS = {"lone": 1.15, "four": 0.9, "first_alone": 1.3, "first_loaded": 2.5}


# -- /proc -------------------------------------------------------------------------------------


def vmrss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


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


def worker_rss(master: int) -> dict[int, float]:
    out = {}
    for pid in children(master):
        try:
            out[pid] = vmrss_mb(pid)
        except (OSError, AttributeError):
            pass
    return out


class Sampler:
    """Samples the total RSS of the workers every 0.2 s (the peak during a phase)."""

    def __init__(self, master: int) -> None:
        self.master, self.peak, self._stop = master, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(worker_rss(self.master).values()))
            self._stop.wait(0.2)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def threads_of(pids: dict[int, float]) -> dict[int, int]:
    """OS threads of each process (gunicorn's request threads, onnxruntime's, ...)."""
    out = {}
    for pid in pids:
        try:
            out[pid] = len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return out


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait excluded)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


class CpuShare:
    """Who used the cores between two snapshots: the gunicorn workers, the bare processes, the rest
    (PostgreSQL, this script, anything else running on the machine), in cores (CPU s per wall s)."""

    def __init__(self, master: int, bare_pids: list[int]) -> None:
        self.master, self.bare_pids = master, bare_pids
        self.last = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        return (time.perf_counter(), sum(cpu_seconds(p) for p in children(self.master)),
                sum(cpu_seconds(p) for p in self.bare_pids), busy_seconds())

    def since_last(self) -> dict[str, float]:
        now = self._now()
        wall, worker, bare, busy = (b - a for a, b in zip(self.last, now, strict=True))
        self.last = now
        wall = max(wall, 1e-9)
        return {"wall": round(wall, 1), "workers": round(worker / wall, 2), "bare": round(bare / wall, 2),
                "rest": round(max(0.0, busy - worker - bare) / wall, 2)}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- the bare model, in its own process --------------------------------------------------------


def bare_worker(threads: int) -> None:
    """Runs in a subprocess: load, warm up, then synthesize what stdin asks, one JSON line each."""
    import numpy as np

    from kokoro_tts.engine import Engine
    from kokoro_tts.engine.chunking import MAX_TOKENS, sentences, tokenize
    from kokoro_tts.engine.g2p import get_g2p
    from kokoro_tts.engine.model_files import embedded_model_path

    engine = Engine()  # for the voice pack, the cache folder and (info only) the engine's chunking
    voice = engine.store.resolve(VOICE)
    g2p = get_g2p(LANG)
    session = _session(embedded_model_path(engine.settings.cache_dir), threads)

    def synth(text: str) -> list[dict]:
        out = []
        for s, e, _ in sentences(text):
            piece = text[s:e].strip()
            if not piece:
                continue
            t0 = time.perf_counter()
            tokens = tokenize(g2p(piece))[:MAX_TOKENS]
            t1 = time.perf_counter()
            feed = {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": voice.style_for(len(tokens)),
                "speed": np.array([1.0], dtype=np.float32),
            }
            samples = session.run(None, feed)[0].size
            t2 = time.perf_counter()
            out.append({"chars": len(piece), "tokens": len(tokens), "g2p": t1 - t0, "infer": t2 - t1,
                        "audio": samples / 24000})
        return out

    synth(MEDIUM)  # warm-up
    synth(SHORT)

    def reply(obj: dict) -> None:
        sys.stdout.write("@@" + json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"ready": True, "threads": threads, "rss": vmrss_mb(os.getpid())})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "quit":
            break
        if cmd["op"] == "chunks":  # the engine's own chunking of a text (token counts), not timed
            reply({"chunks": [len(c.tokens) for c in engine.chunks(cmd["text"], LANG)]})
            continue
        t0 = time.perf_counter()
        runs = [synth(cmd["text"]) for _ in range(cmd.get("times", 1))]
        wall = time.perf_counter() - t0
        reply({
            "wall": wall,
            "seconds": [sum(s["g2p"] + s["infer"] for s in run) for run in runs],
            "audio": [sum(s["audio"] for s in run) for run in runs],
            "sentences": runs[0],
        })


class Bare:
    """A loaded bare-model subprocess; `call` sends one command and waits for its answer."""

    def __init__(self, threads: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TTS_")}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--bare-worker", str(threads)], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.threads = threads

    def ready(self) -> dict:
        return self.read()

    def send(self, cmd: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict:
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"bare worker ({self.threads} threads) died: {self.proc.wait()}")
            if line.startswith("@@"):
                return json.loads(line[2:])

    def call(self, cmd: dict) -> dict:
        self.send(cmd)
        return self.read()

    def close(self) -> None:
        try:
            self.send({"op": "quit"})
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


# -- HTTP --------------------------------------------------------------------------------------


def api(method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _read_body(response: http.client.HTTPResponse, start: float, on_first: threading.Event | None,
               stop: threading.Event | None) -> tuple[float | None, int, list, bytes]:
    """Read as it arrives: (first audio byte time, size, [(time, size so far)], error body)."""
    first, size, reads, data = None, 0, [], b""
    while chunk := response.read1(65536):
        now = time.perf_counter() - start
        if response.status != 200:
            data += chunk
        elif first is None and size + len(chunk) > 44:
            first = now
            if on_first is not None:
                on_first.set()
        size += len(chunk)
        reads.append((round(now, 4), size))
        if stop is not None and stop.is_set():
            break  # the listener leaves: the service stops synthesis (and refunds the rest)
    return first, size, reads, data


def generate(token: str, body: dict, barrier: threading.Barrier | None = None,
             on_first: threading.Event | None = None, stop: threading.Event | None = None) -> dict:
    """One POST /api/tts/generate on a fresh connection, read as it arrives (to the end, or until `stop`).

    Times (seconds from sending): `head` the status line and headers, `first` the first audio byte
    (past the 44-byte WAV header), `total` the last byte read; `reads` (time, bytes) for streams.
    """
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn.connect()
    if barrier is not None:
        barrier.wait()
    start = time.perf_counter()
    try:
        conn.request("POST", "/api/tts/generate", body=json.dumps({"voice": VOICE, "lang": LANG,
                                                                  "format": FORMAT, **body}), headers=headers)
        response = conn.getresponse()
        head = time.perf_counter() - start
        first, size, reads, data = _read_body(response, start, on_first, stop)
        end = time.perf_counter()
        out = {
            "status": response.status, "start": start, "end": end, "head": head, "first": first,
            "total": end - start, "bytes": size, "stopped": bool(stop is not None and stop.is_set()),
            "retry_after": response.getheader("Retry-After"),
            "audio_duration": float(response.getheader("X-Audio-Duration") or 0) or None,
        }
        if response.status != 200:
            try:
                out["code"] = json.loads(data)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                out["code"] = data[:200].decode(errors="replace")
        elif body.get("stream"):
            out["reads"] = reads
        return out
    finally:
        conn.close()
        if on_first is not None:
            on_first.set()  # never leave a waiter hanging


def first_audio_metric() -> tuple[float, float]:
    """(sum, count) of kokoro_time_to_first_audio_seconds from /metrics: the service's own time from
    the charge to the first piece of audio, per generation."""
    _, body = api("GET", "/metrics")
    values = {}
    for line in body.decode().splitlines():
        for key in ("sum", "count"):
            if line.startswith(f"kokoro_time_to_first_audio_seconds_{key} "):
                values[key] = float(line.split()[-1])
    return values.get("sum", 0.0), values.get("count", 0.0)


def in_progress() -> float:
    _, body = api("GET", "/metrics")
    return sum(float(line.split()[-1]) for line in body.decode().splitlines()
               if line.startswith("kokoro_generations_in_progress"))


def wait_idle(timeout: float = 180) -> float:
    """Wait until no generation is in progress (a stream the client left holds its slot until the
    service next writes to it); returns the seconds waited."""
    t0 = time.perf_counter()
    while in_progress() > 0 and time.perf_counter() - t0 < timeout:
        time.sleep(0.5)
    return round(time.perf_counter() - t0, 2)


def probe(token: str) -> dict:
    """The short streamed sentence; with the service's own first-audio time when only it counted one."""
    s0, c0 = first_audio_metric()
    r = generate(token, {"text": SHORT, "stream": True})
    assert r["status"] == 200 and r["first"], r
    s1, c1 = first_audio_metric()
    r["server_first"] = s1 - s0 if c1 - c0 == 1 else None
    return r


def together(jobs: list[tuple[str, dict]]) -> list[dict]:
    """Post every (token, body) at once (connections opened first, then a barrier); the first
    failure is raised."""
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: generate(*job, barrier=barrier), jobs))


def stall(reads: list, first: float) -> float:
    """Seconds a listener who starts playing at the first audio byte would wait in total
    (the start-up buffer needed for the stream never to stall)."""
    worst, before = 0.0, 44
    for t, size in reads:
        if t > first:
            worst = max(worst, (t - first) - (before - 44) / WAV_BYTES_PER_SECOND)
        before = size
    return max(0.0, worst)


def wait_ready(deadline: float) -> None:
    while time.time() < deadline:
        try:
            if api("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


# -- the parts ---------------------------------------------------------------------------------


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def part_lone(token: str, bare2: Bare, repeat: int) -> dict:
    served, bare, sentences = [], [], []
    for i in range(repeat):
        order = ("bare", "service") if i % 2 == 0 else ("service", "bare")
        for who in order:
            if who == "bare":
                answer = bare2.call({"op": "synth", "text": MEDIUM})
                bare.append(answer["seconds"][0])
                sentences = [s["tokens"] for s in answer["sentences"]]
            else:
                r = generate(token, {"text": MEDIUM})
                assert r["status"] == 200, r
                served.append(r["total"])
    return {"service": served, "bare": bare, "bare_sentences": sentences, "service_median": median(served),
            "bare_median": median(bare), "ratio": median(served) / median(bare)}


def part_four(tokens: list[str], pair: list[Bare], repeat: int, audio_seconds: float) -> dict:
    """Wall time for 4 texts: 4 users at once against 2 bare 1-thread processes x 2 texts."""
    served, bare, served_audio, bare_audio = [], [], [], []
    for i in range(repeat):
        order = ("bare", "service") if i % 2 == 0 else ("service", "bare")
        for who in order:
            if who == "bare":
                t0 = time.perf_counter()
                for b in pair:
                    b.send({"op": "synth", "text": MEDIUM, "times": 2})
                answers = [b.read() for b in pair]
                bare.append(time.perf_counter() - t0)
                bare_audio.append(sum(sum(a["audio"]) for a in answers))
            else:
                rs = together([(t, {"text": MEDIUM}) for t in tokens])
                assert all(r["status"] == 200 for r in rs), rs
                served.append(max(r["end"] for r in rs) - min(r["start"] for r in rs))
                served_audio.append(sum(r["audio_duration"] for r in rs))
    # Throughput in the service's own audio seconds for both (same 4 texts): the bare model's raw
    # output is untrimmed and has no pauses, so its length differs a little; see bare_raw_audio.
    total_audio = 4 * audio_seconds
    s_rate, b_rate = total_audio / median(served), total_audio / median(bare)
    return {"service_wall": served, "bare_wall": bare, "service_audio": served_audio, "bare_raw_audio": bare_audio,
            "audio_per_text": audio_seconds, "service_rate": s_rate, "bare_rate": b_rate, "ratio": s_rate / b_rate}


def first_alone(token: str, bare2: Bare, repeat: int) -> dict:
    """The short stream's first audio byte alone, interleaved with the bare one-sentence time."""
    alone, alone_head, server, bare = [], [], [], []
    for i in range(repeat):
        order = ("bare", "service") if i % 2 == 0 else ("service", "bare")
        for who in order:
            if who == "bare":
                bare.append(bare2.call({"op": "synth", "text": SHORT})["seconds"][0])
            else:
                r = probe(token)
                alone.append(r["first"])
                alone_head.append(r["head"])
                server.append(r["server_first"])
    return {"alone": alone, "alone_head": alone_head, "alone_server": server, "bare": bare}


def pieces(reads: list, gap: float = 0.05) -> list[tuple[float, int]]:
    """Reads grouped into the pieces the service sent (reads less than `gap` s apart): (time, bytes)."""
    out: list[tuple[float, int]] = []
    last_t, last_size = -1.0, 0
    for t, size in reads:
        if out and t - last_t < gap:
            out[-1] = (out[-1][0], out[-1][1] + size - last_size)
        else:
            out.append((t, size - last_size))
        last_t, last_size = t, size
    return out


def long_row(text: str, r: dict | BaseException, t0: float) -> dict:
    if isinstance(r, BaseException):
        raise r
    assert r["status"] == 200, r
    audio = (r["bytes"] - 44) / WAV_BYTES_PER_SECOND
    offset = r["start"] - t0
    return {"chars": len(text), "first": r["first"], "total": r["total"], "audio": audio, "stopped": r["stopped"],
            "x_realtime": audio / (r["total"] - r["first"]), "stall": stall(r["reads"], r["first"]),
            # when each piece arrived (s since the long streams started) and its audio seconds
            "pieces": [(round(offset + t, 3), round(n / WAV_BYTES_PER_SECOND, 2)) for t, n in pieces(r["reads"])]}


def first_loaded(tokens: list[str], repeat: int) -> dict:
    """Three long streams read continuously by 3 other users; short-stream probes once all three speak.

    The long streams are left (the client closes them) a second after the last probe: the service stops
    their synthesis, and the run stays short."""
    longs: list[dict | BaseException] = [RuntimeError("not run")] * 3
    started = [threading.Event() for _ in range(3)]
    stop = threading.Event()

    def run_long(i: int) -> None:
        try:
            longs[i] = generate(tokens[1 + i], {"text": LONGS[i], "stream": True}, on_first=started[i], stop=stop)
        except BaseException as e:
            longs[i] = e

    threads = [threading.Thread(target=run_long, args=(i,)) for i in range(3)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for e in started:
        e.wait(timeout=300)
    longs_first = time.perf_counter() - t0
    time.sleep(1.0)
    probes = []
    for _ in range(repeat):
        r = probe(tokens[0])
        r["running"] = sum(t.is_alive() for t in threads)
        probes.append(r)
        time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join()
    rows = [long_row(LONGS[i], r, t0) for i, r in enumerate(longs)]
    for p in probes:  # long-stream pieces delivered while the probe waited for its first audio
        a, b = p["start"] - t0, p["start"] - t0 + p["first"]
        p["long_pieces_meanwhile"] = sum(a < t <= b for row in rows for t, _ in row["pieces"])
    return {"loaded": [p["first"] for p in probes], "loaded_head": [p["head"] for p in probes],
            "loaded_server": [p["server_first"] for p in probes],
            "loaded_probe_window": [(round(p["start"] - t0, 3), round(p["start"] - t0 + p["first"], 3))
                                    for p in probes],
            "long_pieces_meanwhile": [p["long_pieces_meanwhile"] for p in probes],
            "long_streams_running_at_probe": [p["running"] for p in probes],
            "long_streams_all_speaking_after": longs_first, "long_streams": rows}


def part_first(alone: dict, loaded: dict) -> dict:
    out = {**alone, **loaded}
    b = median(out["bare"])
    out.update(alone_median=median(out["alone"]), loaded_median=median(out["loaded"]), bare_median=b,
               ratio_alone=median(out["alone"]) / b, ratio_loaded=median(out["loaded"]) / b)
    return out


def part_burst(tokens: list[str], retry: bool) -> dict:
    t0 = time.perf_counter()
    rs = together([(tokens[i], {"text": SMALL[i]}) for i in range(USERS)])
    wall = max(r["end"] for r in rs) - min(r["start"] for r in rs)
    counts: dict[str, int] = {}
    for r in rs:
        key = str(r["status"]) + (f" {r['code']}" if r["status"] != 200 else "")
        counts[key] = counts.get(key, 0) + 1
    statuses = {r["status"] for r in rs}
    missing_retry_after = sum(1 for r in rs if r["status"] in (429, 503) and not r["retry_after"])
    out = {
        "counts": counts, "wall": wall, "served": sum(r["status"] == 200 for r in rs),
        "only_200_429_503": statuses <= {200, 429, 503}, "missing_retry_after": missing_retry_after,
        "retry_after_values": sorted(int(r["retry_after"]) for r in rs if r["retry_after"]),
        "refusal_seconds": sorted(round(r["total"], 3) for r in rs if r["status"] != 200),
        "served_seconds": sorted(round(r["total"], 3) for r in rs if r["status"] == 200),
    }
    if retry:
        # The refused clients do what the answer says: wait Retry-After, try again (at most 6 tries, 180 s).
        deadline = time.perf_counter() + 180
        done = [r["status"] == 200 for r in rs]
        waits = {i: float(r["retry_after"] or 1) for i, r in enumerate(rs) if r["status"] != 200}
        attempts = {i: 1 for i in waits}
        lock = threading.Lock()

        def retry_one(i: int) -> None:
            while not done[i] and attempts[i] < 6 and time.perf_counter() + waits[i] < deadline:
                time.sleep(waits[i])
                r = generate(tokens[i], {"text": SMALL[i]})
                with lock:
                    attempts[i] += 1
                    if r["status"] == 200:
                        done[i] = True
                    elif r["retry_after"]:
                        waits[i] = float(r["retry_after"])

        threads = [threading.Thread(target=retry_one, args=(i,)) for i in waits]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.update(eventually_served=sum(done), all_done_after=time.perf_counter() - t0,
                   attempts=sorted(attempts.values()))
    return out


# -- the run -----------------------------------------------------------------------------------


def service_env(url: str, tmp: str) -> dict[str, str]:
    # The project's own defaults for workers, threads and TTS_THREADS: nothing that overrides them.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "GUNICORN_")) and k not in (
        "WEB_CONCURRENCY", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DEFAULT_CREDITS", "DATABASE_URL",
        "PROMETHEUS_MULTIPROC_DIR", "GENERATE_RATE_LIMIT", "LOGIN_RATE_LIMIT")}
    env.update(DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(32), APP_ENV="production", PORT=str(PORT),
               PUBLIC_URL=f"http://127.0.0.1:{PORT}", INSTANCE_PATH=tmp, REGISTER_RATE_LIMIT="1000 per hour")
    return env


def gunicorn_settings(env: dict[str, str]) -> dict:
    """What gunicorn.conf.py decides in this environment (workers, threads, TTS_THREADS)."""
    code = ("import json, os, runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(json.dumps({'workers': c['workers'], 'threads': c['threads'], "
            "'TTS_THREADS': os.environ['TTS_THREADS'], 'cores': c['cores']}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> dict:
    from tests.support.pg import temporary_database

    os.environ.setdefault("TEST_DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["TEST_DATABASE_URL"]:
        del os.environ["TEST_DATABASE_URL"]
    result: dict = {"load_start": load(), "cores": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                    "repeat": args.repeat, "memory": [], "idle_wait": {}}
    print(f"load average at start: {result['load_start']} ({os.cpu_count()} cores)", file=sys.stderr)
    bares: list[Bare] = [Bare(2), Bare(1), Bare(1)]
    with temporary_database("kokoro_servebench") as url, tempfile.TemporaryDirectory() as tmp:
        env = service_env(url, tmp)
        result["gunicorn"] = gunicorn_settings(env)
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        log = open(Path(tmp) / "gunicorn.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(time.time() + 90)
            master = server.pid
            result["bare_ready"] = [b.ready() for b in bares]
            bare2, pair = bares[0], bares[1:]

            cpu = CpuShare(master, [b.proc.pid for b in bares])

            def memory(phase: str, sampler: Sampler | None = None) -> None:
                rss = worker_rss(master)
                row = {"phase": phase, "workers": rss, "total": sum(rss.values()), "threads": threads_of(rss),
                       "peak": sampler.stop() if sampler else None, "load": load(), "cpu": cpu.since_last()}
                result["memory"].append(row)
                print(f"  {phase}: workers {rss} load {row['load']}", file=sys.stderr)

            memory("after start (/readyz)")
            result["gunicorn"]["workers_seen"] = len(children(master))
            tokens = []
            for i in range(USERS):
                status, body = api("POST", "/api/auth/register",
                                   {"email": f"serve{i}@example.com", "password": "bench password"})
                answer = json.loads(body)
                assert status == 201 and answer["user"]["credits"] is None, (status, body[:300])
                tokens.append(answer["access_token"])
            sampler = Sampler(master).start()
            warm = [generate(tokens[0], {"text": SHORT}), generate(tokens[0], {"text": MEDIUM})]
            assert all(r["status"] == 200 for r in warm), warm
            result["medium_audio_seconds"] = warm[1]["audio_duration"]
            result["engine_chunks"] = {name: bare2.call({"op": "chunks", "text": text})["chunks"]
                                       for name, text in (("medium", MEDIUM), ("short", SHORT), ("long0", LONGS[0]))}
            memory("after warm-up (short + medium request)", sampler)

            print("part 1: lone request", file=sys.stderr)
            sampler = Sampler(master).start()
            result["idle_wait"]["lone"] = wait_idle()
            result["lone"] = part_lone(tokens[0], bare2, args.repeat)
            memory("after part 1 (lone requests)", sampler)

            print("part 2: four at once", file=sys.stderr)
            sampler = Sampler(master).start()
            result["idle_wait"]["four"] = wait_idle()
            result["four"] = part_four(tokens[1:5], pair, args.repeat, result["medium_audio_seconds"])
            memory("after part 2 (4 at once)", sampler)

            print("part 3: first audio", file=sys.stderr)
            sampler = Sampler(master).start()
            result["idle_wait"]["first"] = wait_idle()
            alone = first_alone(tokens[0], bare2, args.repeat)
            memory("after part 3a (short stream alone)", sampler)
            sampler = Sampler(master).start()
            result["first"] = part_first(alone, first_loaded(tokens[:4], args.repeat))
            memory("after part 3b (short stream with 3 long streams)", sampler)

            print("part 4: 24 at once", file=sys.stderr)
            sampler = Sampler(master).start()
            result["idle_wait"]["burst"] = wait_idle()
            result["burst"] = part_burst(tokens, not args.no_retry)
            memory("after part 4 (24 at once" + ("" if args.no_retry else ", then retries") + ")", sampler)
        finally:
            for b in bares:
                b.close()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
            lines = (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()
    result["workers_booted"] = sum("Booting worker" in line for line in lines)
    result["log_errors"] = [line for line in lines if "ERROR" in line or "CRITICAL" in line or "Killed" in line][:20]
    # The exception each traceback ends with (e.g. a database pool timeout), counted.
    exceptions = [line for line in lines if re.match(r"[A-Za-z_][\w.]*(Error|Exception|Timeout)\b.*:", line)]
    result["log_exceptions"] = {line[:300]: exceptions.count(line) for line in dict.fromkeys(exceptions)}
    result["load_end"] = load()
    return result


# -- tables ------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def runs(xs: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in xs)


def runs_opt(xs: list[float | None]) -> str:
    return ", ".join("?" if x is None else f"{x:.2f}" for x in xs)


def checks(r: dict) -> list[tuple[str, str, str, float, str, bool]]:
    """(target, measured, bare, ratio, target, met) for targets 1-3."""
    lone, four, first = r["lone"], r["four"], r["first"]
    t = TARGETS
    return [
        ("1. lone request latency", f"{lone['service_median']:.2f} s", f"{lone['bare_median']:.2f} s",
         lone["ratio"], f"≤ {t['lone']}", lone["ratio"] <= t["lone"]),
        ("2. four at once, audio s per wall s", f"{four['service_rate']:.2f}", f"{four['bare_rate']:.2f}",
         four["ratio"], f"≥ {t['four']}", four["ratio"] >= t["four"]),
        ("3a. first audio alone", f"{first['alone_median']:.2f} s", f"{first['bare_median']:.2f} s",
         first["ratio_alone"], f"≤ {t['first_alone']}", first["ratio_alone"] <= t["first_alone"]),
        ("3b. first audio with 3 long streams", f"{first['loaded_median']:.2f} s", f"{first['bare_median']:.2f} s",
         first["ratio_loaded"], f"≤ {t['first_loaded']}", first["ratio_loaded"] <= t["first_loaded"]),
    ]


def header(r: dict) -> str:
    g = r["gunicorn"]
    return (
        f"Run {r['started']}, {r['cores']} cores; load average (1, 5, 15 min) at start {r['load_start']}, "
        f"at end {r['load_end']}; {r['run_seconds'] / 60:.1f} min. gunicorn.conf.py chose {g['workers']} "
        f"worker(s) x {g['threads']} threads, TTS_THREADS={g['TTS_THREADS']} ({g['workers_seen']} worker process "
        f"seen; {r['workers_booted']} booted in all). Voice {VOICE}, {LANG}, {FORMAT}; medians of {r['repeat']} "
        f"interleaved runs. Engine chunks (tokens): medium {r['engine_chunks']['medium']}, first long stream "
        f"{r['engine_chunks']['long0']} (unloaded); bare sentences (tokens): medium {r['lone']['bare_sentences']}. "
        f"Seconds waited before each part for the service to be idle: {r['idle_wait']}."
    )


def table_123(r: dict) -> list[str]:
    lone, four, first = r["lone"], r["four"], r["first"]
    c = checks(r)
    head = ["|---|---:|---:|---:|---:|---|"]
    out = [f"\n### 1. Lone request ({len(MEDIUM)}-character paragraph, non-streamed)\n",
           row("measure", "service", "bare (2 threads)", "ratio", "target", "verdict"), *head,
           row("POST /api/tts/generate vs phonemes + inference, s", *c[0][1:3], f"{c[0][3]:.2f}", c[0][4],
               verdict(c[0][5])),
           row("runs, s", runs(lone["service"]), runs(lone["bare"]), "", "", "")]
    out += [f"\n### 2. Four at once (4 users x the {len(MEDIUM)}-character paragraph)\n",
            row("measure", "service (4 users at once)", "bare (2 x 1-thread processes, 2 texts each)", "ratio",
                "target", "verdict"), *head,
            row("audio s per wall s", *c[1][1:3], f"{c[1][3]:.2f}", c[1][4], verdict(c[1][5])),
            row("wall s for the 4 texts, runs", runs(four["service_wall"]), runs(four["bare_wall"]), "", "", ""),
            row("audio s for the 4 texts (service: X-Audio-Duration)", runs(four["service_audio"]),
                runs(four["bare_raw_audio"]) + " (raw, untrimmed, no pauses)", "", "", ""),
            row("for reference: 4 x the lone median of part 1 (one at a time, 2 threads), s",
                f"{4 * lone['service_median']:.2f}", f"{4 * lone['bare_median']:.2f}", "", "", "")]
    out += [f"\n### 3. First audio of a short streamed sentence ({len(SHORT)} characters)\n",
            row("measure", "service", "bare one sentence (2 threads)", "ratio", "target", "verdict"), *head,
            row("first audio byte alone, s", *c[2][1:3], f"{c[2][3]:.2f}", c[2][4], verdict(c[2][5])),
            row("first audio byte with 3 long streams running, s", *c[3][1:3], f"{c[3][3]:.2f}", c[3][4],
                verdict(c[3][5])),
            row("runs: alone / loaded; bare", f"{runs(first['alone'])} / {runs(first['loaded'])}",
                runs(first["bare"]), "", "", ""),
            row("service's own first audio (charge to first piece, /metrics), alone / loaded, s",
                f"{runs_opt(first['alone_server'])} / {runs_opt(first['loaded_server'])}", "", "", "", ""),
            row("long streams running / long-stream pieces delivered while each loaded probe waited",
                f"{first['long_streams_running_at_probe']} / {first['long_pieces_meanwhile']}", "", "", "", ""),
            row("the 3 long streams all had first audio after, s", f"{first['long_streams_all_speaking_after']:.2f}",
                "", "", "", "")]
    for i, s in enumerate(first["long_streams"]):
        left = "left by the client at" if s["stopped"] else "last byte"
        out.append(row(f"long stream {i + 1} ({s['chars']} chars): first audio {s['first']:.2f} s, {left} "
                       f"{s['total']:.1f} s, {s['audio']:.1f} s of audio, {s['x_realtime']:.2f}x real time after "
                       f"first audio; start-up buffer for no stall {s['stall']:.1f} s", "", "", "", "", ""))
    return out


def table_45(r: dict) -> list[str]:
    burst = r["burst"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(burst["counts"].items()))
    out = [f"\n### 4. {USERS} users at once (~{len(SMALL[0])}-character texts, non-streamed)\n",
           row("measure", "value", "target", "verdict"), "|---|---|---|---|",
           row("statuses", statuses, "only 200, 429, 503", verdict(burst["only_200_429_503"])),
           row("429/503 without Retry-After", f"{burst['missing_retry_after']} (values: {burst['retry_after_values']})",
               "0", verdict(burst["missing_retry_after"] == 0)),
           row("served (200) at the first try", f"{burst['served']} of {USERS}", f"most (> {USERS // 2})",
               verdict(burst["served"] > USERS / 2)),
           row("wall s until the last answer", f"{burst['wall']:.1f}", "", ""),
           row("slowest refusal, s", f"{max(burst['refusal_seconds'], default=0):.2f}", "", ""),
           row("exceptions in the gunicorn log (count)", "; ".join(f"{k} ({v})" for k, v in
                                                               r.get("log_exceptions", {}).items()) or "none", "", "")]
    if "eventually_served" in burst:
        retries = sum(burst["attempts"]) - len(burst["attempts"])
        out.append(row("served after retrying as Retry-After says (≤ 6 tries within 180 s)",
                       f"{burst['eventually_served']} of {USERS} ({retries} retries), all done after "
                       f"{burst['all_done_after']:.0f} s", "", ""))
    out += ["\n### 5. Resident memory of the gunicorn workers (VmRSS, MB), and who used the cores\n",
            "CPU columns: cores used during the phase (CPU s per wall s, out of "
            f"{r['cores']}) by the gunicorn workers, the bare processes, and everything else (PostgreSQL, "
            "this script, other work on the machine).\n",
            row("after", "per worker (pid: MB, OS threads)", "total", "sampled peak of total during the phase",
                "phase wall s", "CPU workers / bare / rest", "load average"),
            "|---|---|---:|---:|---:|---|---|"]
    for m in r["memory"]:
        per = ", ".join(f"{pid}: {v:.0f} ({m['threads'].get(pid, '?')})" for pid, v in m["workers"].items())
        c = m["cpu"]
        out.append(row(m["phase"], per, f"{m['total']:.0f}", f"{m['peak']:.0f}" if m["peak"] else "",
                       f"{c['wall']:.0f}", f"{c['workers']:.2f} / {c['bare']:.2f} / {c['rest']:.2f}", m["load"]))
    return out


def summary(r: dict) -> list[str]:
    burst = r["burst"]
    out = ["\n### Summary\n", row("target", "measured", "bare", "ratio", "target", "verdict"),
           "|---|---:|---:|---:|---:|---|"]
    out += [row(name, m, b, f"{ratio:.2f}", t, verdict(ok)) for name, m, b, ratio, t, ok in checks(r)]
    out.append(row("4. 24 at once", f"{burst['served']} x 200 of {USERS}", "", "",
                   "only 200/429/503, Retry-After on each refusal, most served", verdict(ok_burst(burst))))
    out.append(row("5. worker RSS, largest total after a phase", f"{max(m['total'] for m in r['memory']):.0f} MB",
                   "", "", "(reported)", ""))
    return out


def tables(r: dict) -> str:
    return "\n".join([header(r), *table_123(r), *table_45(r), *summary(r)])


def ok_burst(burst: dict) -> bool:
    return burst["only_200_429_503"] and burst["missing_retry_after"] == 0 and burst["served"] > USERS / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per measure (median)")
    parser.add_argument("--json", help="where to write the numbers (default bench/results/serve-<time>.json)")
    parser.add_argument("--no-retry", action="store_true", help="part 4: do not retry the refused requests")
    parser.add_argument("--bare-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_worker:
        bare_worker(args.bare_worker)
        return
    # Stopped from outside, still stop gunicorn and the bare processes and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.perf_counter()
    result = run(args)
    result["run_seconds"] = time.perf_counter() - t0
    path = Path(args.json) if args.json else ROOT / "bench" / "results" / f"serve-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, default=str))
    print(tables(result))
    print(f"\nNumbers in {path}")


if __name__ == "__main__":
    main()
