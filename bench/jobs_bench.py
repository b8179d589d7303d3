"""Long-form jobs through a worker kill, against the same text through /api/tts/generate: bench/README.md."""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from typing import Any

import boto3
import harness
import redis
import soundfile
from harness import LANG, VOICE, call, call_json, log, median
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, text

FORMAT = "mp3"
BUCKET, PREFIX = "kokoro-bench", "jobs-bench"
CREDITS = 100_000
TEXT = (harness.ROOT / "bench" / "canal.txt").read_text().strip()  # five paragraphs
WORDS = " ".join(TEXT.split())
ORDER = {"text": TEXT, "voice": VOICE, "lang": LANG, "format": FORMAT}


class Db:
    """Direct SQL on the bench database: credits, the job's row, history rows."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_pre_ping=True)

    def rows(self, query: str, **params: Any) -> list[Any]:
        with self.engine.begin() as conn:
            result = conn.execute(text(query), params)
            return list(result) if result.returns_rows else []

    def credits(self, email: str) -> int | None:
        return self.rows("SELECT credits FROM users WHERE email = :e", e=email)[0].credits

    def job(self, job_id: int) -> Any:
        return self.rows("SELECT status, worker, parts_done, attempts, parts, characters, chars_done, "
                         "created_at, finished_at FROM jobs WHERE id = :i", i=job_id)[0]

    def new_account(self, port: int, kind: str) -> tuple[str, str]:
        """A fresh account for one measurement, with CREDITS credits: (email, token)."""
        email = f"{kind}{len(self.rows('SELECT id FROM users')) + 1}@example.com"
        token = harness.register(port, email)
        self.rows("UPDATE users SET credits = :c WHERE email = :e", c=CREDITS, e=email)
        return email, token


# -- the measurements ----------------------------------------------------------------------------


def warm_up(port: int, master: int, token: str) -> None:
    """Short generations, two at a time, until every worker holds the model (RSS > 250 MB, about twice a new one)."""
    body = {**ORDER, "text": "A short sentence to load the model."}
    for _ in range(12):
        harness.together(lambda _: harness.generate(port, token, body), range(2))
        rss = [w["rss"] for w in harness.workers(master).values()]
        if rss and min(rss) > 250:
            return
    log("  warning: could not see every gunicorn worker load the model")


def time_generate(port: int, email: str, token: str, db: Db) -> dict:
    before = db.credits(email)
    r = harness.generate(port, token, ORDER)
    charged, delta = int(r["headers"]["x-characters-charged"]), before - db.credits(email)
    return {"wall": r["total"], "audio_duration": float(r["headers"]["x-audio-duration"]), "charged": charged,
            "credits_delta": delta, "bytes": r["bytes"], "text_chars": len(TEXT), "charged_once": delta == charged}


class Watch:
    """Who holds the job and when each part was recorded, from its row; the kill, `kill_after` x the first part in."""

    def __init__(self, workers: dict[int, harness.Process], kill_after: float | None) -> None:
        self.workers, self.kill_after = workers, kill_after
        self.holders: list[str] = []
        self.claimed: float | None = None  # s after submit
        self.reclaimed: float | None = None
        self.parts: list[float] = []  # when each part was recorded (s after submit)
        self.killed: dict | None = None

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
        if now < self.parts[0] + self.kill_after * (self.parts[0] - (self.claimed or 0.0)):
            return
        pid = int(row.worker.split(":")[1])  # the row names its worker host:pid:queue
        if pid not in self.workers:
            raise RuntimeError(f"the job is held by {row.worker}, not by one of {list(self.workers)}")
        self.workers[pid].kill()
        self.killed = {"at_s": now, "pid": pid, "worker": self.workers[pid].name, "parts_done_at_kill": row.parts_done,
                       "status_at_kill": row.status, "speech_thrown_away_s": now - self.parts[-1]}


def follow_job(ports: tuple[int, int], email: str, token: str, db: Db, workers: dict[int, harness.Process],
               kill_after: float | None) -> dict:
    """Submit on server 1, follow on server 2 (every 0.25 s) and in the row (every 0.1 s) until done."""
    before = db.credits(email)
    t0 = time.perf_counter()
    job = call_json(ports[0], "POST", "/api/tts/jobs", ORDER, token, expect=202)
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
            body = call_json(ports[1], "GET", f"/api/tts/jobs/{job['id']}", token=token)
            if body["status"] in ("failed", "cancelled"):
                raise RuntimeError(f"job {job['id']} ended {body['status']}: {body}")
            continue
        time.sleep(0.1)
    out["wall"] = time.perf_counter() - t0
    if kill_after is not None and watch.killed is None:
        raise RuntimeError(f"job {job['id']} was done before the kill (parts recorded at {watch.parts})")
    row = db.job(job["id"])
    return {**out, "done": body, "holders": watch.holders, "attempts": row.attempts, "final_worker": row.worker,
            "parts": len(row.parts), "parts_done": row.parts_done, "parts_recorded": watch.parts,
            "killed": watch.killed, "claimed_s": watch.claimed, "reclaimed_s": watch.reclaimed,
            "server_seconds": (row.finished_at - row.created_at).total_seconds(),
            "credits_delta": before - db.credits(email), "queue_wait": watch.claimed,
            "speaking": watch.parts[-1] - watch.claimed, "joining": out["wall"] - watch.parts[-1]}


def check_job(ports: tuple[int, int], email: str, token: str, db: Db, job: dict) -> dict:
    """Nothing lost, nothing charged twice: every check, True or False (with what was seen)."""
    done, gen = job["done"], job["done"]["generation_id"]
    history = db.rows("SELECT g.id, g.characters, g.status, g.source, g.duration FROM generations g "
                      "JOIN users u ON u.id = g.user_id WHERE u.email = :e ORDER BY g.id", e=email)
    item = call_json(ports[1], "GET", f"/api/tts/history/{gen}", token=token)
    seen: dict[str, Any] = {"history_rows": [tuple(r) for r in history]}
    checks: dict[str, Any] = {
        "done, characters_done == characters": done["status"] == "done" and done["progress"] == 1
        and done["characters_done"] == job["characters"],
        "credits charged == job characters, once": job["credits_delta"] == job["characters"]
        == job["credits_after_submit"],
        "one history row, done, its characters == job's": len(history) == 1 and history[0].id == gen
        and history[0].status == "done" and history[0].characters == job["characters"] and history[0].source == "job",
        "history item characters == job characters": item["characters"] == job["characters"],
    }
    checks.update(check_audio(ports, token, gen, item["duration"], seen))
    user = db.rows("SELECT id FROM users WHERE email = :e", e=email)[0].id
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{user}/").get("Contents", [])
    seen["stored"] = sorted(o["Key"][len(PREFIX) + 1:] for o in listed)
    checks["store: final object only, no parts left"] = seen["stored"] == [f"{user}/job-{job['id']}.{FORMAT}"]
    if job["killed"]:
        checks["attempts == 2, finished by the other worker"] = (
            job["attempts"] == 2 and int(job["final_worker"].split(":")[1]) != job["killed"]["pid"])
        checks["every part counted"] = job["parts_done"] == job["parts"]
        checks["killed while running, mid-job"] = (job["killed"]["status_at_kill"] == "running"
                                                   and 1 <= job["killed"]["parts_done_at_kill"] < job["parts"])
    return {"checks": checks, "seen": seen}


def check_audio(ports: tuple[int, int], token: str, gen: int, duration: float, seen: dict) -> dict[str, bool]:
    """The audio from server 2 (the same bytes from server 1) and the captions, against the item."""
    audio, audio1 = (call(port, "GET", f"/api/tts/history/{gen}/audio", token=token) for port in reversed(ports))
    seconds = None
    try:
        samples, rate = soundfile.read(io.BytesIO(audio["data"]))
        seconds = len(samples) / rate
    except Exception as exc:  # a check that fails, not a crash
        seen["decode_error"] = repr(exc)
    words = call_json(ports[1], "GET", f"/api/tts/history/{gen}/captions", token=token)["words"]
    spoken = " ".join(w["word"] for w in words)
    seen.update(audio_seconds=seconds, item_duration=duration, audio_bytes=audio["bytes"], caption_words=len(words))
    if spoken != WORDS:
        a, b = spoken.split(), WORDS.split()
        i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        seen["first_caption_difference"] = {"index": i, "captions": a[max(0, i - 3):i + 4],
                                            "text": b[max(0, i - 3):i + 4]}
    return {
        "audio decodes, length within 0.2 s of the item's": audio["status"] == 200 and seconds is not None
        and abs(seconds - duration) < 0.2,
        "same audio bytes from both servers": audio["status"] == audio1["status"] == 200
        and audio["data"] == audio1["data"],
        "caption words == the text's words, in order": spoken == WORDS,
        "captions end within the audio": bool(words) and seconds is not None and words[-1]["end"] <= seconds + 0.05,
    }


# -- the run -------------------------------------------------------------------------------------


def measure(cpu: harness.CpuMeter, work, *args: Any) -> dict:
    """`work(*args)`, with the cores used meanwhile by this run's processes and by the others."""
    cpu.lap()
    return {**work(*args), "cpu": cpu.lap()}


def run(args, result: dict) -> None:
    redis.Redis.from_url(args.redis).flushdb()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    moto_port = harness.free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    aws = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}", "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(aws)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    try:
        with harness.service("kokoro_jobsbench", REDIS_URL=args.redis, AUDIO_STORAGE_URL=f"s3://{BUCKET}/{PREFIX}",
                             JOB_HEARTBEAT_TIMEOUT=str(args.heartbeat), JOB_PART_CHARS="1000", **aws) as svc:
            result["gunicorn"] = svc.settings()
            db = Db(svc.url)
            log("starting 2 web servers and 2 workers")
            webs = []
            for name in ("web1", "web2"):
                (svc.tmp / name).mkdir()  # prometheus_client's multiprocess folder, one per server
                webs.append(svc.gunicorn(name, PROMETHEUS_MULTIPROC_DIR=str(svc.tmp / name)))
            argv = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
            workers = {w.pid: w for w in (svc.start(f"worker{i}", argv, worker_started, 180, TTS_THREADS="1")
                                          for i in (1, 2))}
            result["web_workers_seen"] = [len(harness.children(w.pid)) for w in webs]
            ports = (webs[0].port, webs[1].port)
            cpu = harness.CpuMeter({"ours": lambda: {os.getpid(), *(p.pid for p in svc.processes),
                                                     *(c for w in webs for c in harness.children(w.pid))}}, "others")

            def job(kind: str, kill_after: float | None) -> dict:
                email, token = db.new_account(ports[0], kind)
                done = measure(cpu, follow_job, ports, email, token, db, workers, kill_after)
                return {**done, **check_job(ports, email, token, db, done)}

            warm_up(ports[0], webs[0].pid, db.new_account(ports[0], "warm")[1])
            for i in range(args.repeat):
                log(f"round {i + 1}/{args.repeat}: generate")
                idle(db)
                result["generate"].append(measure(cpu, time_generate, ports[0], *db.new_account(ports[0], "generate"),
                                                  db))
                log(f"  {result['generate'][-1]['wall']:.1f} s; job without kill")
                result["plain"].append(job("plain", None))
                log(f"  {result['plain'][-1]['wall']:.1f} s")
            log("job with kill")
            idle(db)
            result["killed"] = job("killed", args.kill_after)
            log(f"  {result['killed']['wall']:.1f} s, killed {result['killed']['killed']}")
            db.engine.dispose()
        result.update(log_problems=svc.logs["log_errors"], server_errors=[list(map(str, e))
                                                                         for e in harness.SERVER_ERRORS])
    finally:
        moto.stop()
        redis.Redis.from_url(args.redis).flushdb()


def worker_started(worker: harness.Process) -> bool:
    return any("job worker" in line and "started" in line for line in worker.lines())


def idle(db: Db, timeout: float = 600) -> None:
    """No job queued or running (a previous job's worker may still be joining)."""
    harness.wait_for(lambda: not db.rows("SELECT id FROM jobs WHERE status IN ('queued', 'running')"), timeout,
                     "the jobs to finish", every=0.5)


# -- the report ----------------------------------------------------------------------------------


def table(r: dict) -> str:
    g, k, kd = r["gunicorn"], r["killed"], r["killed"]["killed"]
    gen, plain = median([x["wall"] for x in r["generate"]]), median([x["wall"] for x in r["plain"]])
    checks = {f"plain {i + 1}: {name}": ok for i, job in enumerate(r["plain"]) for name, ok in job["checks"].items()}
    checks.update({f"killed: {name}": ok for name, ok in k["checks"].items()})
    checks["generate: credits charged == X-Characters-Charged"] = all(x["charged_once"] for x in r["generate"])
    checks["no 5xx answer"] = not r["server_errors"]

    def each(values: list[float]) -> str:
        return "" if len(values) < 2 else " (" + ", ".join(f"{v:.1f}" for v in values) + ")"

    last = r["plain"][-1]
    retaken = "-" if k["reclaimed_s"] is None else f"{k['reclaimed_s'] - kd['at_s']:.1f}"
    rest = "-" if k["reclaimed_s"] is None else \
        f"{k['wall'] - plain - kd['speech_thrown_away_s'] - (k['reclaimed_s'] - kd['at_s']):.1f}"
    rows = [
        ("generate, `POST /api/tts/generate` on server 1 (s)", f"{gen:.1f}{each([x['wall'] for x in r['generate']])}"),
        ("job without kill, submit on 1 -> done seen on 2 (s)", f"{plain:.1f}{each([x['wall'] for x in r['plain']])}"),
        ("ratio job without kill / generate", f"{plain / gen:.2f}"),
        ("of which (job without kill, last run)", f"queue {last['queue_wait']:.1f} + speaking {last['speaking']:.1f} "
                                                  f"+ joining {last['joining']:.1f}"),
        ("job with kill (s)", f"{k['wall']:.1f}"),
        ("ratio job with kill / generate", f"{k['wall'] / gen:.2f}"),
        ("cost of the kill: with kill - without (s)", f"{k['wall'] - plain:.1f} = speaking thrown away "
                                                      f"{kd['speech_thrown_away_s']:.1f} + kill to takeover {retaken} "
                                                      f"+ the rest {rest}"),
        ("killed at (s after submit)", f"{kd['at_s']:.1f} ({kd['worker']}, pid {kd['pid']}; parts done "
                                       f"{kd['parts_done_at_kill']} of {k['parts']})"),
        ("heartbeat timeout used (JOB_HEARTBEAT_TIMEOUT, s)", f"{r['heartbeat']:g}"),
        ("taken over by the other worker (s after kill)", retaken),
        ("parts lost / re-spoken", f"1 (the part in progress: {kd['speech_thrown_away_s']:.1f} s of speaking thrown "
                                   f"away; kill at {r['kill_after']:g} x the first part's time after it)"),
        ("attempts (killed job)", k["attempts"]),
        ("time per part, job without kill (s)", part_times(last)),
        ("time per part, job with kill (s; the part re-spoken after the takeover first)", part_times(k)),
        ("cores used by other processes on the machine (generate; job; job with kill)",
         f"{median([x['cpu']['others'] for x in r['generate']]):.2f}; "
         f"{median([x['cpu']['others'] for x in r['plain']]):.2f}; {k['cpu']['others']:.2f}"),
        ("characters charged (generate; jobs)", f"{r['generate'][0]['charged']}; "
         f"{', '.join(str(j['credits_delta']) for j in [*r['plain'], k])} (job characters {k['characters']})"),
        (f"audio seconds (generate; job, with {k['parts'] - 1} pauses between parts, the engine's own)",
         f"{r['generate'][0]['audio_duration']:.1f}; {k['seen']['item_duration']:.1f}"),
        ("checks passed", f"{sum(bool(v) for v in checks.values())} / {len(checks)}"),
    ]
    out = [f"## Long-form job through a worker kill vs /api/tts/generate ({r['started']})\n",
           f"Text: {r['text_chars']} characters, {r['text_words']} words, 5 paragraphs; jf_alpha, en-us, mp3. "
           f"Job parts: {k['parts']} (JOB_PART_CHARS 1000). Two gunicorn servers, each {g['workers']} workers x "
           f"{g['threads']} threads, TTS_THREADS={g['TTS_THREADS']} (gunicorn.conf.py's own choice with REDIS_URL on "
           f"{g['cores']} cores); two job workers, TTS_THREADS=1 each; PostgreSQL, Redis db and moto S3 shared. "
           f"Load average {r['load_start']} at start, {r['load_end']} at end; repeat {r['repeat']} (median).\n",
           *harness.table(["measure", "value"], rows)]
    for title, lines in (("Failed checks:", [name for name, ok in checks.items() if not ok]),
                         ("5xx answers:", r["server_errors"]), ("Errors in the logs (first 40):", r["log_problems"])):
        out += ["", title, *[f"- {line}" for line in lines]] if lines else []
    return "\n".join(out)


def part_times(job: dict) -> str:
    """Seconds between parts recorded (the first from the claim; after a kill, from the takeover)."""
    marks = [job["claimed_s"], *job["parts_recorded"]]
    if job["killed"]:
        lost = job["killed"]["parts_done_at_kill"]
        marks = [*marks[:lost + 1], job["reclaimed_s"], *marks[lost + 1:]]
    times = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    if job["killed"]:
        del times[job["killed"]["parts_done_at_kill"]]  # the kill -> takeover wait is not a part
    return ", ".join(f"{t:.1f}" for t in times)


def main() -> None:
    parser = harness.parser(__doc__, "jobs")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved generate / plain-job runs (median)")
    parser.add_argument("--heartbeat", type=float, default=10.0, help="JOB_HEARTBEAT_TIMEOUT for every process (s)")
    parser.add_argument("--kill-after", type=float, default=0.5,
                        help="after parts_done >= 1, wait this x the first part's time, then kill (0: at once)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="Redis database (flushed)")
    args = parser.parse_args()
    report = harness.Report("jobs", args.json, text_chars=len(TEXT), text_words=len(WORDS.split()), generate=[],
                            plain=[], heartbeat=args.heartbeat, kill_after=args.kill_after, repeat=args.repeat)
    run(args, report.data)
    report.finish(table)


if __name__ == "__main__":
    main()
