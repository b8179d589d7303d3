"""Benchmark the HTTP API: what the service adds on top of the engine (bench/README.md).

    python bench/api_bench.py [--repeat 5] [--seconds 10] [--clients 8]

gunicorn (gunicorn.conf.py, production settings, WEB_CONCURRENCY and TTS_THREADS from the shell,
default 2 each) on a throw-away PostgreSQL database: the HTTP overhead of `POST /api/tts/generate`
against `Engine.synthesize` + `encode` alone (interleaved, median); a streamed ~5,000-character text,
first audio byte against last byte; requests per second of `GET /api/auth/me` with N keep-alive clients.
"""

from __future__ import annotations

import os
import threading
import time

import harness
from harness import LANG, LONG, MEDIUM, SHORT, VOICE, median

FORMAT = "wav"
WORKERS, TTS_THREADS = os.environ.get("WEB_CONCURRENCY", "2"), os.environ.get("TTS_THREADS", "2")


def overhead(client: harness.Client, text: str, repeat: int) -> tuple[float, float]:
    """Median seconds of (engine alone, HTTP generation) for `text`."""
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=int(TTS_THREADS)))
    engine.synthesize(engine.validate("Warm up.", VOICE, 1.0, LANG))

    def alone() -> float:
        start = time.perf_counter()
        engine.encode(engine.synthesize(engine.validate(text, VOICE, 1.0, LANG)).audio, FORMAT)
        return time.perf_counter() - start

    def served() -> float:
        answer = client.request("POST", "/api/tts/generate", {"text": text, "voice": VOICE, "lang": LANG,
                                                              "format": FORMAT})
        assert answer["status"] == 200, answer["data"][:300]
        return answer["total"]

    alone_runs, served_runs = harness.interleaved(repeat, alone, served)
    return median(alone_runs), median(served_runs)


def requests_per_second(port: int, token: str, seconds: float, clients: int) -> tuple[float, float]:
    counts = [0] * clients
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        client = harness.Client(port, token)
        while time.perf_counter() < stop:
            answer = client.request("GET", "/api/auth/me")
            assert answer["status"] == 200
            latencies.append(answer["total"])
            counts[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, median(latencies) * 1000


def measure(args) -> dict:
    limits = {f"{k}_RATE_LIMIT": "100000 per minute" for k in ("GENERATE", "LOGIN", "REGISTER")}
    with harness.service("kokoro_bench", TTS_THREADS=TTS_THREADS, WEB_CONCURRENCY=WORKERS,
                         TTS_MAX_CHARS=str(max(5000, len(LONG))), **limits) as svc:
        port = svc.gunicorn().port
        token = harness.register(port, "bench@example.com")
        client = harness.Client(port, token)
        order = {"text": SHORT, "voice": VOICE, "lang": LANG, "format": FORMAT}
        for _ in range(4):  # warm both workers' engines
            assert client.request("POST", "/api/tts/generate", order)["status"] == 200
        out = {name: overhead(client, text, args.repeat) for name, text in (("short", SHORT), ("medium", MEDIUM))}
        stream = client.request("POST", "/api/tts/generate", {**order, "text": LONG, "stream": True})
        assert stream["status"] == 200, stream["data"][:300]
        return {"overhead": out, "first": stream["first"], "last": stream["total"],
                "rps": requests_per_second(port, token, args.seconds, args.clients)}


def table(r: dict, args) -> str:
    rows = []
    for name, (alone, served) in r["overhead"].items():
        rows += [[f"{name} text: engine alone (synthesize + encode)", f"{alone:.3f} s"],
                 [f"{name} text: POST /api/tts/generate", f"{served:.3f} s"],
                 [f"{name} text: HTTP overhead", f"{served - alone:+.3f} s ({(served / alone - 1) * 100:+.1f}%)"]]
    rps, latency = r["rps"]
    rows += [["streamed long text: first audio byte", f"{r['first']:.2f} s"],
             ["streamed long text: last byte", f"{r['last']:.2f} s"],
             [f"GET /api/auth/me, {args.clients} clients, {args.seconds:.0f} s",
              f"{rps:.0f} req/s (median {latency:.1f} ms)"]]
    return "\n".join([f"\nShort text ({len(SHORT)} chars), medium ({len(MEDIUM)}), long ({len(LONG)}); overhead: "
                      f"median of {args.repeat} interleaved runs; gunicorn {WORKERS} workers, TTS_THREADS="
                      f"{TTS_THREADS}, {os.cpu_count()} cores\n", *harness.table(["measure", "value"], rows)])


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per text for the overhead")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    report = harness.Report("api", args.json, default_file=False)
    report.data.update(measure(args))
    report.finish(lambda r: table(r, args))


if __name__ == "__main__":
    main()
