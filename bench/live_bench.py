"""Live speech heard as it comes: streams and the stream-input WebSocket: bench/README.md, "Live speech"."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import harness
from harness import LONGS, PARAGRAPHS, SENTENCE, log, median, verdict
from websockets.sync.client import connect

PCM_BYTES_PER_SECOND = 24000 * 2  # s16le mono 24 kHz
RETRY_BUDGET = 300.0  # seconds a refused listener keeps asking, as Retry-After says


class Player:
    """A virtual player from the first audio: a stall is a wait for audio once all that came has been heard."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.clock, self.heard, self.stalls = 0.0, 0.0, []  # clock + heard: when the audio so far runs out

    def hear(self, now: float, seconds: float) -> None:
        if self.first is None:
            self.first = self.clock = now
        elif now > self.clock + self.heard:
            self.stalls.append(now - self.clock - self.heard)
            self.clock = now - self.heard
        self.heard += seconds

    def played(self) -> dict[str, Any]:
        return {"first": self.first, "audio": self.heard, "stalls": len(self.stalls), "stalled": sum(self.stalls)}


# -- streamed generations ----------------------------------------------------------------------


def listen(port: int, token: str, text: str, barrier: threading.Barrier | None = None) -> dict[str, Any]:
    """A streamed PCM generation played in real time from its first byte; its stalls from when the reads came."""
    r = harness.generate(port, token, {"text": text, "stream": True, "format": "pcm"}, expect=None, barrier=barrier)
    out = {"status": r["status"], "place": r["headers"].get("x-queue-position"),
           "retry_after": r["headers"].get("retry-after"), "total": r["total"]}
    if r["status"] != 200 or r["first"] is None:
        return {**out, "first": r["first"]}
    player, before = Player(), 0
    for t, size in r["reads"]:
        player.hear(t, (size - before) / PCM_BYTES_PER_SECOND)
        before = size
    return {**out, **player.played(), "first": r["first"]}  # past 44 bytes, as it always was


def at_once(port: int, tokens: list[str], text: str) -> list[dict]:
    return harness.together(lambda token, barrier: listen(port, token, text, barrier), tokens, barrier=True)


def retrying(port: int, token: str, text: str, first: dict) -> dict:
    """A refused listener waits Retry-After and asks again, until served or for RETRY_BUDGET seconds."""
    waits, answer, deadline = [], first, time.perf_counter() + RETRY_BUDGET
    while answer["status"] != 200 and time.perf_counter() < deadline:
        waits.append(answer["retry_after"])
        time.sleep(float(answer["retry_after"] or 1))
        answer = listen(port, token, text)
    return {**answer, "tries": len(waits) + 1, "retry_afters": waits}


def streams(port: int, tokens: list[str], repeat: int, bare2: ProcessPoolExecutor) -> dict:
    text = LONGS[0]
    out: dict[str, Any] = {"text_chars": len(text)}
    out["lone"] = [listen(port, tokens[0], text) for _ in range(repeat)]
    out["two"] = at_once(port, tokens[:2], text)
    out["capacity_before_four"] = harness.metric(port, "kokoro_realtime_capacity")
    out["four_line"] = at_once(port, tokens[:4], text)
    bare, probes = harness.interleaved(repeat, lambda: harness.bare_seconds(bare2, SENTENCE),
                                       lambda: listen(port, tokens[0], SENTENCE)["first"])
    out["first"] = {"service": probes, "bare": bare, "ratio": median(probes) / median(bare)}
    log("  streams:", [[s.get("stalled") for s in out[k]] for k in ("lone", "two", "four_line")], out["first"])
    return out


def no_line(port: int, tokens: list[str]) -> dict:
    """Four at once with no line: the refused retry from their refusal, while the others play."""
    text = LONGS[0]

    def one(token: str, barrier: threading.Barrier) -> dict:
        first = listen(port, token, text, barrier)
        return first if first["status"] == 200 else {**retrying(port, token, text, first), "refused": first}

    results = harness.together(one, tokens, barrier=True)
    return {"first": [r.get("refused", r) for r in results], "retried": [r for r in results if "refused" in r]}


# -- the stream-input WebSocket ------------------------------------------------------------------


def socket(port: int, token: str) -> Any:
    url = f"ws://127.0.0.1:{port}/v1/text-to-speech/jf_alpha/stream-input?output_format=pcm_24000&language_code=en"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None)


def played(ws: Any, started: float) -> dict[str, Any]:
    """The audio messages heard by a virtual player, until isFinal."""
    player = Player()
    while True:
        message = json.loads(ws.recv(timeout=600))
        if message.get("isFinal") or "error" in message:
            return {**player.played(), "error": message.get("error")}
        if seconds := len(base64.b64decode(message.get("audio") or "")) / PCM_BYTES_PER_SECOND:
            player.hear(time.perf_counter() - started, seconds)


def sentence_end(port: int, token: str) -> float:
    """Seconds from a sentence's final full stop on the socket to its first audio."""
    with socket(port, token) as ws:
        ws.send(json.dumps({"text": " "}))
        for word in SENTENCE[:-1].split(" "):
            ws.send(json.dumps({"text": word + " "}))
        started = time.perf_counter()
        ws.send(json.dumps({"text": ". "}))
        ws.send(json.dumps({"text": ""}))
        return played(ws, started)["first"]


def llm_feed(port: int, token: str, text: str) -> dict[str, Any]:
    """`text` in 3-to-8-character pieces every 30 ms, as an LLM writes; a player from the first audio."""
    pieces, at, rng = [], 0, random.Random(7)
    while at < len(text):
        size = rng.randint(3, 8)
        pieces.append(text[at : at + size])
        at += size
    with socket(port, token) as ws:
        started = time.perf_counter()

        def feed() -> None:
            for piece in pieces:
                ws.send(json.dumps({"text": piece}))
                time.sleep(0.03)
            ws.send(json.dumps({"text": ""}))

        threading.Thread(target=feed, daemon=True).start()
        return {**played(ws, started), "chars": len(text), "pieces": len(pieces)}


def beside_streams(port: int, tokens: list[str], probe: Any) -> Any:
    """`probe()` while three other streams speak (started 3 s before it)."""
    def other(token: str) -> None:
        harness.generate(port, token, {"text": LONGS[1], "stream": True, "format": "pcm"}, expect=None)

    threads = [threading.Thread(target=other, args=(t,), daemon=True) for t in tokens]
    for t in threads:
        t.start()
    time.sleep(3)
    try:
        return probe()
    finally:
        for t in threads:
            t.join(timeout=600)


def agents(port: int, tokens: list[str], repeat: int, bare2: ProcessPoolExecutor) -> dict:
    bare, lone = harness.interleaved(repeat, lambda: harness.bare_seconds(bare2, SENTENCE),
                                     lambda: sentence_end(port, tokens[0]))
    out: dict[str, Any] = {"lone": {"service": lone, "bare": bare, "ratio": median(lone) / median(bare)}}
    loaded = beside_streams(port, tokens[1:], lambda: sentence_end(port, tokens[0]))
    out["busy"] = {"service": loaded, "ratio": loaded / median(bare)}
    reply = " ".join(PARAGRAPHS)[:1000]
    out["feed"] = llm_feed(port, tokens[0], reply[: reply.rfind(".") + 1])
    log("  agents:", out)
    return out


# -- the run and its tables ----------------------------------------------------------------------


def accounts(port: int, name: str) -> list[str]:
    """Four listeners' tokens, once the server has spoken one sentence (its warm-up)."""
    tokens = [harness.register(port, f"{name}{i}@example.com") for i in range(4)]
    listen(port, tokens[0], SENTENCE)
    return tokens


def run(args, result: dict) -> None:
    bare2 = harness.spawned()
    loaded = bare2.submit(harness.bare_load, 2)
    try:
        with harness.service("kokoro_livebench", REGISTER_RATE_LIMIT="1000 per hour") as svc:
            result["bare_ready"] = loaded.result()
            web = svc.gunicorn()
            tokens = accounts(web.port, "listener")
            result["streams"] = streams(web.port, tokens, args.repeat, bare2)
            result["agents"] = agents(web.port, tokens, args.repeat, bare2)
            web.stop()
            lineless = svc.gunicorn("web-no-line", TTS_STREAM_QUEUE="0")
            result["four_no_line"] = no_line(lineless.port, accounts(lineless.port, "refused"))
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


def stream_rows(r: dict) -> list[tuple[str, str, str, str]]:
    s, lineless = r["streams"], r["four_no_line"]
    first, retried = s["first"], lineless["retried"]
    return [
        ("lone stream, each run", "; ".join(fmt(x) for x in s["lone"]), "≤ 0.3 s of stalls",
         verdict(held(s["lone"], 0.3))),
        ("two at once", "; ".join(fmt(x) for x in s["two"]), "≤ 0.5 s each", verdict(held(s["two"], 0.5))),
        (f"four at once, with a line (capacity {s['capacity_before_four']:.0f})",
         "; ".join(fmt(x) for x in s["four_line"]), "all play, ≤ 0.5 s each (those in line in turn)",
         verdict(held(s["four_line"], 0.5))),
        ("four at once, no line (TTS_STREAM_QUEUE=0)", "; ".join(fmt(x) for x in lineless["first"]),
         "refusals carry Retry-After", verdict(all(x["retry_after"] for x in lineless["first"] if x["status"] != 200))),
        ("… the refused, retrying as Retry-After says",
         "; ".join(f"{fmt(x)} after {x['tries']} tries (waited {x['retry_afters']})" for x in retried) or "none",
         f"served within {RETRY_BUDGET:.0f} s, ≤ 0.5 s each", verdict(held(retried, 0.5))),
        ("first audio of a short stream vs bare one sentence (2 threads), s",
         f"{median(first['service']):.2f} / {median(first['bare']):.2f} = {first['ratio']:.2f}x", "≤ 1.3x",
         verdict(first["ratio"] <= 1.3)),
    ]


def agent_rows(r: dict) -> list[tuple[str, str, str, str]]:
    lone, loaded, feed = r["agents"]["lone"], r["agents"]["busy"], r["agents"]["feed"]
    return [
        ("sentence end → first audio, lone, vs the bare model's sentence (s)",
         f"{median(lone['service']):.2f} / {median(lone['bare']):.2f} = {lone['ratio']:.2f}x", "≤ 1.3x",
         verdict(lone["ratio"] <= 1.3)),
        ("… while three other streams speak", f"{loaded['service']:.2f} s = {loaded['ratio']:.2f}x", "≤ 2.5x",
         verdict(loaded["ratio"] <= 2.5)),
        (f"LLM-like feed ({feed['chars']} characters in {feed['pieces']} pieces, 30 ms apart)",
         f"first audio {feed['first']:.2f} s, {feed['stalls']} stalls, {feed['stalled']:.2f} s / {feed['audio']:.0f} s",
         "≤ 0.5 s of stalls in all", verdict(feed["error"] is None and feed["stalled"] <= 0.5)),
    ]


def tables(r: dict) -> str:
    head = ["scenario", "measured", "target", "verdict"]
    return "\n".join([
        f"{r['cores']} cores, load {r['load_start']} → {r['load_end']}; exceptions in the log: "
        f"{r.get('log_exceptions') or 'none'}",
        f"\n## Live streams: stalls ({r['streams']['text_chars']}-character text, PCM, a virtual player)\n",
        *harness.table(head, stream_rows(r)),
        "\n## Voice agents: the stream-input WebSocket (PCM, a virtual player)\n", *harness.table(head, agent_rows(r))])


def main() -> None:
    parser = harness.parser(__doc__, "live")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the lone stream, of the first-audio probe and "
                        "of the socket's lone sentence (each against the bare model)")
    args = parser.parse_args()
    report = harness.Report("live", args.json, repeat=args.repeat)
    run(args, report.data)
    report.finish(tables)


if __name__ == "__main__":
    main()
