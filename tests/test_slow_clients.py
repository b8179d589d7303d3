"""Clients that hold the service without reading, or leave before their audio is made, under
gunicorn: a stream nobody reads is stopped after STREAM_WRITE_TIMEOUT and settled like a client
that left (its slot free again); a whole generation whose client left stops and is refunded."""

from __future__ import annotations

import json
import socket
import time

import pytest

from kokoro_tts.engine.pacing import HOLD_AT_MOST
from tests.support.faults import Gunicorn
from tests.support.served import LONG, Ledger, account, call, server_env

pytestmark = pytest.mark.system

WRITE_TIMEOUT = 3


def _send(port: int, token: str, body: dict) -> socket.socket:
    """A POST /api/tts/generate from a client that will never read its answer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and keeps nothing for itself
    sock.connect(("127.0.0.1", port))
    payload = json.dumps(body).encode()
    sock.sendall(f"POST /api/tts/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)
    return sock


def _until(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"waited {timeout} s for {what}"
        time.sleep(0.2)
    return time.monotonic() - started


def test_streams_nobody_reads_free_their_slots_within_the_write_timeout(database, tmp_path):
    ledger = Ledger(database)
    env = {**server_env(database, tmp_path / "audio"), "TTS_MAX_QUEUE": "2", "STREAM_WRITE_TIMEOUT": str(WRITE_TIMEOUT),
           "PENDING_GENERATION_TIMEOUT": "900"}  # no sweep: the streams settle themselves
    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        holder, other = "holder@example.com", "other@example.com"
        token = account(server.url, ledger, holder)
        other_token = account(server.url, ledger, other)
        held = [_send(server.port, token, {"text": LONG, "lang": "en-us", "format": "pcm", "stream": True})
                for _ in range(2)]
        _until(lambda: ledger.state(holder)[2] == 2, 30, "both streams to be charged")
        short = {"text": "Anyone there?", "lang": "en-us"}
        assert call(server.url, "POST", "/api/tts/generate", short, other_token)[0] == 503  # every slot held
        # On a machine slower than real time, a stream's first bytes are held first (HOLD_AT_MOST).
        waited = _until(lambda: ledger.state(holder)[2] == 0, HOLD_AT_MOST + WRITE_TIMEOUT + 30,
                        "the held streams to be stopped")
        assert call(server.url, "POST", "/api/tts/generate", short, other_token)[0] == 200
        print(f"the held streams were stopped and settled {waited:.1f} s after the service was full "
              f"(write timeout {WRITE_TIMEOUT} s)")
        spent, recorded, _ = ledger.state(holder)
        assert 0 < spent == recorded < 2 * len(LONG)  # what was sent is charged; the rest refunded
        assert "Socket error" not in (tmp_path / "gunicorn.log").read_text()  # stopped quietly
        for sock in held:
            sock.close()


def test_a_whole_generation_whose_client_left_stops_and_is_refunded(database, tmp_path):
    ledger = Ledger(database)
    with Gunicorn(server_env(database, tmp_path / "audio"), tmp_path / "gunicorn.log") as server:
        email = "leaver@example.com"
        token = account(server.url, ledger, email)
        before = ledger.state(email)
        sock = _send(server.port, token, {"text": LONG, "lang": "en-us", "speed": 0.5})
        _until(lambda: ledger.state(email)[2] == 1, 30, "the generation to be charged")
        time.sleep(1)
        sock.close()  # gone, long before its 30 s of synthesis could end
        stopped = _until(lambda: ledger.state(email)[2] == 0, 20, "the generation to stop")
        print(f"stopped and settled {stopped:.1f} s after its client left")
        assert ledger.state(email) == before  # refunded in full, no history row
