"""Voice agents on the stream-input WebSocket: bench/README.md, "Voice agents"."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from typing import Any

import harness
from harness import LONGS, PARAGRAPHS, SENTENCE, log, median, verdict
from stream_bench import listen
from websockets.sync.client import connect

PCM_BYTES_PER_SECOND = 24000 * 2


def socket(port: int, token: str):
    url = f"ws://127.0.0.1:{port}/v1/text-to-speech/jf_alpha/stream-input?output_format=pcm_24000&language_code=en"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None)


def played(ws, started: float) -> dict[str, Any]:
    """A virtual player from the first audio: the stalls of the audio as it came, until isFinal."""
    first, clock, heard, stalls = None, 0.0, 0.0, []
    while True:
        message = json.loads(ws.recv(timeout=600))
        now = time.perf_counter() - started
        if message.get("isFinal") or "error" in message:
            return {"first": first, "audio": heard, "stalls": len(stalls), "stalled": sum(stalls),
                    "error": message.get("error")}
        seconds = len(base64.b64decode(message.get("audio") or "")) / PCM_BYTES_PER_SECOND
        if first is None and seconds:
            first = clock = now
        elif seconds and now > clock + heard:
            stalls.append(now - clock - heard)
            clock = now - heard
        heard += seconds


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


def busy(port: int, tokens: list[str], probe: Any) -> Any:
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


def run(args, result: dict) -> None:
    bare2 = harness.spawned()
    loaded = bare2.submit(harness.bare_load, 2)
    try:
        with harness.service("kokoro_agentbench", REGISTER_RATE_LIMIT="1000 per hour") as svc:
            result["bare_ready"] = loaded.result()
            web = svc.gunicorn()
            tokens = [harness.register(web.port, f"agent{i}@example.com") for i in range(4)]
            listen(web.port, tokens[0], SENTENCE)  # warm up
            bare, lone = harness.interleaved(args.repeat, lambda: harness.bare_seconds(bare2, SENTENCE),
                                             lambda: sentence_end(web.port, tokens[0]))
            result["lone"] = {"service": lone, "bare": bare, "ratio": median(lone) / median(bare)}
            log("  lone:", result["lone"])
            loaded_first = busy(web.port, tokens[1:], lambda: sentence_end(web.port, tokens[0]))
            result["busy"] = {"service": loaded_first, "ratio": loaded_first / median(bare)}
            log("  beside three streams:", result["busy"])
            reply = " ".join(PARAGRAPHS)[:1000]
            result["feed"] = llm_feed(web.port, tokens[0], reply[: reply.rfind(".") + 1])
            log("  LLM feed:", result["feed"])
        result.update(svc.logs)
    finally:
        bare2.shutdown(cancel_futures=True)


def tables(r: dict) -> str:
    lone, loaded, feed = r["lone"], r["busy"], r["feed"]
    rows = [
        ("sentence end → first audio, lone, vs the bare model's sentence (s)",
         f"{median(lone['service']):.2f} / {median(lone['bare']):.2f} = {lone['ratio']:.2f}x", "≤ 1.3x",
         verdict(lone["ratio"] <= 1.3)),
        ("… while three other streams speak", f"{loaded['service']:.2f} s = {loaded['ratio']:.2f}x", "≤ 2.5x",
         verdict(loaded["ratio"] <= 2.5)),
        (f"LLM-like feed ({feed['chars']} characters in {feed['pieces']} pieces, 30 ms apart)",
         f"first audio {feed['first']:.2f} s, {feed['stalls']} stalls, {feed['stalled']:.2f} s / {feed['audio']:.0f} s",
         "≤ 0.5 s of stalls in all", verdict(feed["error"] is None and feed["stalled"] <= 0.5)),
    ]
    head = (f"## Voice agents: the stream-input WebSocket (PCM, a virtual player)\n\n"
            f"{r['cores']} cores, load {r['load_start']} → {r['load_end']}; exceptions in the log: "
            f"{r.get('log_exceptions') or 'none'}\n")
    return "\n".join([head, *harness.table(["scenario", "measured", "target", "verdict"], rows)])


def main() -> None:
    parser = harness.parser(__doc__, "agent")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the lone sentence and of the bare model")
    args = parser.parse_args()
    report = harness.Report("agent", args.json, repeat=args.repeat)
    run(args, report.data)
    report.finish(tables)


if __name__ == "__main__":
    main()
