"""Real processes and real faults for the fault tests: the service under gunicorn (its own
gunicorn.conf.py), and a TCP proxy in front of PostgreSQL that can cut every connection and
refuse new ones, as a database restart does, without stopping the shared test server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .net import free_port

ROOT = Path(__file__).resolve().parents[2]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py wsgi:app` on a free port, with the given environment."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "APP_ENV": "production", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                    "SECRET_KEY": "fault-test-secret-key-0123456789-abcdef", "PUBLIC_URL": self.url, **env}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200 and self.workers():
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        """The worker processes (children of the master)."""
        assert self.proc is not None
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def kill_workers(self) -> None:
        """SIGKILL every worker, as the kernel's out-of-memory killer would; the master respawns."""
        old = self.workers()
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = self.workers()
            if now and not set(now) & set(old):
                break
            time.sleep(0.1)
        self.wait_ready()


class PgProxy:
    """TCP proxy to PostgreSQL; `cut()` drops every connection and refuses new ones until `restore()`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepting = True
        self.running = True
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.accepting:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, socket.socket]) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        self._drop(pair)

    def _drop(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def cut(self) -> None:
        self.accepting = False
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._drop(pair)

    def restore(self) -> None:
        self.accepting = True

    def close(self) -> None:
        self.running = False
        self.cut()
        self.server.close()
