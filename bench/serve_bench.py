"""The service as deployed against the bare model, and its HTTP API: bench/README.md, "Service"."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import harness
from harness import LANG, LONG, LONGS, MEDIUM, SENTENCE, VOICE, log, median, verdict

FORMAT = "wav"
SMALL = [f"Message number {i + 1}: the quick brown fox jumps over the lazy dog, then rests by the quiet river."
         for i in range(24)]
USERS = 24
WAV_BYTES_PER_SECOND = 24000 * 2  # s16le mono 24 kHz
TARGETS = {"lone": 1.15, "four": 0.9, "first_alone": 1.3, "first_loaded": 2.5}
PORT = 0  # the server's, once it runs


# -- the engine alone, in the bare process -----------------------------------------------------


@functools.cache
def warm_engine(threads: int) -> Any:
    from kokoro_tts.engine import Engine, EngineSettings

    engine = Engine(EngineSettings(threads=threads))
    engine.synthesize(engine.validate("Warm up.", VOICE, 1.0, LANG))
    return engine


def engine_alone(text: str, threads: int) -> float:
    """Engine.synthesize + encode alone, with the service's TTS_THREADS."""
    engine = warm_engine(threads)
    t0 = time.perf_counter()
    engine.encode(engine.synthesize(engine.validate(text, VOICE, 1.0, LANG)).audio, FORMAT)
    return time.perf_counter() - t0


def engine_chunks(text: str) -> list[int]:
    """The engine's own chunking of a text (token counts), not timed."""
    return [len(c.tokens) for c in harness.BARE["engine"].chunks(text, LANG)]


# -- HTTP --------------------------------------------------------------------------------------


def generate(token: str, body: dict, **kwargs) -> dict:
    """One POST /api/tts/generate (WAV) on a fresh connection, any status (see harness.Client.request)."""
    r = harness.generate(PORT, token, {"format": FORMAT, **body}, expect=None, **kwargs)
    r.update(retry_after=r["headers"].get("retry-after"),
             audio_duration=float(r["headers"].get("x-audio-duration") or 0) or None)
    if r["status"] != 200:
        try:
            r["code"] = json.loads(r["data"])["error"]["code"]
        except (ValueError, KeyError, TypeError):
            r["code"] = r["data"][:200].decode(errors="replace")
    return r


def served(token: str, text: str) -> float:
    r = generate(token, {"text": text})
    assert r["status"] == 200, r["code"]
    return r["total"]


def wait_idle(timeout: float = 180) -> float:
    """Seconds waited until no generation is in progress (a stream left holds its slot until its next write)."""
    t0 = time.perf_counter()
    while harness.metric(PORT, "kokoro_generations_in_progress") > 0 and time.perf_counter() - t0 < timeout:
        time.sleep(0.5)
    return round(time.perf_counter() - t0, 2)


def probe(token: str) -> dict:
    """The short streamed sentence, with the service's own first-audio time (/metrics) if it counted only this one."""
    s0, c0 = (harness.metric(PORT, f"kokoro_time_to_first_audio_seconds_{k} ") for k in ("sum", "count"))
    r = generate(token, {"text": SENTENCE, "stream": True})
    assert r["status"] == 200 and r["first"], r["status"]
    s1, c1 = (harness.metric(PORT, f"kokoro_time_to_first_audio_seconds_{k} ") for k in ("sum", "count"))
    r["server_first"] = s1 - s0 if c1 - c0 == 1 else None
    return r


def together(tokens: list[str], texts: list[str]) -> list[dict]:
    """Post every text with its account's token at once (connections opened first, then a barrier)."""
    barrier = threading.Barrier(len(tokens))
    return harness.together(lambda token, text: generate(token, {"text": text}, barrier=barrier), tokens, texts)


# -- the parts ---------------------------------------------------------------------------------


def part_lone(token: str, bare2: ProcessPoolExecutor, repeat: int) -> dict:
    sentences: list[int] = []

    def bare() -> float:
        answer = bare2.submit(harness.bare_synth, MEDIUM).result()
        sentences[:] = [s["tokens"] for s in answer]
        return sum(s["g2p"] + s["infer"] for s in answer)

    return {**harness.versus(repeat, lambda: served(token, MEDIUM), bare), "bare_sentences": sentences}


def part_four(tokens: list[str], pair: list[ProcessPoolExecutor], repeat: int, audio_seconds: float) -> dict:
    """Wall time for 4 texts: 4 users at once against 2 bare 1-thread processes x 2 texts."""

    def bare() -> tuple[float, float]:
        t0 = time.perf_counter()
        answers = [run.result() for run in [b.submit(harness.bare_synth, MEDIUM) for b in pair for _ in range(2)]]
        return time.perf_counter() - t0, sum(s["audio"] for a in answers for s in a)

    def service() -> tuple[float, float]:
        rs = together(tokens, [MEDIUM] * 4)
        assert all(r["status"] == 200 for r in rs), [r["status"] for r in rs]
        return max(r["end"] for r in rs) - min(r["start"] for r in rs), sum(r["audio_duration"] for r in rs)

    b, s = harness.interleaved(repeat, bare, service)
    # Throughput in the service's own audio seconds for both (same 4 texts): the bare model's raw
    # output is untrimmed and has no pauses, so its length differs a little; see bare_raw_audio.
    s_rate, b_rate = 4 * audio_seconds / median(x[0] for x in s), 4 * audio_seconds / median(x[0] for x in b)
    return {"service_wall": [x[0] for x in s], "bare_wall": [x[0] for x in b], "service_audio": [x[1] for x in s],
            "bare_raw_audio": [x[1] for x in b], "audio_per_text": audio_seconds, "service_rate": s_rate,
            "bare_rate": b_rate, "ratio": s_rate / b_rate}


def first_alone(token: str, bare2: ProcessPoolExecutor, repeat: int) -> dict:
    """The short stream's first audio byte alone, interleaved with the bare one-sentence time."""
    bare, probes = harness.interleaved(repeat, lambda: harness.bare_seconds(bare2, SENTENCE), lambda: probe(token))
    return {"alone": [p["first"] for p in probes], "alone_head": [p["head"] for p in probes],
            "alone_server": [p["server_first"] for p in probes], "bare": bare}


def long_row(text: str, r: dict, t0: float) -> dict:
    assert r["status"] == 200, r["code"]
    audio = (r["bytes"] - 44) / WAV_BYTES_PER_SECOND
    worst, before, pieces = 0.0, 44, []  # the start-up buffer a listener needs never to stall; pieces sent
    for t, size in r["reads"]:
        if t > r["first"]:
            worst = max(worst, (t - r["first"]) - (before - 44) / WAV_BYTES_PER_SECOND)
        if pieces and t - pieces[-1][2] < 0.05:  # reads less than 0.05 s apart: one piece
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + size - before, t)
        else:
            pieces.append((t, size - (before if pieces else 0), t))
        before = size
    offset = r["start"] - t0
    return {"chars": len(text), "first": r["first"], "total": r["total"], "audio": audio, "stopped": r["stopped"],
            "x_realtime": audio / (r["total"] - r["first"]), "stall": max(0.0, worst),
            # when each piece arrived (s since the long streams started) and its audio seconds
            "pieces": [(round(offset + t, 3), round(n / WAV_BYTES_PER_SECOND, 2)) for t, n, _ in pieces]}


def first_loaded(tokens: list[str], repeat: int, alone: dict) -> dict:
    """Short-stream probes while 3 other users read long streams (left after the last probe), with part 3a."""
    started, stop = [threading.Event() for _ in range(3)], threading.Event()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3) as pool:
        longs = [pool.submit(generate, tokens[1 + i], {"text": LONGS[i], "stream": True}, on_first=started[i],
                             stop=stop) for i in range(3)]
        for e in started:
            e.wait(timeout=300)
        longs_first = time.perf_counter() - t0
        time.sleep(1.0)
        probes = []
        for _ in range(repeat):
            probes.append({**probe(tokens[0]), "running": sum(not f.done() for f in longs)})
            time.sleep(1.5)
        stop.set()
    rows = [long_row(LONGS[i], f.result(), t0) for i, f in enumerate(longs)]
    windows = [(round(p["start"] - t0, 3), round(p["start"] - t0 + p["first"], 3)) for p in probes]
    loaded, b = [p["first"] for p in probes], median(alone["bare"])
    return {**alone, "loaded": loaded, "loaded_head": [p["head"] for p in probes],
            "loaded_server": [p["server_first"] for p in probes], "loaded_probe_window": windows,
            # long-stream pieces delivered while each probe waited for its first audio
            "long_pieces_meanwhile": [sum(a < t <= b for r in rows for t, _ in r["pieces"]) for a, b in windows],
            "long_streams_running_at_probe": [p["running"] for p in probes],
            "long_streams_all_speaking_after": longs_first, "long_streams": rows,
            "alone_median": median(alone["alone"]), "loaded_median": median(loaded), "bare_median": b,
            "ratio_alone": median(alone["alone"]) / b, "ratio_loaded": median(loaded) / b}


def retry(tokens: list[str], rs: list[dict]) -> dict:
    """The refused clients do what the answer says: wait Retry-After, try again (at most 6 tries, 180 s)."""
    deadline = time.perf_counter() + 180
    done = [r["status"] == 200 for r in rs]
    waits = {i: float(r["retry_after"] or 1) for i, r in enumerate(rs) if r["status"] != 200}
    attempts = {i: 1 for i in waits}

    def retry_one(i: int) -> None:
        while not done[i] and attempts[i] < 6 and time.perf_counter() + waits[i] < deadline:
            time.sleep(waits[i])
            r = generate(tokens[i], {"text": SMALL[i]})
            attempts[i] += 1
            done[i] = r["status"] == 200
            waits[i] = float(r["retry_after"] or waits[i])

    with ThreadPoolExecutor(max_workers=max(1, len(waits))) as pool:
        list(pool.map(retry_one, waits))
    return {"eventually_served": sum(done), "attempts": sorted(attempts.values())}


def part_burst(tokens: list[str], retrying: bool) -> dict:
    t0 = time.perf_counter()
    rs = together(tokens, SMALL)
    keys = [str(r["status"]) + (f" {r['code']}" if r["status"] != 200 else "") for r in rs]
    out = {
        "counts": {k: keys.count(k) for k in sorted(set(keys))}, "served": sum(r["status"] == 200 for r in rs),
        "wall": max(r["end"] for r in rs) - min(r["start"] for r in rs),
        "only_200_429_503": {r["status"] for r in rs} <= {200, 429, 503},
        "missing_retry_after": sum(1 for r in rs if r["status"] in (429, 503) and not r["retry_after"]),
        "retry_after_values": sorted(int(r["retry_after"]) for r in rs if r["retry_after"]),
        "refusal_seconds": sorted(round(r["total"], 3) for r in rs if r["status"] != 200),
        "served_seconds": sorted(round(r["total"], 3) for r in rs if r["status"] == 200),
    }
    if retrying:
        out.update(retry(tokens, rs), all_done_after=time.perf_counter() - t0)
    return out


def part_api(tokens: list[str], bare2: ProcessPoolExecutor, args, threads: int) -> dict:
    """What POST /api/tts/generate adds to the engine alone, a streamed long text, GET /api/auth/me per second."""

    def overhead(token: str, text: str) -> dict:
        return harness.versus(args.repeat, lambda: served(token, text),
                              lambda: bare2.submit(engine_alone, text, threads).result())

    texts = {"short": harness.SHORT, "medium": MEDIUM}
    out = {name: overhead(tokens[i], text) for i, (name, text) in enumerate(texts.items())}
    stream = generate(tokens[2], {"text": LONG, "stream": True})
    assert stream["status"] == 200, stream["code"]
    latencies, stop = [], time.perf_counter() + args.seconds

    def client(_: int) -> None:
        me = harness.Client(PORT, tokens[3])
        while time.perf_counter() < stop:
            answer = me.request("GET", "/api/auth/me")
            assert answer["status"] == 200
            latencies.append(answer["total"])
        me.close()

    harness.together(client, range(args.clients))
    return {"overhead": out, "first": stream["first"], "last": stream["total"],
            "rps": (len(latencies) / args.seconds, median(latencies) * 1000)}


# -- the run -----------------------------------------------------------------------------------


def run(args, result: dict) -> None:
    global PORT
    bares = [harness.spawned() for _ in range(3)]
    loaded = [b.submit(harness.bare_load, threads) for b, threads in zip(bares, (2, 1, 1), strict=True)]
    try:
        with harness.service("kokoro_servebench", REGISTER_RATE_LIMIT="1000 per hour") as svc:
            result["gunicorn"] = svc.settings()
            web = svc.gunicorn()
            PORT, master = web.port, web.pid
            result["bare_ready"] = [f.result() for f in loaded]
            pids = [b.submit(os.getpid).result() for b in bares]
            cpu = harness.CpuMeter({"workers": lambda: harness.children(master), "bare": lambda: pids})

            def phase(name: str, work=None, idle: str | None = None):
                """Run `work` (once the service is idle), then the workers' memory and the cores used."""
                if idle:
                    result["idle_wait"][idle] = wait_idle()
                with harness.Sampler(master, every=0.2, reset=False) as sampler:
                    value = work() if work else None
                    m = sampler.snapshot(phase=name)
                m.update(peak=m["peak"] if work else None, cpu=cpu.lap())
                result["memory"].append(m)
                log(f"  {name}: workers {m['workers']} load {m['load']}")
                return value

            phase("after start (/readyz)")
            result["gunicorn"]["workers_seen"] = len(harness.children(master))
            tokens = [harness.register(PORT, f"serve{i}@example.com") for i in range(USERS)]
            warm = phase("after warm-up (short + medium request)",
                         lambda: [generate(tokens[0], {"text": SENTENCE}), generate(tokens[0], {"text": MEDIUM})])
            assert all(r["status"] == 200 for r in warm), [r["status"] for r in warm]
            result["medium_audio_seconds"] = warm[1]["audio_duration"]
            result["engine_chunks"] = {name: bares[0].submit(engine_chunks, text).result()
                                       for name, text in (("medium", MEDIUM), ("short", SENTENCE), ("long0", LONGS[0]))}
            result["lone"] = phase("after part 1 (lone requests)", lambda: part_lone(tokens[0], bares[0], args.repeat),
                                   "lone")
            result["four"] = phase("after part 2 (4 at once)", lambda: part_four(
                tokens[1:5], bares[1:], args.repeat, result["medium_audio_seconds"]), "four")
            alone = phase("after part 3a (short stream alone)", lambda: first_alone(tokens[0], bares[0], args.repeat),
                          "first")
            result["first"] = phase("after part 3b (short stream with 3 long streams)",
                                    lambda: first_loaded(tokens[:4], args.repeat, alone))
            result["burst"] = phase("after part 4 (24 at once" + ("" if args.no_retry else ", then retries") + ")",
                                    lambda: part_burst(tokens, not args.no_retry), "burst")
            result["api"] = phase("after part 6 (HTTP API)", lambda: part_api(
                tokens[5:9], bares[0], args, int(result["gunicorn"]["TTS_THREADS"])), "api")
        result.update(svc.logs)
    finally:
        for b in bares:
            b.shutdown(cancel_futures=True)


# -- tables ------------------------------------------------------------------------------------


def runs(xs: list[float | None]) -> str:
    return ", ".join("?" if x is None else f"{x:.2f}" for x in xs)


def checks(r: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(target, measured, bare, ratio, target, verdict) for targets 1-3."""
    lone, four, first, t = r["lone"], r["four"], r["first"], TARGETS
    rows = [("1. lone request latency", lone["service_median"], lone["bare_median"], lone["ratio"], "≤", t["lone"]),
            ("2. four at once, audio s per wall s", four["service_rate"], four["bare_rate"], four["ratio"], "≥",
             t["four"]),
            ("3a. first audio alone", first["alone_median"], first["bare_median"], first["ratio_alone"], "≤",
             t["first_alone"]),
            ("3b. first audio with 3 long streams", first["loaded_median"], first["bare_median"], first["ratio_loaded"],
             "≤", t["first_loaded"])]
    unit = {"≤": " s", "≥": ""}
    return [(name, f"{m:.2f}{unit[op]}", f"{b:.2f}{unit[op]}", f"{ratio:.2f}", f"{op} {target}",
             verdict(ratio <= target if op == "≤" else ratio >= target)) for name, m, b, ratio, op, target in rows]


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
    c, align, blank = checks(r), "lrrrrl", ("", "", "")
    out = [f"\n### 1. Lone request ({len(MEDIUM)}-character paragraph, non-streamed)\n", *harness.table(
        ["measure", "service", "bare (2 threads)", "ratio", "target", "verdict"],
        [("POST /api/tts/generate vs phonemes + inference, s", *c[0][1:]),
         ("runs, s", runs(lone["service"]), runs(lone["bare"]), *blank)], align)]
    out += [f"\n### 2. Four at once (4 users x the {len(MEDIUM)}-character paragraph)\n", *harness.table(
        ["measure", "service (4 users at once)", "bare (2 x 1-thread processes, 2 texts each)", "ratio", "target",
         "verdict"],
        [("audio s per wall s", *c[1][1:]),
         ("wall s for the 4 texts, runs", runs(four["service_wall"]), runs(four["bare_wall"]), *blank),
         ("audio s for the 4 texts (service: X-Audio-Duration)", runs(four["service_audio"]),
          runs(four["bare_raw_audio"]) + " (raw, untrimmed, no pauses)", *blank),
         ("for reference: 4 x the lone median of part 1 (one at a time, 2 threads), s",
          f"{4 * lone['service_median']:.2f}", f"{4 * lone['bare_median']:.2f}", *blank)], align)]
    longs = [(f"long stream {i + 1} ({s['chars']} chars): first audio {s['first']:.2f} s, "
              f"{'left by the client at' if s['stopped'] else 'last byte'} {s['total']:.1f} s, {s['audio']:.1f} s of "
              f"audio, {s['x_realtime']:.2f}x real time after first audio; start-up buffer for no stall "
              f"{s['stall']:.1f} s", "", *blank, "") for i, s in enumerate(first["long_streams"])]
    out += [f"\n### 3. First audio of a short streamed sentence ({len(SENTENCE)} characters)\n", *harness.table(
        ["measure", "service", "bare one sentence (2 threads)", "ratio", "target", "verdict"],
        [("first audio byte alone, s", *c[2][1:]), ("first audio byte with 3 long streams running, s", *c[3][1:]),
         ("runs: alone / loaded; bare", f"{runs(first['alone'])} / {runs(first['loaded'])}", runs(first["bare"]),
          *blank),
         ("service's own first audio (charge to first piece, /metrics), alone / loaded, s",
          f"{runs(first['alone_server'])} / {runs(first['loaded_server'])}", "", *blank),
         ("long streams running / long-stream pieces delivered while each loaded probe waited",
          f"{first['long_streams_running_at_probe']} / {first['long_pieces_meanwhile']}", "", *blank),
         ("the 3 long streams all had first audio after, s", f"{first['long_streams_all_speaking_after']:.2f}", "",
          *blank), *longs], align)]
    return out


def table_45(r: dict) -> list[str]:
    burst = r["burst"]
    rows = [("statuses", ", ".join(f"{k}: {v}" for k, v in burst["counts"].items()), "only 200, 429, 503",
             verdict(burst["only_200_429_503"])),
            ("429/503 without Retry-After", f"{burst['missing_retry_after']} (values: {burst['retry_after_values']})",
             "0", verdict(burst["missing_retry_after"] == 0)),
            ("served (200) at the first try", f"{burst['served']} of {USERS}", f"most (> {USERS // 2})",
             verdict(burst["served"] > USERS / 2)),
            ("wall s until the last answer", f"{burst['wall']:.1f}", "", ""),
            ("slowest refusal, s", f"{max(burst['refusal_seconds'], default=0):.2f}", "", ""),
            ("exceptions in the gunicorn log (count)",
             "; ".join(f"{k} ({v})" for k, v in r.get("log_exceptions", {}).items()) or "none", "", "")]
    if "eventually_served" in burst:
        rows.append(("served after retrying as Retry-After says (≤ 6 tries within 180 s)",
                     f"{burst['eventually_served']} of {USERS} ({sum(burst['attempts']) - len(burst['attempts'])} "
                     f"retries), all done after {burst['all_done_after']:.0f} s", "", ""))
    memory = [(m["phase"], ", ".join(f"{pid}: {w['rss']:.0f} ({w['threads']})" for pid, w in m["workers"].items()),
               f"{m['total']:.0f}", f"{m['peak']:.0f}" if m["peak"] else "", f"{m['cpu']['wall']:.0f}",
               f"{m['cpu']['workers']:.2f} / {m['cpu']['bare']:.2f} / {m['cpu']['rest']:.2f}", m["load"])
              for m in r["memory"]]
    return [f"\n### 4. {USERS} users at once (~{len(SMALL[0])}-character texts, non-streamed)\n",
            *harness.table(["measure", "value", "target", "verdict"], rows),
            "\n### 5. Resident memory of the gunicorn workers (VmRSS, MB), and who used the cores\n",
            f"CPU columns: cores used during the phase (CPU s per wall s, out of {r['cores']}) by the gunicorn "
            "workers, the bare processes, and everything else (PostgreSQL, this script, other work on the machine).\n",
            *harness.table(["after", "per worker (pid: MB, OS threads)", "total", "sampled peak of total during the "
                            "phase", "phase wall s", "CPU workers / bare / rest", "load average"], memory, "llrrrll")]


def table_api(r: dict) -> list[str]:
    a, g, rows = r["api"], r["gunicorn"], []
    for name, o in a["overhead"].items():
        alone, service = o["bare_median"], o["service_median"]
        rows += [[f"{name} text: engine alone (synthesize + encode)", f"{alone:.3f} s"],
                 [f"{name} text: POST /api/tts/generate", f"{service:.3f} s"],
                 [f"{name} text: HTTP overhead", f"{service - alone:+.3f} s ({(service / alone - 1) * 100:+.1f}%)"]]
    rows += [["streamed long text: first audio byte", f"{a['first']:.2f} s"],
             ["streamed long text: last byte", f"{a['last']:.2f} s"],
             [f"GET /api/auth/me, {r['clients']} clients, {r['seconds']:.0f} s",
              f"{a['rps'][0]:.0f} req/s (median {a['rps'][1]:.1f} ms)"]]
    return ["\n### 6. HTTP API: what the service adds to the engine\n",
            f"Short text ({len(harness.SHORT)} chars), medium ({len(MEDIUM)}), long ({len(LONG)}); overhead: median of "
            f"{r['repeat']} interleaved runs; gunicorn {g['workers']} workers, TTS_THREADS={g['TTS_THREADS']}, "
            f"{r['cores']} cores\n", *harness.table(["measure", "value"], rows)]


def summary(r: dict) -> list[str]:
    burst = r["burst"]
    ok = burst["only_200_429_503"] and burst["missing_retry_after"] == 0 and burst["served"] > USERS / 2
    return ["\n### Summary\n", *harness.table(["target", "measured", "bare", "ratio", "target", "verdict"], [
        *checks(r), ("4. 24 at once", f"{burst['served']} x 200 of {USERS}", "", "",
                     "only 200/429/503, Retry-After on each refusal, most served", verdict(ok)),
        ("5. worker RSS, largest total after a phase", f"{max(m['total'] for m in r['memory']):.0f} MB", "", "",
         "(reported)", "")], "lrrrrl")]


def main() -> None:
    parser = harness.parser(__doc__, "serve")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per measure (median)")
    parser.add_argument("--no-retry", action="store_true", help="part 4: do not retry the refused requests")
    parser.add_argument("--seconds", type=float, default=10.0, help="part 6: how long GET /api/auth/me is sent")
    parser.add_argument("--clients", type=int, default=8, help="part 6: keep-alive clients sending it")
    args = parser.parse_args()
    report = harness.Report("serve", args.json, repeat=args.repeat, seconds=args.seconds, clients=args.clients,
                            memory=[], idle_wait={})
    run(args, report.data)
    report.finish(lambda r: "\n".join([header(r), *table_123(r), *table_45(r), *table_api(r), *summary(r)]))


if __name__ == "__main__":
    main()
