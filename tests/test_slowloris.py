"""Slowloris through the proxy docker-compose runs (deploy/nginx.conf, by Debian's nginx): thirty
clients sending their requests a byte at a time do not keep another client from being answered,
because nginx reads each request whole before gunicorn sees it."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.support.faults import Gunicorn
from tests.support.nginx import Nginx
from tests.support.served import call, server_env

pytestmark = pytest.mark.system

SLOW_CLIENTS = 30


def _slowloris(port: int, stop: threading.Event) -> list[socket.socket]:
    """Open connections and send a request's header one byte a second, never finishing it."""
    header = b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: "
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW_CLIENTS)]

    def drip() -> None:
        for byte in header + b"a" * 60:
            if stop.is_set():
                return
            for sock in socks:
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    pass  # dropped by the proxy: that is its job
            time.sleep(1)

    threading.Thread(target=drip, daemon=True).start()
    return socks


def test_slow_clients_through_the_proxy_leave_others_answered(database, tmp_path):
    with Gunicorn(server_env(database, tmp_path / "audio"), tmp_path / "gunicorn.log") as server, \
            Nginx(f"127.0.0.1:{server.port}", tmp_path) as proxy:
        stop = threading.Event()
        socks = _slowloris(proxy.port, stop)
        try:
            time.sleep(3)  # every slow connection is open and dripping
            times = []
            for _ in range(4):
                started = time.monotonic()
                status, body, _ = call(proxy.url, "POST", "/api/auth/register",
                                       {"email": f"u{len(times)}@example.com", "password": "password123"}, timeout=10)
                times.append(time.monotonic() - started)
                assert status == 201, body
                assert call(proxy.url, "GET", "/readyz", timeout=10)[0] == 200
            print(f"answered through the proxy beside {SLOW_CLIENTS} slow clients in {max(times):.2f} s at most")
            assert max(times) < 5
        finally:
            stop.set()
            for sock in socks:
                sock.close()
