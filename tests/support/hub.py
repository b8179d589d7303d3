"""A local server standing in for the Hugging Face Hub (HF_ENDPOINT): it serves the files it is
given as hexgrad/Kokoro-82M's, at the pinned revision, as huggingface_hub asks for them."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from kokoro_tts.engine import hub


def voice_pt(seed: int) -> bytes:
    """A voice as the Hub keeps one: a (510, 1, 256) float32 tensor saved by torch."""
    import torch  # a requirement (the torch back-end); imported only by the tests that make voices

    buf = io.BytesIO()
    torch.save(torch.from_numpy(np.random.default_rng(seed).standard_normal((510, 1, 256)).astype("float32")), buf)
    return buf.getvalue()


class Hub(BaseHTTPRequestHandler):
    """Answers the two requests huggingface_hub makes for a file: HEAD (metadata), then GET."""

    files: dict[str, bytes] = {}
    requests: list[str] = []

    def _answer(self, with_body: bool) -> None:
        self.requests.append(f"{self.command} {self.path}")
        prefix = f"/{hub.REPO}/resolve/{hub.REVISION}/"
        data = self.files.get(self.path[len(prefix):]) if self.path.startswith(prefix) else None
        if data is None:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", hub.REVISION)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self._answer(False)

    def do_GET(self) -> None:
        self._answer(True)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(files: dict[str, bytes]) -> Iterator[str]:
    """The stand-in Hub serving `files` (paths in the repository -> bytes); its address."""
    Hub.files, Hub.requests = files, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
