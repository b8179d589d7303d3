"""Whether a live stream ever stops before its end: bench/README.md, "Live streams: stalls"."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import harness
from harness import LONGS, SENTENCE, log, median, verdict

PCM_BYTES_PER_SECOND = 24000 * 2  # s16le mono 24 kHz
RETRY_BUDGET = 300.0  # seconds a refused listener keeps asking, as Retry-After says


def listen(port: int, token: str, text: str, barrier: threading.Barrier | None = None) -> dict[str, Any]:
    """A virtual player: a streamed PCM generation played in real time from its first byte; stalls from the reads."""
    r = harness.generate(port, token, {"text": text, "stream": True, "format": "pcm"}, expect=None, barrier=barrier)
    out = {"status": r["status"], "place": r["headers"].get("x-queue-position"),
           "retry_after": r["headers"].get("retry-after"), "first": r["first"], "total": r["total"]}
    if r["status"] != 200 or r["first"] is None:
        return out
    clock, heard, stalls = r["first"], 0.0, []  # clock: when the audio heard so far runs out
    for t, size in r["reads"]:
        if t > clock + heard and heard:
            stalls.append(t - clock - heard)
            clock = t - heard
        heard = size / PCM_BYTES_PER_SECOND
    return {**out, "audio": heard, "stalls": len(stalls), "stalled": sum(stalls)}


def at_once(port: int, tokens: list[str], text: str) -> list[dict]:
    barrier = threading.Barrier(len(tokens))
    return harness.together(lambda token: listen(port, token, text, barrier), tokens)


def retrying(port: int, token: str, text: str, first: dict) -> dict:
    """A refused listener waits Retry-After and asks again, until served or for RETRY_BUDGET seconds."""
    waits, answer, deadline = [], first, time.perf_counter() + RETRY_BUDGET
    while answer["status"] != 200 and time.perf_counter() < deadline:
        waits.append(answer["retry_after"])
        time.sleep(float(answer["retry_after"] or 1))
        answer = listen(port, token, text)
    return {**answer, "tries": len(waits) + 1, "retry_afters": waits}


def scenarios(port: int, tokens: list[str], repeat: int, bare2: ProcessPoolExecutor) -> dict:
    text = LONGS[0]
    out: dict[str, Any] = {"text_chars": len(text)}
    out["lone"] = [listen(port, tokens[0], text) for _ in range(repeat)]
    log("  lone:", [s["stalled"] for s in out["lone"]])
    out["two"] = at_once(port, tokens[:2], text)
    log("  two:", [s["stalled"] for s in out["two"]])
    out["capacity_before_four"] = harness.metric(port, "kokoro_realtime_capacity")
    out["four_line"] = at_once(port, tokens[:4], text)
    log("  four with line:", [(s["place"], s.get("stalled")) for s in out["four_line"]])
    bare, probes = harness.interleaved(repeat, lambda: harness.bare_seconds(bare2, SENTENCE),
                                       lambda: listen(port, tokens[0], SENTENCE)["first"])
    out["first"] = {"service": probes, "bare": bare, "ratio": median(probes) / median(bare)}
    return out


def no_line(port: int, tokens: list[str]) -> dict:
    """Four at once with no line: the refused retry from their refusal, while the others play."""
    text, barrier = LONGS[0], threading.Barrier(len(tokens))

    def one(token: str) -> dict:
        first = listen(port, token, text, barrier)
        return first if first["status"] == 200 else {**retrying(port, token, text, first), "refused": first}

    results = harness.together(one, tokens)
    return {"first": [r.get("refused", r) for r in results], "retried": [r for r in results if "refused" in r],
            "capacity": harness.metric(port, "kokoro_realtime_capacity")}


def run(args, result: dict) -> None:
    bare2 = harness.spawned()
    loaded = bare2.submit(harness.bare_load, 2)
    try:
        with harness.service("kokoro_streambench", REGISTER_RATE_LIMIT="1000 per hour") as svc:
            result["bare_ready"] = loaded.result()
            web = svc.gunicorn()
            tokens = [harness.register(web.port, f"listener{i}@example.com") for i in range(4)]
            listen(web.port, tokens[0], SENTENCE)  # warm up
            result.update(scenarios(web.port, tokens, args.repeat, bare2))
            web.stop()
            lineless = svc.gunicorn("web-no-line", TTS_STREAM_QUEUE="0")
            tokens = [harness.register(lineless.port, f"refused{i}@example.com") for i in range(4)]
            listen(lineless.port, tokens[0], SENTENCE)
            result["four_no_line"] = no_line(lineless.port, tokens)
        result.update(svc.logs)
    finally:
        bare2.shutdown(cancel_futures=True)


def fmt(s: dict) -> str:
    if s["status"] != 200:
        return f"{s['status']} (Retry-After {s['retry_after']})"
    place = f"in line at {s['place']}, " if s["place"] else ""
    return f"{place}first audio {s['first']:.2f} s, {s['stalls']} stalls {s['stalled']:.2f} s / {s['audio']:.0f} s"


def held(streams: list[dict], most: float) -> bool:
    """Every stream played, with at most `most` seconds of stalls in all."""
    return all(s["status"] == 200 and s["stalled"] <= most for s in streams)


def tables(r: dict) -> str:
    four, lineless, first = r["four_line"], r["four_no_line"], r["first"]
    retried = lineless["retried"]
    rows = [
        ("lone stream, each run", "; ".join(fmt(s) for s in r["lone"]), "≤ 0.3 s of stalls",
         verdict(held(r["lone"], 0.3))),
        ("two at once", "; ".join(fmt(s) for s in r["two"]), "≤ 0.5 s each", verdict(held(r["two"], 0.5))),
        (f"four at once, with a line (capacity {r['capacity_before_four']:.0f})", "; ".join(fmt(s) for s in four),
         "all play, ≤ 0.5 s each (those in line in turn)", verdict(held(four, 0.5))),
        ("four at once, no line (TTS_STREAM_QUEUE=0)", "; ".join(fmt(s) for s in lineless["first"]),
         "refusals carry Retry-After", verdict(all(s["retry_after"] for s in lineless["first"] if s["status"] != 200))),
        ("… the refused, retrying as Retry-After says",
         "; ".join(f"{fmt(s)} after {s['tries']} tries (waited {s['retry_afters']})" for s in retried) or "none",
         f"served within {RETRY_BUDGET:.0f} s, ≤ 0.5 s each", verdict(held(retried, 0.5))),
        ("first audio of a short stream vs bare one sentence (2 threads), s",
         f"{median(first['service']):.2f} / {median(first['bare']):.2f} = {first['ratio']:.2f}x", "≤ 1.3x",
         verdict(first["ratio"] <= 1.3)),
    ]
    head = (f"## Live streams: stalls ({r['text_chars']}-character text, PCM, a virtual player)\n\n"
            f"{r['cores']} cores, load {r['load_start']} → {r['load_end']}; exceptions in the log: "
            f"{r.get('log_exceptions') or 'none'}\n")
    return "\n".join([head, *harness.table(["scenario", "measured", "target", "verdict"], rows)])


def main() -> None:
    parser = harness.parser(__doc__, "stream")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the lone stream and of the first-audio probe")
    args = parser.parse_args()
    report = harness.Report("stream", args.json, repeat=args.repeat)
    run(args, report.data)
    report.finish(tables)


if __name__ == "__main__":
    main()
