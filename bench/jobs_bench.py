"""Benchmark long-form jobs through a worker kill, against the same text through /api/tts/generate.

    python bench/jobs_bench.py [--repeat 1] [--heartbeat 10] [--kill-after 0.5] [--json FILE]

What it shows ("done when" of the jobs issue): two web servers and two workers on this machine,
sharing PostgreSQL, Redis and an S3 endpoint, serve a ~3,000-character job through a worker kill
with nothing lost and nothing charged twice; and how long the job takes against the same text
through `POST /api/tts/generate`.

Set-up, all on this machine:
- PostgreSQL: a throw-away database on the test server (`BENCH_DATABASE_URL`, default the test
  server's URL), migrated with `flask --app wsgi init-db`, dropped at the end.
- Redis: `redis://127.0.0.1:6379/5` (`--redis`), flushed at the start and at the end (the job
  queue and the rate-limit counters).
- S3: moto's server mode (`ThreadedMotoServer`) on a free port, bucket `kokoro-bench`,
  `AUDIO_STORAGE_URL=s3://kokoro-bench/jobs-bench`.
- Two web servers: two gunicorn masters with the project's gunicorn.conf.py and nothing that
  overrides its workers, threads or TTS_THREADS (with REDIS_URL on 2 cores it picks 2 workers
  per server and TTS_THREADS=1; the run prints what it chose), APP_ENV=production, one random
  SECRET_KEY shared by both (a token from one works on the other).
- Two job workers: `python -m flask --app wsgi jobs worker` with TTS_THREADS=1 each (the two
  cores shared), JOB_HEARTBEAT_TIMEOUT=`--heartbeat` (default 10 s instead of 60: a killed
  worker's job waits this long before the other worker takes it), JOB_PART_CHARS=1000 (default).
  Both web servers and workers see the same environment.

Voice jf_alpha, lang en-us, format mp3, a ~3,000-character English text of five paragraphs.
Each measurement uses an account of its own, registered through the API, its credits set to
100,000 with SQL (so the exact charge can be checked).

1. Generate: `POST /api/tts/generate` of the text on web server 1, whole answer read, while no
   job runs (after a warm-up that loads the model in every gunicorn worker of server 1).
2. Job without kill: submitted on web server 1, followed on web server 2 (`GET /api/tts/jobs/<id>`
   every 0.25 s) until done; the wall time from submit to the first `done` seen. Also, from the
   job's row (polled every 0.1 s): queue wait (submit -> a worker claims it), speaking (claim ->
   last part recorded), joining (-> done: parts read back, encoded into one MP3, uploaded).
   Generate and this job are interleaved `--repeat` times (median).
3. Job with kill: the same, but once the row says `parts_done >= 1` the script waits
   `--kill-after` x the time the first part took (default 0.5: halfway through the second part, so
   that a part really is lost; 0 kills at once), then SIGKILLs the worker holding the job (its pid
   from `jobs.worker`), and waits until the other worker finishes it.

Checks on every job: status done, characters_done == characters; the account's credits went down
by exactly the job's characters (charged once, nothing refunded); the account has exactly one
history row, `done`, whose characters are the job's; the history item (web server 2) says the
same; the audio (from web server 2, byte-identical from web server 1) decodes with soundfile and
its length is within 0.2 s of the item's duration; the caption words joined are the text's words
in order; no part is left in the store and the final object is there. The killed job also:
attempts == 2, finished by the other worker, every part counted. Any 5xx answer, and ERROR lines
or tracebacks in the servers' and workers' logs, are reported.

Prints a Markdown table; the numbers go to bench/results/jobs-<time>.json (git-ignored), or
`--json FILE`. The machine is shared (2 cores): compare rows of one run.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import logging
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from serve_bench import busy_seconds, children, cpu_seconds, gunicorn_settings, load, vmrss_mb  # noqa: E402

VOICE, LANG, FORMAT = "jf_alpha", "en-us", "mp3"
BUCKET, PREFIX = "kokoro-bench", "jobs-bench"
CREDITS = 100_000
PARAGRAPHS = [
    "The old canal ran through the middle of the town, and for most of the year it was quiet. "
    "Barges came slowly from the north, loaded with timber, grain and coal, and the lock keeper "
    "opened the gates for each of them in turn. Children sat on the low wall to watch the water "
    "rise inside the chamber. When the upper gates swung open, the boats slid forward with hardly "
    "a sound, and the horses on the towpath leaned into their harness once again. Nobody was ever "
    "in a hurry there; the canal set the pace, and the town had learned to follow it. Even the "
    "ducks on the water seemed to wait patiently for the gates to open.",
    "On the corner by the bridge stood a small shop that mended clocks. Its owner was a patient "
    "woman who wore her spectacles on a chain and hummed while she worked. Customers brought her "
    "watches that had stopped in the rain, kitchen clocks with broken springs, and once a great "
    "brass timepiece from the station that needed two men to carry it. She took each one apart on "
    "a green cloth, laid the pieces out in rows, and cleaned them with a fine brush. When she put "
    "them back together, they ticked more evenly than they had on the day they were made. She "
    "never charged more than she had first promised.",
    "Market day came every week, whatever the weather. Before dawn the square filled with carts "
    "and trestle tables, and by the time the church bell rang for seven, the air smelled of bread, "
    "apples and wet canvas. Farmers argued cheerfully about the price of eggs. A man with a barrow "
    "sold hot chestnuts in paper cones, and a fiddler played the same three tunes until noon. In "
    "the afternoon the stalls came down as quickly as they had gone up, and the sweepers followed, "
    "leaving the cobbles shining as if nothing had happened at all. Only the pigeons stayed "
    "behind, looking hopefully for crumbs between the stones.",
    "Winter arrived late that year, but it stayed for a long time. The canal froze from bank to "
    "bank, and the barges waited in the basin with their chimneys smoking. The lock keeper walked "
    "the ice each morning with a long pole, testing it before he let anyone skate. In the evenings "
    "people gathered in the reading room above the post office, where a stove burned in the corner "
    "and the librarian lent out books about faraway places. Some of them were read so often that "
    "their covers came loose, and the clockmaker stitched them back together with waxed thread. "
    "Outside, the snow fell softly on the empty towpath.",
    "When the thaw finally came, it came all at once. The ice cracked in the night with a noise "
    "like distant thunder, and by morning the water was moving again, grey and full of branches. "
    "The first barge of the spring came through the lock at midday, its deck crowded with sacks "
    "of seed. The children cheered from the wall, the horses stamped on the towpath, and the lock "
    "keeper raised his cap to the boatman as he always did. Above the bridge, the clock in the "
    "shop window struck twelve, exactly on time, and the town went back to its quiet work. Another "
    "year on the canal had begun.",
]
TEXT = "\n\n".join(PARAGRAPHS)
WORDS = " ".join(TEXT.split())


# -- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `condition` until it is truthy (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


class Process:
    """A child process whose output goes to a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 30) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._out.close()


def start_web(name: str, port: int, env: dict[str, str], tmp: Path) -> Process:
    metrics = tmp / f"metrics-{name}"  # prometheus_client's multiprocess folder, one per server
    metrics.mkdir()
    env = {**env, "PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    web = Process(name, [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], env,
                  tmp / f"{name}.log")

    def ready() -> bool:
        if not web.alive():
            raise RuntimeError(f"{name} exited:\n{web.text()[-3000:]}")
        try:
            return api(port, "GET", "/readyz")[0] == 200
        except OSError:
            return False

    wait_for(ready, 120, f"{name} to answer /readyz", every=0.5)
    return web


def start_worker(name: str, env: dict[str, str], tmp: Path) -> Process:
    worker = Process(name, [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
                     {**env, "TTS_THREADS": "1"}, tmp / f"{name}.log")

    def ready() -> bool:
        if not worker.alive():
            raise RuntimeError(f"{name} exited:\n{worker.text()[-3000:]}")
        return any("job worker" in line and "started" in line for line in worker.text().splitlines())

    wait_for(ready, 180, f"{name} to start", every=0.5)
    return worker


def log_problems(process: Process) -> list[str]:
    """ERROR/CRITICAL lines and tracebacks in a process's log (a killed worker's log included)."""
    lines = process.text().splitlines()
    return [f"{process.name}: {line}" for line in lines
            if re.search(r"\b(ERROR|CRITICAL)\b|Traceback|\[CRITICAL\]|WORKER TIMEOUT", line)]


class CpuMeter:
    """Who used the cores during a measurement: this run's processes (web servers, workers, this
    script with moto) or everything else on the machine (other test suites, PostgreSQL, Redis), in
    cores (CPU s per wall s). Every process's CPU time is sampled each second, so a killed worker
    counts up to its last sample."""

    def __init__(self, ours) -> None:
        self.ours = ours  # () -> set of pids that belong to this run
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop, self._started = threading.Event(), False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                pid = int(entry.name)
                cpu = cpu_seconds(pid)
                self.first.setdefault(pid, 0.0 if self._started else cpu)  # a process born during it: from 0
                self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def start(self) -> CpuMeter:
        self._sample()
        self._started = True
        self.t0, self.busy0 = time.perf_counter(), busy_seconds()
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._sample()
        wall = time.perf_counter() - self.t0
        busy = busy_seconds() - self.busy0
        ours = self.ours() | {os.getpid()}
        used = sum(self.last[p] - self.first[p] for p in self.last if p in ours)
        return {"wall": round(wall, 1), "ours": round(used / wall, 2), "others": round(max(0.0, busy - used) / wall, 2)}


# -- HTTP ----------------------------------------------------------------------------------------

#: Every 5xx answer seen, (port, method, path, status, body start).
SERVER_ERRORS: list[tuple] = []


def api(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
        timeout: float = 600) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    if response.status >= 500:
        SERVER_ERRORS.append((port, method, path, response.status, data[:300]))
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def api_json(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
             expect: int = 200) -> dict:
    status, _, data = api(port, method, path, body, token)
    if status != expect:
        raise RuntimeError(f"{method} {path} on :{port}: {status} {data[:500]!r}")
    return json.loads(data)


def register(port: int, email: str) -> str:
    return api_json(port, "POST", "/api/auth/register", {"email": email, "password": "bench password"},
                    expect=201)["access_token"]


# -- database ------------------------------------------------------------------------------------


class Db:
    """Direct SQL on the bench database: credits, the job's row, history rows."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url, pool_pre_ping=True)

    def rows(self, query: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            result = conn.execute(text(query), params)
            return list(result) if result.returns_rows else []

    def set_credits(self, email: str, credits: int) -> None:
        self.rows("UPDATE users SET credits = :c WHERE email = :e", c=credits, e=email)

    def credits(self, email: str) -> int | None:
        return self.rows("SELECT credits FROM users WHERE email = :e", e=email)[0].credits

    def job(self, job_id: int) -> Any:
        return self.rows("SELECT status, worker, parts_done, attempts, parts, characters, chars_done, "
                         "created_at, finished_at FROM jobs WHERE id = :i", i=job_id)[0]

    def generations(self, email: str) -> list[Any]:
        return self.rows("SELECT g.id, g.characters, g.status, g.source, g.duration FROM generations g "
                         "JOIN users u ON u.id = g.user_id WHERE u.email = :e ORDER BY g.id", e=email)

    def user_id(self, email: str) -> int:
        return self.rows("SELECT id FROM users WHERE email = :e", e=email)[0].id

    def close(self) -> None:
        self.engine.dispose()


class Accounts:
    """One fresh account per measurement, with CREDITS credits."""

    def __init__(self, port: int, db: Db) -> None:
        self.port, self.db, self.count = port, db, 0

    def new(self, kind: str) -> tuple[str, str]:
        self.count += 1
        email = f"{kind}{self.count}@example.com"
        token = register(self.port, email)
        self.db.set_credits(email, CREDITS)
        return email, token


# -- the measurements ----------------------------------------------------------------------------


def warm_up(port: int, master: int, token: str) -> None:
    """Short generations, two at a time, until every gunicorn worker of the server holds the model
    (RSS over 250 MB: a worker that never spoke is about half that)."""
    body = {"text": "A short sentence to load the model.", "voice": VOICE, "lang": LANG, "format": FORMAT}

    def loaded() -> bool:
        rss = []
        for pid in children(master):
            try:
                rss.append(vmrss_mb(pid))
            except OSError:
                pass
        return bool(rss) and min(rss) > 250

    for _ in range(12):
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda _: api(port, "POST", "/api/tts/generate", body, token)[0], range(2)))
        if any(s != 200 for s in statuses):
            raise RuntimeError(f"warm-up answers: {statuses}")
        if loaded():
            return
    print("  warning: could not see every gunicorn worker load the model", file=sys.stderr)


def time_generate(port: int, email: str, token: str, db: Db) -> dict:
    before = db.credits(email)
    t0 = time.perf_counter()
    status, headers, data = api(port, "POST", "/api/tts/generate",
                                {"text": TEXT, "voice": VOICE, "lang": LANG, "format": FORMAT}, token)
    wall = time.perf_counter() - t0
    if status != 200:
        raise RuntimeError(f"generate: {status} {data[:500]!r}")
    charged = int(headers["x-characters-charged"])
    return {"wall": wall, "audio_duration": float(headers["x-audio-duration"]), "charged": charged,
            "credits_delta": before - db.credits(email), "bytes": len(data), "text_chars": len(TEXT),
            "charged_once": before - db.credits(email) == charged}


class Watch:
    """What the job's row shows over time: who holds it, when each part was recorded; and the
    kill, if asked for (`kill_after` x the first part's time, after parts_done >= 1)."""

    def __init__(self, workers: dict[int, Process], kill_after: float | None) -> None:
        self.workers, self.kill_after = workers, kill_after
        self.holders: list[str] = []
        self.claimed: float | None = None  # s after submit
        self.reclaimed: float | None = None
        self.parts: list[float] = []  # when each part was recorded (s after submit)
        self.killed: dict | None = None
        self.kill_at: float | None = None

    def see(self, row: Any, now: float) -> None:
        if row.worker and (not self.holders or self.holders[-1] != row.worker):  # claimed, or taken over
            self.holders.append(row.worker)
            if self.claimed is None:
                self.claimed = now
            elif self.reclaimed is None:
                self.reclaimed = now
        while len(self.parts) < row.parts_done:
            self.parts.append(now)
        if self.kill_after is None or self.killed is not None or not self.parts or row.status != "running":
            return
        if self.kill_at is None:
            self.kill_at = self.parts[0] + self.kill_after * (self.parts[0] - (self.claimed or 0.0))
        if now >= self.kill_at:
            self.killed = self.kill(row, now)

    def kill(self, row: Any, now: float) -> dict:
        """SIGKILL the worker named in the row (host:pid:queue)."""
        pid = int(row.worker.split(":")[1])
        if pid not in self.workers:
            raise RuntimeError(f"the job is held by {row.worker}, not by one of {list(self.workers)}")
        self.workers[pid].kill()
        return {"at_s": now, "pid": pid, "worker": self.workers[pid].name, "parts_done_at_kill": row.parts_done,
                "status_at_kill": row.status, "speech_thrown_away_s": now - self.parts[-1]}


def follow_job(ports: tuple[int, int], email: str, token: str, db: Db, workers: dict[int, Process],
               kill_after: float | None) -> dict:
    """Submit on server 1, follow on server 2 (every 0.25 s) and in the row (every 0.1 s) until
    done; kill the holder when `kill_after` is a number."""
    one, two = ports
    before = db.credits(email)
    t0 = time.perf_counter()
    job = api_json(one, "POST", "/api/tts/jobs", {"text": TEXT, "voice": VOICE, "lang": LANG, "format": FORMAT},
                   token, expect=202)
    out: dict[str, Any] = {"id": job["id"], "characters": job["characters"],
                           "submit_answer_s": time.perf_counter() - t0,
                           "credits_after_submit": before - db.credits(email)}
    watch = Watch(workers, kill_after)
    last_get, body = 0.0, {}
    while body.get("status") != "done":
        now = time.perf_counter() - t0
        if now > 1800:
            raise RuntimeError(f"job {job['id']} not done after 30 minutes: {body}")
        watch.see(db.job(job["id"]), now)
        if now - last_get >= 0.25:
            last_get = now
            body = api_json(two, "GET", f"/api/tts/jobs/{job['id']}", token=token)
            if body["status"] in ("failed", "cancelled"):
                raise RuntimeError(f"job {job['id']} ended {body['status']}: {body}")
            continue
        time.sleep(0.1)
    out["wall"] = time.perf_counter() - t0
    if kill_after is not None and watch.killed is None:
        raise RuntimeError(f"job {job['id']} was done before the kill (parts recorded at {watch.parts})")
    row = db.job(job["id"])
    out.update(done=body, holders=watch.holders, attempts=row.attempts, final_worker=row.worker,
               parts=len(row.parts), parts_done=row.parts_done, parts_recorded=watch.parts, killed=watch.killed,
               claimed_s=watch.claimed, reclaimed_s=watch.reclaimed,
               server_seconds=(row.finished_at - row.created_at).total_seconds(),
               credits_delta=before - db.credits(email))
    out["queue_wait"] = watch.claimed
    out["speaking"] = watch.parts[-1] - watch.claimed
    out["joining"] = out["wall"] - watch.parts[-1]
    return out


def check_job(ports: tuple[int, int], email: str, token: str, db: Db, job: dict, killed: bool) -> dict:
    """Nothing lost, nothing charged twice: every check, True or False (with what was seen)."""
    import boto3
    import soundfile as sf

    one, two = ports
    done = job["done"]
    gen = done["generation_id"]
    checks: dict[str, Any] = {}
    seen: dict[str, Any] = {}
    checks["done, characters_done == characters"] = (done["status"] == "done" and done["progress"] == 1
                                                     and done["characters_done"] == job["characters"])
    checks["credits charged == job characters, once"] = job["credits_delta"] == job["characters"] == \
        job["credits_after_submit"]
    history = db.generations(email)
    seen["history_rows"] = [tuple(r) for r in history]
    checks["one history row, done, its characters == job's"] = (
        len(history) == 1 and history[0].id == gen and history[0].status == "done"
        and history[0].characters == job["characters"] and history[0].source == "job")
    item = api_json(two, "GET", f"/api/tts/history/{gen}", token=token)
    checks["history item characters == job characters"] = item["characters"] == job["characters"]
    s2, _, audio = api(two, "GET", f"/api/tts/history/{gen}/audio", token=token)
    s1, _, audio1 = api(one, "GET", f"/api/tts/history/{gen}/audio", token=token)
    try:
        samples, rate = sf.read(io.BytesIO(audio))
        seconds = len(samples) / rate
    except Exception as exc:  # a check that fails, not a crash
        seconds = None
        seen["decode_error"] = repr(exc)
    seen.update(audio_seconds=seconds, item_duration=item["duration"], audio_bytes=len(audio))
    checks["audio decodes, length within 0.2 s of the item's"] = (
        s2 == 200 and seconds is not None and abs(seconds - item["duration"]) < 0.2)
    checks["same audio bytes from both servers"] = s1 == s2 == 200 and audio == audio1
    words = api_json(two, "GET", f"/api/tts/history/{gen}/captions", token=token)["words"]
    spoken = " ".join(w["word"] for w in words)
    seen["caption_words"] = len(words)
    checks["caption words == the text's words, in order"] = spoken == WORDS
    if spoken != WORDS:
        seen["first_caption_difference"] = first_difference(spoken.split(), WORDS.split())
    checks["captions end within the audio"] = bool(words) and seconds is not None and words[-1]["end"] <= seconds + 0.05
    user = db.user_id(email)
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{user}/").get("Contents", [])
    keys = sorted(o["Key"][len(PREFIX) + 1:] for o in listed)
    seen["stored"] = keys
    checks["store: final object only, no parts left"] = keys == [f"{user}/job-{job['id']}.{FORMAT}"]
    if killed:
        holder = job["killed"]["pid"]
        checks["attempts == 2, finished by the other worker"] = (
            job["attempts"] == 2 and int(job["final_worker"].split(":")[1]) != holder)
        checks["every part counted"] = job["parts_done"] == job["parts"]
        checks["killed while running, mid-job"] = (job["killed"]["status_at_kill"] == "running"
                                                   and 1 <= job["killed"]["parts_done_at_kill"] < job["parts"])
    return {"checks": checks, "seen": seen}


def first_difference(a: list[str], b: list[str]) -> dict:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return {"index": i, "captions": a[max(0, i - 3):i + 4], "text": b[max(0, i - 3):i + 4]}
    return {"index": min(len(a), len(b)), "captions_len": len(a), "text_len": len(b)}


# -- the run -------------------------------------------------------------------------------------


def wait_idle(db: Db, timeout: float = 600) -> None:
    """No job queued or running (a previous job's worker may still be joining)."""
    wait_for(lambda: not db.rows("SELECT id FROM jobs WHERE status IN ('queued', 'running')"), timeout,
             "the jobs to finish", every=0.5)


def service_env(url: str, tmp: Path, endpoint: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "GUNICORN_", "JOB_", "AWS_")) and k not in (
        "WEB_CONCURRENCY", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DEFAULT_CREDITS", "DATABASE_URL",
        "PROMETHEUS_MULTIPROC_DIR", "GENERATE_RATE_LIMIT", "AUDIO_STORAGE_URL")}
    env.update(
        DATABASE_URL=url, SECRET_KEY=secrets.token_urlsafe(32), APP_ENV="production", INSTANCE_PATH=str(tmp),
        PUBLIC_URL="http://127.0.0.1",
        REDIS_URL=args.redis, AUDIO_STORAGE_URL=f"s3://{BUCKET}/{PREFIX}", AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
        JOB_HEARTBEAT_TIMEOUT=str(args.heartbeat), JOB_PART_CHARS="1000",
    )
    return env


def run(args: argparse.Namespace) -> dict:
    import boto3
    import redis
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("TEST_DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["TEST_DATABASE_URL"]:
        del os.environ["TEST_DATABASE_URL"]
    from tests.support.pg import temporary_database

    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_start": load(), "cores": os.cpu_count(),
        "text_chars": len(TEXT), "text_words": len(WORDS.split()), "heartbeat": args.heartbeat,
        "kill_after": args.kill_after, "repeat": args.repeat, "generate": [], "plain": [],
    }
    print(f"load average at start: {result['load_start']} ({os.cpu_count()} cores); text {len(TEXT)} characters",
          file=sys.stderr)
    redis.Redis.from_url(args.redis).flushdb()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                      AWS_DEFAULT_REGION="us-east-1")
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    processes: list[Process] = []
    db = None
    try:
        with temporary_database("kokoro_jobsbench") as url, tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            env = service_env(url, tmp, endpoint, args)
            result["gunicorn"] = gunicorn_settings(env)
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
            db = Db(url)
            try:
                ports = (free_port(), free_port())
                print("starting 2 web servers and 2 workers", file=sys.stderr)
                webs = [start_web(f"web{i + 1}", port, env, tmp) for i, port in enumerate(ports)]
                processes += webs
                workers = {}
                for i in range(2):
                    w = start_worker(f"worker{i + 1}", env, tmp)
                    processes.append(w)
                    workers[w.pid] = w
                result["web_workers_seen"] = [len(children(w.pid)) for w in webs]
                def ours() -> set[int]:
                    return {p.pid for p in processes} | {c for w in webs for c in children(w.pid)}

                accounts = Accounts(ports[0], db)
                _, token = accounts.new("warm")
                warm_up(ports[0], webs[0].pid, token)

                for i in range(args.repeat):
                    print(f"round {i + 1}/{args.repeat}: generate", file=sys.stderr)
                    wait_idle(db)
                    email, token = accounts.new("generate")
                    cpu = CpuMeter(ours).start()
                    result["generate"].append(time_generate(ports[0], email, token, db))
                    result["generate"][-1]["cpu"] = cpu.stop()
                    print(f"  {result['generate'][-1]['wall']:.1f} s; job without kill", file=sys.stderr)
                    email, token = accounts.new("plain")
                    cpu = CpuMeter(ours).start()
                    job = follow_job(ports, email, token, db, workers, None)
                    job["cpu"] = cpu.stop()
                    job.update(check_job(ports, email, token, db, job, killed=False))
                    result["plain"].append(job)
                    print(f"  {job['wall']:.1f} s", file=sys.stderr)

                print("job with kill", file=sys.stderr)
                wait_idle(db)
                email, token = accounts.new("killed")
                cpu = CpuMeter(ours).start()
                job = follow_job(ports, email, token, db, workers, args.kill_after)
                job["cpu"] = cpu.stop()
                job.update(check_job(ports, email, token, db, job, killed=True))
                result["killed"] = job
                print(f"  {job['wall']:.1f} s, killed {job['killed']}", file=sys.stderr)
            finally:
                for p in reversed(processes):
                    p.stop()
                result["log_problems"] = [line for p in processes for line in log_problems(p)][:40]
                result["server_errors"] = [list(map(str, e)) for e in SERVER_ERRORS]
                if db is not None:
                    db.close()
    finally:
        moto.stop()
        redis.Redis.from_url(args.redis).flushdb()
    result["load_end"] = load()
    return result


# -- the report ----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(r: dict) -> str:
    g = r["gunicorn"]
    gen = median([x["wall"] for x in r["generate"]])
    plain = median([x["wall"] for x in r["plain"]])
    k = r["killed"]
    kd = k["killed"]
    checks = {f"plain {i + 1}: {name}": ok for i, job in enumerate(r["plain"]) for name, ok in job["checks"].items()}
    checks.update({f"killed: {name}": ok for name, ok in k["checks"].items()})
    checks["generate: credits charged == X-Characters-Charged"] = all(x["charged_once"] for x in r["generate"])
    checks["no 5xx answer"] = not r["server_errors"]
    passed = sum(bool(v) for v in checks.values())

    def each(values: list[float]) -> str:
        return "" if len(values) < 2 else " (" + ", ".join(f"{v:.1f}" for v in values) + ")"

    def phases(job: dict) -> str:
        return (f"queue {job['queue_wait']:.1f} + speaking {job['speaking']:.1f} + joining "
                f"{job['joining']:.1f}")

    retaken = "-" if k["reclaimed_s"] is None else f"{k['reclaimed_s'] - kd['at_s']:.1f}"
    rest = "-" if k["reclaimed_s"] is None else \
        f"{k['wall'] - plain - kd['speech_thrown_away_s'] - (k['reclaimed_s'] - kd['at_s']):.1f}"
    plain_parts = part_times(r["plain"][-1])
    killed_parts = part_times(k)
    out = [
        f"## Long-form job through a worker kill vs /api/tts/generate ({r['started']})\n",
        f"Text: {r['text_chars']} characters, {r['text_words']} words, 5 paragraphs; jf_alpha, en-us, mp3. "
        f"Job parts: {k['parts']} (JOB_PART_CHARS 1000). Two gunicorn servers, each {g['workers']} workers x "
        f"{g['threads']} threads, TTS_THREADS={g['TTS_THREADS']} (gunicorn.conf.py's own choice with REDIS_URL on "
        f"{g['cores']} cores); two job workers, TTS_THREADS=1 each; PostgreSQL, Redis db and moto S3 shared. "
        f"Load average {r['load_start']} at start, {r['load_end']} at end; repeat {r['repeat']} (median).\n",
        "| measure | value |",
        "| --- | --- |",
        f"| generate, `POST /api/tts/generate` on server 1 (s) | {gen:.1f}{each([x['wall'] for x in r['generate']])} |",
        f"| job without kill, submit on 1 -> done seen on 2 (s) | {plain:.1f}{each([x['wall'] for x in r['plain']])} |",
        f"| ratio job without kill / generate | {plain / gen:.2f} |",
        f"| of which (job without kill, last run) | {phases(r['plain'][-1])} |",
        f"| job with kill (s) | {k['wall']:.1f} |",
        f"| ratio job with kill / generate | {k['wall'] / gen:.2f} |",
        f"| cost of the kill: with kill - without (s) | {k['wall'] - plain:.1f} = speaking thrown away "
        f"{kd['speech_thrown_away_s']:.1f} + kill to takeover {retaken} + the rest {rest} |",
        f"| killed at (s after submit) | {kd['at_s']:.1f} ({kd['worker']}, pid {kd['pid']}; parts done "
        f"{kd['parts_done_at_kill']} of {k['parts']}) |",
        f"| heartbeat timeout used (JOB_HEARTBEAT_TIMEOUT, s) | {r['heartbeat']:g} |",
        f"| taken over by the other worker (s after kill) | {retaken} |",
        f"| parts lost / re-spoken | 1 (the part in progress: {kd['speech_thrown_away_s']:.1f} s of speaking "
        f"thrown away; kill at {r['kill_after']:g} x the first part's time after it) |",
        f"| attempts (killed job) | {k['attempts']} |",
        f"| time per part, job without kill (s) | {plain_parts} |",
        f"| time per part, job with kill (s; the part re-spoken after the takeover first) | {killed_parts} |",
        f"| cores used by other processes on the machine (generate; job; job with kill) | "
        f"{median([x['cpu']['others'] for x in r['generate']]):.2f}; "
        f"{median([x['cpu']['others'] for x in r['plain']]):.2f}; {k['cpu']['others']:.2f} |",
        f"| characters charged (generate; jobs) | {r['generate'][0]['charged']}; "
        f"{', '.join(str(j['credits_delta']) for j in [*r['plain'], k])} (job characters {k['characters']}) |",
        f"| audio seconds (generate; job, with {k['parts'] - 1} pauses between parts, the engine's own) | "
        f"{r['generate'][0]['audio_duration']:.1f}; {k['seen']['item_duration']:.1f} |",
        f"| checks passed | {passed} / {len(checks)} |",
    ]
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        out += ["", "Failed checks:", *[f"- {name}" for name in failed]]
    if r["server_errors"]:
        out += ["", "5xx answers:", *[f"- {e}" for e in r["server_errors"]]]
    if r["log_problems"]:
        out += ["", "Errors in the logs (first 40):", *[f"- {line}" for line in r["log_problems"]]]
    return "\n".join(out)


def part_times(job: dict) -> str:
    """Seconds between parts recorded (the first from the claim; after a kill, from the takeover)."""
    marks = [job["claimed_s"], *job["parts_recorded"]]
    if job["killed"]:
        lost = job["killed"]["parts_done_at_kill"]
        marks = [*marks[:lost + 1], job["reclaimed_s"], *marks[lost + 1:]]
        times = [b - a for a, b in zip(marks, marks[1:], strict=False)]
        del times[lost]  # the kill -> takeover wait is not a part
    else:
        times = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    return ", ".join(f"{t:.1f}" for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved generate / plain-job runs (median)")
    parser.add_argument("--heartbeat", type=float, default=10.0, help="JOB_HEARTBEAT_TIMEOUT for every process (s)")
    parser.add_argument("--kill-after", type=float, default=0.5,
                        help="after parts_done >= 1, wait this x the first part's time, then kill (0: at once)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="Redis database (flushed)")
    parser.add_argument("--json", help="where to write the numbers (default bench/results/jobs-<time>.json)")
    args = parser.parse_args()
    # Stopped from outside, still stop the servers and workers and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    t0 = time.perf_counter()
    result = run(args)
    result["run_seconds"] = time.perf_counter() - t0
    path = Path(args.json) if args.json else ROOT / "bench" / "results" / f"jobs-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, default=str))
    print(table(result))
    print(f"\nNumbers in {path} ({result['run_seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
