"""Benchmark the HTTP API: what the service adds on top of the engine.

    python bench/api_bench.py [--repeat 3] [--seconds 10] [--clients 8]

Starts gunicorn (gunicorn.conf.py, production settings) on a throw-away PostgreSQL
database (`BENCH_DATABASE_URL`, default the local test server) and measures:

1. the HTTP overhead of a generation: `POST /api/tts/generate` (auth, credits,
   history row, audio file, response) against `Engine.synthesize` + `encode` alone,
   same text, voice and format, in the same run;
2. a streamed long text (~5,000 characters): time to the first audio byte against
   the time to the last;
3. requests per second for `GET /api/auth/me` with N keep-alive clients.

Everything runs on this machine (127.0.0.1); every loop is bounded. Prints a table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine_bench import LONG, MEDIUM, SHORT  # noqa: E402

from tests.support.pg import temporary_database  # noqa: E402

PORT = 8799
VOICE, LANG, FORMAT = "jf_alpha", "en-us", "wav"


class Client:
    """One keep-alive HTTP connection to the server under test."""

    def __init__(self, token: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=data, headers=self.headers)
            response = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # gunicorn closes a keep-alive connection idle for 5 s: reconnect once.
            self.conn.close()
            self.conn.request(method, path, body=data, headers=self.headers)
            response = self.conn.getresponse()
        return response.status, response.read()

    def first_and_last_byte(self, path: str, body: dict) -> tuple[float, float, int]:
        start = time.perf_counter()
        self.conn.request("POST", path, body=json.dumps(body), headers=self.headers)
        response = self.conn.getresponse()
        assert response.status == 200, response.read()
        first = None
        size = 0
        while True:
            data = response.read1(65536)
            if not data:
                break
            if first is None and size + len(data) > 44:  # past the WAV header: audio
                first = time.perf_counter() - start
            size += len(data)
        return first or 0.0, time.perf_counter() - start, size


def wait_ready(deadline: float) -> None:
    while time.time() < deadline:
        try:
            if Client().call("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def overhead(client: Client, text: str, repeat: int) -> tuple[float, float]:
    """Median seconds of (engine alone, HTTP generation) for `text`, runs interleaved so
    that the machine's drift hits both alike."""
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=int(os.environ.get("TTS_THREADS", "2"))))
    engine.synthesize(engine.validate("Warm up.", VOICE, 1.0, LANG))
    order = {"text": text, "voice": VOICE, "lang": LANG, "format": FORMAT}
    alone, http = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        engine.encode(engine.synthesize(engine.validate(text, VOICE, 1.0, LANG)).audio, FORMAT)
        alone.append(time.perf_counter() - start)
        start = time.perf_counter()
        status, _ = client.call("POST", "/api/tts/generate", order)
        http.append(time.perf_counter() - start)
        assert status == 200
    return statistics.median(alone), statistics.median(http)


def requests_per_second(token: str, seconds: float, clients: int) -> tuple[float, float]:
    counts = [0] * clients
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        client = Client(token)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            status, _ = client.call("GET", "/api/auth/me")
            assert status == 200
            latencies.append(time.perf_counter() - t)
            counts[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per text for the overhead")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    # Stopped from outside, still stop gunicorn and drop the database (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    os.environ.setdefault("TEST_DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["TEST_DATABASE_URL"]:
        del os.environ["TEST_DATABASE_URL"]
    with temporary_database("kokoro_bench") as url, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "APP_ENV": "production",
            "PORT": str(PORT),
            "PUBLIC_URL": f"http://127.0.0.1:{PORT}",
            "INSTANCE_PATH": tmp,
            "TTS_THREADS": os.environ.get("TTS_THREADS", "2"),
            "GENERATE_RATE_LIMIT": "100000 per minute",
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "REGISTER_RATE_LIMIT": "100000 per minute",
            "TTS_MAX_CHARS": str(max(5000, len(LONG))),
            "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        }
        python = sys.executable
        subprocess.run(
            [python, "-m", "flask", "--app", "wsgi", "init-db"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(time.time() + 60)
            status, body = Client().call(
                "POST", "/api/auth/register", {"email": "bench@example.com", "password": "bench password"}
            )
            token = json.loads(body)["access_token"]
            client = Client(token)
            order = {"text": SHORT, "voice": VOICE, "lang": LANG, "format": FORMAT}
            for _ in range(4):  # warm both workers' engines
                assert client.call("POST", "/api/tts/generate", order)[0] == 200
            texts = (("short", SHORT), ("medium", MEDIUM))
            results = {name: overhead(client, text, args.repeat) for name, text in texts}
            first, last, _ = client.first_and_last_byte("/api/tts/generate", {**order, "text": LONG, "stream": True})

            rps, latency = requests_per_second(token, args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"\nShort text ({len(SHORT)} chars), medium ({len(MEDIUM)}), long ({len(LONG)}); "
        f"overhead: median of {args.repeat} interleaved runs; "
        f"gunicorn {env['WEB_CONCURRENCY']} workers, TTS_THREADS={env['TTS_THREADS']}, {os.cpu_count()} cores\n"
    )
    print("| measure | value |")
    print("|---|---|")
    for name, (alone, served) in results.items():
        print(f"| {name} text: engine alone (synthesize + encode) | {alone:.3f} s |")
        print(f"| {name} text: POST /api/tts/generate | {served:.3f} s |")
        print(f"| {name} text: HTTP overhead | {served - alone:+.3f} s ({(served / alone - 1) * 100:+.1f}%) |")
    print(f"| streamed long text: first audio byte | {first:.2f} s |")
    print(f"| streamed long text: last byte | {last:.2f} s |")
    print(
        f"| GET /api/auth/me, {args.clients} clients, {args.seconds:.0f} s | {rps:.0f} req/s "
        f"(median {latency:.1f} ms) |"
    )


if __name__ == "__main__":
    main()
