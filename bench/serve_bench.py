"""The service as deployed against the bare model, and its HTTP API: bench/README.md, "Service"."""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import harness
from harness import LANG, LONG, LONGS, MEDIUM, SENTENCE, SHORT, VOICE, log, median, verdict

FORMAT, USERS = "wav", 24
SMALL = [f"Message number {i + 1}: the quick brown fox jumps over the lazy dog, then rests by the quiet river."
         for i in range(USERS)]
WAV_BYTES_PER_SECOND = 24000 * 2  # s16le mono 24 kHz, after a 44-byte header
PORT = 0  # the server's, once it runs


def engine_alone(text: str, threads: int) -> float:
    """Engine.synthesize + encode in a bare process, with the service's TTS_THREADS (loaded and warmed up once)."""
    from kokoro_tts.engine import Engine, EngineSettings

    if "alone" not in harness.BARE:
        harness.BARE["alone"] = Engine(EngineSettings(threads=threads))
        harness.BARE["alone"].synthesize(harness.BARE["alone"].validate("Warm up.", VOICE, 1.0, LANG))
    engine, t0 = harness.BARE["alone"], time.perf_counter()
    engine.encode(engine.synthesize(engine.validate(text, VOICE, 1.0, LANG)).audio, FORMAT)
    return time.perf_counter() - t0


def engine_chunks(text: str) -> list[int]:
    """The engine's own chunking of a text (token counts), not timed."""
    return [len(c.tokens) for c in harness.BARE["engine"].chunks(text, LANG)]


def generate(token: str, body: dict, expect: int | None = None, **kwargs) -> dict:
    """One POST /api/tts/generate (WAV) on a fresh connection (see harness.Client.request), with its refusal."""
    r = harness.generate(PORT, token, {"format": FORMAT, **body}, expect=expect, **kwargs)
    r["retry_after"] = r["headers"].get("retry-after")
    if r["status"] != 200:
        try:
            r["code"] = json.loads(r["data"])["error"]["code"]
        except (ValueError, KeyError, TypeError):
            r["code"] = r["data"][:200].decode(errors="replace")
    return r


def together(tokens: list[str], texts: list[str], **kwargs) -> list[dict]:
    """Post every text with its account's token at once (connections opened first, then a barrier)."""
    return harness.together(lambda t, text, barrier: generate(t, {"text": text}, barrier=barrier, **kwargs), tokens,
                            texts, barrier=True)


def probe(token: str) -> dict:
    """The short streamed sentence, with the service's own first-audio time (/metrics) if it counted only this one."""
    s0, c0 = (harness.metric(PORT, f"kokoro_time_to_first_audio_seconds_{k} ") for k in ("sum", "count"))
    r = generate(token, {"text": SENTENCE, "stream": True}, expect=200)
    s1, c1 = (harness.metric(PORT, f"kokoro_time_to_first_audio_seconds_{k} ") for k in ("sum", "count"))
    return {**r, "server_first": s1 - s0 if c1 - c0 == 1 else None}


def part_lone(token: str, bare2: ProcessPoolExecutor, repeat: int) -> dict:
    sentences: list[int] = []

    def bare() -> float:
        answer = bare2.submit(harness.bare_synth, MEDIUM).result()
        sentences[:] = [s["tokens"] for s in answer]
        return sum(s["g2p"] + s["infer"] for s in answer)

    return {**harness.versus(repeat, lambda: generate(token, {"text": MEDIUM}, expect=200)["total"], bare),
            "bare_sentences": sentences}


def part_four(tokens: list[str], pair: list[ProcessPoolExecutor], repeat: int, audio: float) -> dict:
    """Wall time for 4 texts: 4 users at once against 2 bare 1-thread processes x 2 texts."""

    def bare() -> tuple[float, float]:
        t0 = time.perf_counter()
        answers = [run.result() for run in [b.submit(harness.bare_synth, MEDIUM) for b in pair for _ in range(2)]]
        return time.perf_counter() - t0, sum(s["audio"] for a in answers for s in a)

    def service() -> tuple[float, float]:
        rs = together(tokens, [MEDIUM] * 4, expect=200)
        return (max(r["end"] for r in rs) - min(r["start"] for r in rs),
                sum(float(r["headers"]["x-audio-duration"]) for r in rs))

    b, s = harness.interleaved(repeat, bare, service)
    (b_wall, b_audio), (s_wall, s_audio) = zip(*b, strict=True), zip(*s, strict=True)
    # Rates in the service's audio seconds for both (the same 4 texts): the bare raw audio is untrimmed, no pauses.
    s_rate, b_rate = 4 * audio / median(s_wall), 4 * audio / median(b_wall)
    return {"service_wall": s_wall, "bare_wall": b_wall, "service_audio": s_audio, "bare_raw_audio": b_audio,
            "service_rate": s_rate, "bare_rate": b_rate, "ratio": s_rate / b_rate}


def first_alone(token: str, bare2: ProcessPoolExecutor, repeat: int) -> dict:
    """The short stream's first audio byte alone, interleaved with the bare one-sentence time."""
    bare, probes = harness.interleaved(repeat, lambda: harness.bare_seconds(bare2, SENTENCE), lambda: probe(token))
    return {"alone": [p["first"] for p in probes], "alone_server": [p["server_first"] for p in probes], "bare": bare}


def long_row(text: str, r: dict, t0: float) -> dict:
    """A long stream: the start-up buffer a listener needs never to stall, and when its pieces arrived."""
    audio, first, times = (r["bytes"] - 44) / WAV_BYTES_PER_SECOND, r["first"], [t for t, _ in r["reads"]]
    before = [44] + [size for _, size in r["reads"][:-1]]  # the bytes read before each read
    stall = max([0.0] + [(t - first) - (n - 44) / WAV_BYTES_PER_SECOND
                         for t, n in zip(times, before, strict=True) if t > first])
    # a piece: reads less than 0.05 s apart; when each began, in s since the long streams started
    pieces = [round(r["start"] - t0 + t, 3) for i, t in enumerate(times) if i == 0 or t - times[i - 1] >= 0.05]
    return {"chars": len(text), "first": first, "total": r["total"], "audio": audio, "stopped": r["stopped"],
            "x_realtime": audio / (r["total"] - first), "stall": stall, "pieces": pieces}


def first_loaded(tokens: list[str], repeat: int, alone: dict) -> dict:
    """Short-stream probes while 3 other users read long streams (left after the last probe), with part 3a."""
    started, stop, probes = [threading.Event() for _ in range(3)], threading.Event(), []
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3) as pool:
        longs = [pool.submit(generate, tokens[1 + i], {"text": LONGS[i], "stream": True}, expect=200,
                             on_first=started[i], stop=stop) for i in range(3)]
        for e in started:
            e.wait(timeout=300)
        longs_first = time.perf_counter() - t0
        time.sleep(1.0)
        for _ in range(repeat):
            probes.append({**probe(tokens[0]), "running": sum(not f.done() for f in longs)})
            time.sleep(1.5)
        stop.set()
    rows = [long_row(LONGS[i], f.result(), t0) for i, f in enumerate(longs)]
    windows = [(round(p["start"] - t0, 3), round(p["start"] - t0 + p["first"], 3)) for p in probes]
    loaded, bare = [p["first"] for p in probes], median(alone["bare"])
    return {**alone, "loaded": loaded, "loaded_server": [p["server_first"] for p in probes],
            # long-stream pieces delivered while each probe waited for its first audio
            "long_pieces_meanwhile": [sum(lo < t <= hi for r in rows for t in r["pieces"]) for lo, hi in windows],
            "long_streams_running_at_probe": [p["running"] for p in probes],
            "long_streams_all_speaking_after": longs_first, "long_streams": rows,
            "alone_median": median(alone["alone"]), "loaded_median": median(loaded), "bare_median": bare,
            "ratio_alone": median(alone["alone"]) / bare, "ratio_loaded": median(loaded) / bare}


def retry(tokens: list[str], rs: list[dict]) -> dict:
    """The refused clients do what the answer says: wait Retry-After, try again (at most 6 tries, 180 s)."""
    deadline, refused = time.perf_counter() + 180, [i for i, r in enumerate(rs) if r["status"] != 200]

    def retry_one(i: int) -> tuple[bool, int]:
        r, wait, tries = rs[i], float(rs[i]["retry_after"] or 1), 1
        while r["status"] != 200 and tries < 6 and time.perf_counter() + wait < deadline:
            time.sleep(wait)
            r, tries = generate(tokens[i], {"text": SMALL[i]}), tries + 1
            wait = float(r["retry_after"] or wait)
        return r["status"] == 200, tries

    tried = harness.together(retry_one, refused) if refused else []
    return {"eventually_served": len(rs) - len(refused) + sum(ok for ok, _ in tried),
            "attempts": sorted(tries for _, tries in tried)}


def part_burst(tokens: list[str], retrying: bool) -> dict:
    t0 = time.perf_counter()
    rs = together(tokens, SMALL)
    keys = [str(r["status"]) + (f" {r['code']}" if r["status"] != 200 else "") for r in rs]
    out = {"counts": {k: keys.count(k) for k in sorted(set(keys))}, "served": sum(r["status"] == 200 for r in rs),
           "wall": max(r["end"] for r in rs) - min(r["start"] for r in rs),
           "only_200_429_503": {r["status"] for r in rs} <= {200, 429, 503},
           "missing_retry_after": sum(1 for r in rs if r["status"] in (429, 503) and not r["retry_after"]),
           "retry_after_values": sorted(int(r["retry_after"]) for r in rs if r["retry_after"]),
           "refusal_seconds": sorted(round(r["total"], 3) for r in rs if r["status"] != 200)}
    if retrying:
        out.update(retry(tokens, rs), all_done_after=time.perf_counter() - t0)
    return out


def part_api(tokens: list[str], bare2: ProcessPoolExecutor, args, threads: int) -> dict:
    """What POST /api/tts/generate adds to the engine alone, a streamed long text, GET /api/auth/me per second."""

    def overhead(token: str, text: str) -> dict:
        return harness.versus(args.repeat, lambda: generate(token, {"text": text}, expect=200)["total"],
                              lambda: bare2.submit(engine_alone, text, threads).result())

    out = {"short": overhead(tokens[0], SHORT), "medium": overhead(tokens[1], MEDIUM)}
    stream = generate(tokens[2], {"text": LONG, "stream": True}, expect=200)
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

            def phase(name: str, work=None, idle: str = ""):
                """Run `work` once no generation is in progress (at most 180 s; a stream left by its client holds
                its slot until its next write), then the workers' memory and the cores used."""
                if idle:
                    t0 = time.perf_counter()
                    while harness.metric(PORT, "kokoro_generations_in_progress") > 0 and time.perf_counter() - t0 < 180:
                        time.sleep(0.5)
                    result["idle_wait"][idle] = round(time.perf_counter() - t0, 2)
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
                         lambda: [generate(tokens[0], {"text": text}, expect=200) for text in (SENTENCE, MEDIUM)])
            result["medium_audio_seconds"] = float(warm[1]["headers"]["x-audio-duration"])
            result["engine_chunks"] = {name: bares[0].submit(engine_chunks, text).result()
                                       for name, text in (("medium", MEDIUM), ("long0", LONGS[0]))}
            one, rep = bares[0], args.repeat
            result["lone"] = phase("after part 1 (lone requests)", lambda: part_lone(tokens[0], one, rep), "lone")
            result["four"] = phase("after part 2 (4 at once)", lambda: part_four(
                tokens[1:5], bares[1:], rep, result["medium_audio_seconds"]), "four")
            alone = phase("after part 3a (short stream alone)", lambda: first_alone(tokens[0], one, rep), "first")
            result["first"] = phase("after part 3b (short stream with 3 long streams)",
                                    lambda: first_loaded(tokens[:4], rep, alone))
            result["burst"] = phase("after part 4 (24 at once" + ("" if args.no_retry else ", then retries") + ")",
                                    lambda: part_burst(tokens, not args.no_retry), "burst")
            threads = int(result["gunicorn"]["TTS_THREADS"])
            result["api"] = phase("after part 6 (HTTP API)", lambda: part_api(tokens[5:9], one, args, threads), "api")
        result.update(svc.logs)
    finally:
        for b in bares:
            b.shutdown(cancel_futures=True)


def runs(xs: list[float | None]) -> str:
    return ", ".join("?" if x is None else f"{x:.2f}" for x in xs)


def section(title: str, head: list[str], rows: list, align: str = "lrrrrl", note: str = "") -> list[str]:
    """A titled Markdown table (after `note`), each row filled up with blank cells to the width of `head`."""
    rows = [(*row, *[""] * (len(head) - len(row))) for row in rows]
    return [f"\n### {title}\n", *([note] if note else []), *harness.table(head, rows, align)]


def checks(r: dict) -> list[tuple[str, ...]]:
    """(target, measured, bare, ratio, target, verdict) for targets 1-3."""
    lone, four, f = r["lone"], r["four"], r["first"]
    rows = [("1. lone request latency", lone["service_median"], lone["bare_median"], lone["ratio"], "≤", 1.15),
            ("2. four at once, audio s per wall s", four["service_rate"], four["bare_rate"], four["ratio"], "≥", 0.9),
            ("3a. first audio alone", f["alone_median"], f["bare_median"], f["ratio_alone"], "≤", 1.3),
            ("3b. first audio with 3 long streams", f["loaded_median"], f["bare_median"], f["ratio_loaded"], "≤", 2.5)]
    unit = {"≤": " s", "≥": ""}
    return [(name, f"{m:.2f}{unit[op]}", f"{b:.2f}{unit[op]}", f"{ratio:.2f}", f"{op} {target}",
             verdict(ratio <= target if op == "≤" else ratio >= target)) for name, m, b, ratio, op, target in rows]


def tables_123(r: dict) -> list[str]:
    """The run's header, and parts 1-3 against the bare model."""
    lone, four, first, g, c = r["lone"], r["four"], r["first"], r["gunicorn"], [row[1:] for row in checks(r)]
    versus = ["measure", "service", "bare (2 threads)", "ratio", "target", "verdict"]
    longs = [(f"long stream {i + 1} ({s['chars']} chars): first audio {s['first']:.2f} s, "
              f"{'left by the client at' if s['stopped'] else 'last byte'} {s['total']:.1f} s, {s['audio']:.1f} s of "
              f"audio, {s['x_realtime']:.2f}x real time after first audio; start-up buffer for no stall "
              f"{s['stall']:.1f} s",) for i, s in enumerate(first["long_streams"])]
    return [
        f"Run {r['started']}, {r['cores']} cores; load average (1, 5, 15 min) at start {r['load_start']}, "
        f"at end {r['load_end']}; {r['run_seconds'] / 60:.1f} min. gunicorn.conf.py chose {g['workers']} "
        f"worker(s) x {g['threads']} threads, TTS_THREADS={g['TTS_THREADS']} ({g['workers_seen']} worker process "
        f"seen; {r['workers_booted']} booted in all). Voice {VOICE}, {LANG}, {FORMAT}; medians of {r['repeat']} "
        f"interleaved runs. Engine chunks (tokens): medium {r['engine_chunks']['medium']}, first long stream "
        f"{r['engine_chunks']['long0']} (unloaded); bare sentences (tokens): medium {lone['bare_sentences']}. "
        f"Seconds waited before each part for the service to be idle: {r['idle_wait']}.",
        *section(f"1. Lone request ({len(MEDIUM)}-character paragraph, non-streamed)", versus, [
            ("POST /api/tts/generate vs phonemes + inference, s", *c[0]),
            ("runs, s", runs(lone["service"]), runs(lone["bare"]))]),
        *section(f"2. Four at once (4 users x the {len(MEDIUM)}-character paragraph)", [
            "measure", "service (4 users at once)", "bare (2 x 1-thread processes, 2 texts each)", *versus[3:]], [
            ("audio s per wall s", *c[1]),
            ("wall s for the 4 texts, runs", runs(four["service_wall"]), runs(four["bare_wall"])),
            ("audio s for the 4 texts (service: X-Audio-Duration)", runs(four["service_audio"]),
             runs(four["bare_raw_audio"]) + " (raw, untrimmed, no pauses)"),
            ("for reference: 4 x the lone median of part 1 (one at a time, 2 threads), s",
             f"{4 * lone['service_median']:.2f}", f"{4 * lone['bare_median']:.2f}")]),
        *section(f"3. First audio of a short streamed sentence ({len(SENTENCE)} characters)", [
            *versus[:2], "bare one sentence (2 threads)", *versus[3:]], [
            ("first audio byte alone, s", *c[2]), ("first audio byte with 3 long streams running, s", *c[3]),
            ("runs: alone / loaded; bare", f"{runs(first['alone'])} / {runs(first['loaded'])}", runs(first["bare"])),
            ("service's own first audio (charge to first piece, /metrics), alone / loaded, s",
             f"{runs(first['alone_server'])} / {runs(first['loaded_server'])}"),
            ("long streams running / long-stream pieces delivered while each loaded probe waited",
             f"{first['long_streams_running_at_probe']} / {first['long_pieces_meanwhile']}"),
            ("the 3 long streams all had first audio after, s", f"{first['long_streams_all_speaking_after']:.2f}"),
            *longs])]


def tables_456(r: dict) -> list[str]:
    """Parts 4-6 and the summary."""
    b, a, g, api = r["burst"], r["api"], r["gunicorn"], []
    checked = [("statuses", ", ".join(f"{k}: {v}" for k, v in b["counts"].items()), "only 200, 429, 503",
                b["only_200_429_503"]),
               ("429/503 without Retry-After", f"{b['missing_retry_after']} (values: {b['retry_after_values']})", "0",
                b["missing_retry_after"] == 0),
               ("served (200) at the first try", f"{b['served']} of {USERS}", f"most (> {USERS // 2})",
                b["served"] > USERS / 2)]
    burst = [(*row[:3], verdict(row[3])) for row in checked] + [
        ("wall s until the last answer", f"{b['wall']:.1f}"),
        ("slowest refusal, s", f"{max(b['refusal_seconds'], default=0):.2f}"),
        ("exceptions in the gunicorn log (count)",
         "; ".join(f"{k} ({v})" for k, v in r["log_exceptions"].items()) or "none")]
    if "eventually_served" in b:
        burst.append(("served after retrying as Retry-After says (≤ 6 tries within 180 s)",
                      f"{b['eventually_served']} of {USERS} ({sum(b['attempts']) - len(b['attempts'])} retries), all "
                      f"done after {b['all_done_after']:.0f} s"))
    memory = [(m["phase"], ", ".join(f"{pid}: {w['rss']:.0f} ({w['threads']})" for pid, w in m["workers"].items()),
               f"{m['total']:.0f}", f"{m['peak']:.0f}" if m["peak"] else "", f"{m['cpu']['wall']:.0f}",
               f"{m['cpu']['workers']:.2f} / {m['cpu']['bare']:.2f} / {m['cpu']['rest']:.2f}", m["load"])
              for m in r["memory"]]
    for name, o in a["overhead"].items():
        alone, service = o["bare_median"], o["service_median"]
        api += [(f"{name} text: engine alone (synthesize + encode)", f"{alone:.3f} s"),
                (f"{name} text: POST /api/tts/generate", f"{service:.3f} s"),
                (f"{name} text: HTTP overhead", f"{service - alone:+.3f} s ({(service / alone - 1) * 100:+.1f}%)")]
    api += [("streamed long text: first audio byte", f"{a['first']:.2f} s"),
            ("streamed long text: last byte", f"{a['last']:.2f} s"),
            (f"GET /api/auth/me, {r['clients']} clients, {r['seconds']:.0f} s",
             f"{a['rps'][0]:.0f} req/s (median {a['rps'][1]:.1f} ms)")]
    return [*section(f"4. {USERS} users at once (~{len(SMALL[0])}-character texts, non-streamed)",
                     ["measure", "value", "target", "verdict"], burst, ""),
            *section("5. Resident memory of the gunicorn workers (VmRSS, MB), and who used the cores",
                     ["after", "per worker (pid: MB, OS threads)", "total", "sampled peak of total during the phase",
                      "phase wall s", "CPU workers / bare / rest", "load average"], memory, "llrrrll",
                     f"CPU columns: cores used during the phase (CPU s per wall s, out of {r['cores']}) by the "
                     "gunicorn workers, the bare processes, and everything else (PostgreSQL, this script, other work "
                     "on the machine).\n"),
            *section("6. HTTP API: what the service adds to the engine", ["measure", "value"], api, "",
                     f"Short text ({len(SHORT)} chars), medium ({len(MEDIUM)}), long ({len(LONG)}); overhead: median "
                     f"of {r['repeat']} interleaved runs; gunicorn {g['workers']} workers, "
                     f"TTS_THREADS={g['TTS_THREADS']}, {r['cores']} cores\n"),
            *section("Summary", ["target", "measured", "bare", "ratio", "target", "verdict"], [
                *checks(r), ("4. 24 at once", f"{b['served']} x 200 of {USERS}", "", "",
                             "only 200/429/503, Retry-After on each refusal, most served",
                             verdict(all(row[3] for row in checked))),
                ("5. worker RSS, largest total after a phase", f"{max(m['total'] for m in r['memory']):.0f} MB", "",
                 "", "(reported)")])]


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
    report.finish(lambda r: "\n".join([*tables_123(r), *tables_456(r)]))


if __name__ == "__main__":
    main()
