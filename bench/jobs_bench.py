"""Long-form jobs through a worker kill, against the same text through /api/tts/generate: bench/README.md."""

import io
import logging
import math
import os
import sys
import tempfile
import time

import boto3
import harness
import redis
import soundfile
from harness import LANG, VOICE, call, call_json, log, median
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, text

BUCKET, PREFIX = "kokoro-bench", "jobs-bench"
TEXT = (harness.ROOT / "bench" / "canal.txt").read_text().strip()  # five paragraphs
WORDS = " ".join(TEXT.split())
ORDER = {"text": TEXT, "voice": VOICE, "lang": LANG, "format": "mp3"}
JOB_ROW = "SELECT status, worker, parts_done, attempts, parts FROM jobs WHERE id = :i"


class Bench:
    """Two web servers and two job workers on one service; its database read directly; the cores used meanwhile."""

    def __init__(self, svc: harness.Service) -> None:
        self.engine = create_engine(svc.url, pool_pre_ping=True)
        log("starting 2 web servers and 2 workers")
        # each with a prometheus_client multiprocess folder of its own
        webs = [svc.gunicorn(n, PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(dir=svc.tmp)) for n in ("web1", "web2")]
        argv = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
        workers = [svc.start(f"worker{i}", argv, lambda w: any("job worker" in s and "started" in s for s in w.lines()),
                             180, TTS_THREADS="1") for i in (1, 2)]
        self.workers, self.ports = {w.pid: w for w in workers}, (webs[0].port, webs[1].port)
        self.cpu = harness.CpuMeter({"ours": lambda: {os.getpid(), *(p.pid for p in svc.processes),
                                                      *(c for w in webs for c in harness.children(w.pid))}}, "others")
        # warm-up: short generations, two at a time, until every worker holds the model (RSS > 250 MB, twice a new one)
        token, body = self.start("warm")[1], {**ORDER, "text": "A short sentence to load the model."}
        for _ in range(12):
            harness.together(lambda _: harness.generate(self.ports[0], token, body), range(2))
            if min((w["rss"] for w in harness.workers(webs[0].pid).values()), default=0) > 250:
                break
        else:
            log("  warning: could not see every gunicorn worker load the model")

    def rows(self, query: str, **params: object) -> list:
        with self.engine.begin() as conn:
            return list(conn.execute(text(query), params))

    def credits(self, user: int) -> int:
        return self.rows("SELECT credits FROM users WHERE id = :u", u=user)[0].credits

    def start(self, kind: str) -> tuple[int, str]:
        """Once no job is queued or running (a worker may still be joining): a new account, 100,000 credits; a lap."""
        harness.wait_for(lambda: not self.rows("SELECT id FROM jobs WHERE status IN ('queued', 'running')"), 600,
                         "the jobs to finish", every=0.5)
        email = f"{kind}{len(self.rows('SELECT id FROM users')) + 1}@example.com"
        token = harness.register(self.ports[0], email)
        user = self.rows("UPDATE users SET credits = 100000 WHERE email = :e RETURNING id", e=email)[0].id
        self.cpu.lap()
        return user, token

    def generate(self) -> dict:
        user, token = self.start("generate")
        before, r = self.credits(user), harness.generate(self.ports[0], token, ORDER)
        charged = int(r["headers"]["x-characters-charged"])
        return {"wall": r["total"], "audio_duration": float(r["headers"]["x-audio-duration"]), "charged": charged,
                "charged_once": before - self.credits(user) == charged, "cpu": self.cpu.lap()}

    def job(self, kind: str, kill_after: float | None = None) -> dict:
        """Submit on server 1, follow on server 2 (every 0.25 s) and in the row (every 0.1 s) until done; check."""
        user, token = self.start(kind)
        before, t0 = self.credits(user), time.perf_counter()
        job = call_json(self.ports[0], "POST", "/api/tts/jobs", ORDER, token, expect=202)
        after_submit = before - self.credits(user)
        # from the row: (worker, s after submit) at the claim and at a takeover; when each part was recorded (s)
        holders, parts, killed, last_get, body = [], [], None, 0.0, {}
        while body.get("status") != "done":
            now = time.perf_counter() - t0
            assert now < 1800 and body.get("status") not in ("failed", "cancelled"), f"job {job['id']}: {body}"
            row = self.rows(JOB_ROW, i=job["id"])[0]
            if row.worker and (not holders or holders[-1][0] != row.worker):
                holders.append((row.worker, now))
            parts += [now] * (row.parts_done - len(parts))
            if (kill_after is not None and killed is None and parts and row.status == "running"
                    and now >= parts[0] + kill_after * (parts[0] - holders[0][1])):
                pid = int(row.worker.split(":")[1])  # the row names its worker host:pid:queue
                self.workers[pid].kill()
                killed = {"at_s": now, "pid": pid, "worker": self.workers[pid].name,
                          "parts_done_at_kill": row.parts_done, "status_at_kill": row.status,
                          "speech_thrown_away_s": now - parts[-1]}
            if now - last_get >= 0.25:
                last_get, body = now, call_json(self.ports[1], "GET", f"/api/tts/jobs/{job['id']}", token=token)
            else:
                time.sleep(0.1)
        wall = time.perf_counter() - t0
        assert kill_after is None or killed, f"job {job['id']} was done before the kill (parts recorded at {parts})"
        row, (claimed, reclaimed) = self.rows(JOB_ROW, i=job["id"])[0], ([t for _, t in holders] + [None])[:2]
        return self.check(user, token, {
            "id": job["id"], "characters": job["characters"], "credits_after_submit": after_submit, "done": body,
            "wall": wall, "attempts": row.attempts, "final_worker": row.worker, "parts": len(row.parts),
            "parts_done": row.parts_done, "parts_recorded": parts, "killed": killed, "claimed_s": claimed,
            "reclaimed_s": reclaimed, "speaking": parts[-1] - claimed, "joining": wall - parts[-1],
            "credits_delta": before - self.credits(user), "cpu": self.cpu.lap()})

    def check(self, user: int, token: str, job: dict) -> dict:
        """The job's numbers with its checks (nothing lost, nothing charged twice), each True or False."""
        done, gen, chars = job["done"], job["done"]["generation_id"], job["characters"]
        history = self.rows("SELECT id, characters, status, source FROM generations WHERE user_id = :u", u=user)
        item = call_json(self.ports[1], "GET", f"/api/tts/history/{gen}", token=token)
        audio, audio1 = (call(p, "GET", f"/api/tts/history/{gen}/audio", token=token) for p in self.ports[::-1])
        try:
            samples, rate = soundfile.read(io.BytesIO(audio["data"]))
            seconds = len(samples) / rate
        except Exception:  # checks that fail, not a crash
            seconds = math.nan
        words = call_json(self.ports[1], "GET", f"/api/tts/history/{gen}/captions", token=token)["words"]
        stored = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{user}/").get("Contents", [])
        checks = {
            "done, characters_done == characters": done["status"] == "done" and done["progress"] == 1
            and done["characters_done"] == chars,
            "credits charged == job characters, once": job["credits_delta"] == chars == job["credits_after_submit"],
            "one history row, done, its characters == job's": history == [(gen, chars, "done", "job")],
            "history item characters == job characters": item["characters"] == chars,
            "audio decodes, length within 0.2 s of the item's": audio["status"] == 200
            and abs(seconds - item["duration"]) < 0.2,
            "same audio bytes from both servers": audio["status"] == audio1["status"] == 200
            and audio["data"] == audio1["data"],
            "caption words == the text's words, in order": " ".join(w["word"] for w in words) == WORDS,
            "captions end within the audio": bool(words) and words[-1]["end"] <= seconds + 0.05,
            "store: final object only, no parts left": [o["Key"] for o in stored]
            == [f"{PREFIX}/{user}/job-{job['id']}.mp3"],
        }
        if kd := job["killed"]:
            checks["attempts == 2, finished by the other worker"] = (
                job["attempts"] == 2 and int(job["final_worker"].split(":")[1]) != kd["pid"])
            checks["every part counted"] = job["parts_done"] == job["parts"]
            checks["killed while running, mid-job"] = (kd["status_at_kill"] == "running"
                                                       and 1 <= kd["parts_done_at_kill"] < job["parts"])
        seen = {"item_duration": item["duration"], "audio_seconds": seconds, "caption_words": len(words),
                "history_rows": [tuple(h) for h in history], "stored": [o["Key"] for o in stored]}  # for a failed check
        return {**job, "checks": checks, "seen": seen}


def table(r: dict) -> str:
    g, k, kd, last = r["gunicorn"], r["killed"], r["killed"]["killed"], r["plain"][-1]
    gens, plains = [x["wall"] for x in r["generate"]], [x["wall"] for x in r["plain"]]
    gen, plain, thrown, taken = median(gens), median(plains), kd["speech_thrown_away_s"], k["reclaimed_s"] - kd["at_s"]
    others = [median([x["cpu"]["others"] for x in r[kind]]) for kind in ("generate", "plain")] + [k["cpu"]["others"]]
    checks = {f"plain {i + 1}: {name}": ok for i, job in enumerate(r["plain"]) for name, ok in job["checks"].items()}
    checks.update({f"killed: {name}": ok for name, ok in k["checks"].items()})
    checks["generate: credits charged == X-Characters-Charged"] = all(x["charged_once"] for x in r["generate"])
    checks["no 5xx answer"] = not r["server_errors"]
    rows = [
        ("generate, `POST /api/tts/generate` on server 1 (s)", f"{gen:.1f}{each(gens)}"),
        ("job without kill, submit on 1 -> done seen on 2 (s)", f"{plain:.1f}{each(plains)}"),
        ("ratio job without kill / generate", f"{plain / gen:.2f}"),
        ("of which (job without kill, last run)",
         f"queue {last['claimed_s']:.1f} + speaking {last['speaking']:.1f} + joining {last['joining']:.1f}"),
        ("job with kill (s)", f"{k['wall']:.1f}"),
        ("ratio job with kill / generate", f"{k['wall'] / gen:.2f}"),
        ("cost of the kill: with kill - without (s)", f"{k['wall'] - plain:.1f} = speaking thrown away {thrown:.1f} "
         f"+ kill to takeover {taken:.1f} + the rest {k['wall'] - plain - thrown - taken:.1f}"),
        ("killed at (s after submit)", f"{kd['at_s']:.1f} ({kd['worker']}, pid {kd['pid']}; parts done "
                                       f"{kd['parts_done_at_kill']} of {k['parts']})"),
        ("heartbeat timeout used (JOB_HEARTBEAT_TIMEOUT, s)", f"{r['heartbeat']:g}"),
        ("taken over by the other worker (s after kill)", f"{taken:.1f}"),
        ("parts lost / re-spoken", f"1 (the part in progress: {thrown:.1f} s of speaking thrown away; "
                                   f"kill at {r['kill_after']:g} x the first part's time after it)"),
        ("attempts (killed job)", k["attempts"]),
        ("time per part, job without kill (s)", part_times(last)),
        ("time per part, job with kill (s; the part re-spoken after the takeover first)", part_times(k)),
        ("cores used by other processes on the machine (generate; job; job with kill)",
         "; ".join(f"{c:.2f}" for c in others)),
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


def each(values: list[float]) -> str:
    """Every run's figure, when there are several."""
    return "" if len(values) < 2 else " (" + ", ".join(f"{v:.1f}" for v in values) + ")"


def part_times(job: dict) -> str:
    """Seconds between parts recorded (the first from the claim; after a kill, from the takeover)."""
    lost = job["killed"]["parts_done_at_kill"] if job["killed"] else len(job["parts_recorded"])
    runs = [[job["claimed_s"], *job["parts_recorded"][:lost]], [job["reclaimed_s"], *job["parts_recorded"][lost:]]]
    return ", ".join(f"{b - a:.1f}" for marks in runs for a, b in zip(marks, marks[1:], strict=False))


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
    result = report.data
    redis.Redis.from_url(args.redis).flushdb()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    aws = {"AWS_ENDPOINT_URL": "http://{}:{}".format(*moto.get_host_and_port()), "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(aws)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    try:
        with harness.service("kokoro_jobsbench", REDIS_URL=args.redis, AUDIO_STORAGE_URL=f"s3://{BUCKET}/{PREFIX}",
                             JOB_HEARTBEAT_TIMEOUT=str(args.heartbeat), JOB_PART_CHARS="1000", **aws) as svc:
            result["gunicorn"] = svc.settings()
            bench = Bench(svc)
            for i in range(args.repeat):
                log(f"round {i + 1}/{args.repeat}: generate")
                result["generate"].append(bench.generate())
                log(f"  {result['generate'][-1]['wall']:.1f} s; job without kill")
                result["plain"].append(bench.job("plain"))
                log(f"  {result['plain'][-1]['wall']:.1f} s")
            log("job with kill")
            result["killed"] = bench.job("killed", args.kill_after)
            log(f"  {result['killed']['wall']:.1f} s, killed {result['killed']['killed']}")
            bench.engine.dispose()
        result.update(log_problems=svc.logs["log_errors"], server_errors=[list(map(str, e))
                                                                         for e in harness.SERVER_ERRORS])
    finally:
        moto.stop()
        redis.Redis.from_url(args.redis).flushdb()
    report.finish(table)


if __name__ == "__main__":
    main()
