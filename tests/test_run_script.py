"""`./scripts/run.sh`, the first of the README's two commands, on a machine that can reach the
Hub (a local stand-in at HF_ENDPOINT) and on one that cannot: the first fetches the official
voices on its first run; the second starts about as fast as with the fetch turned off (one
start of the CLI more), saying why."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from kokoro_tts.engine.catalogue import catalogue
from tests.support.hub import serving, voice_pt
from tests.support.net import free_port

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, name: str, **env: str) -> tuple[float, str, list[dict]]:
    """Start run.sh, wait for its page; (seconds to ready, what it printed, the voices it lists)."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "HF_", "FLASK_"))}
    environment.update(PORT=str(port), INSTANCE_PATH=str(tmp_path / name), TTS_CACHE_DIR=str(tmp_path / "cache"),
                       HF_HOME=str(tmp_path / "hf"), **env)
    log = tmp_path / f"{name}.log"
    started = time.monotonic()
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=environment, start_new_session=True,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        while True:
            assert process.poll() is None and time.monotonic() - started < 300, log.read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/tts/voices?available=true", timeout=5) as r:
                    return time.monotonic() - started, log.read_text(), json.load(r)["voices"]
            except OSError:
                time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def test_the_first_run_fetches_the_official_voices_and_offline_starts_at_once(tmp_path):
    voices = {f"voices/{v.id}.pt": voice_pt(n) for n, v in enumerate(catalogue())}
    with serving(voices) as hub_url:
        _, printed, available = _run(tmp_path, "online", HF_ENDPOINT=hub_url)
    assert {v["id"] for v in available} == {v.id for v in catalogue()}  # the 54, French among them
    assert f"{len(voices)} voices fetched" in printed

    shutil.rmtree(tmp_path / "cache" / "voices")  # a machine that never fetched them
    disabled, _, embedded = _run(tmp_path, "disabled", KOKORO_FETCH_VOICES="0")
    offline, printed, still = _run(tmp_path, "offline", HF_ENDPOINT="http://127.0.0.1:9")
    assert len(embedded) == len(still) == 5
    said = [line for line in printed.splitlines() if "Hub" in line]
    assert len(said) == 1 and "cannot be reached" in said[0], printed
    print(f"to ready: fetch off {disabled:.1f} s, offline {offline:.1f} s")
    # The attempt costs one start of the flask CLI (0.8 s on a fast machine, 3.7 s on one 3x slower),
    # not a wait for the Hub: its 3 s connect timeout would show on top.
    assert offline < disabled * 1.3 + 1
