"""`tts download` against a local server standing in for the Hugging Face Hub (HF_ENDPOINT):
the voices it serves become available; offline it fails at once, leaving no partial file."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch

from kokoro_tts.engine import hub

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]


def voice_pt(seed: int) -> bytes:
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


@pytest.fixture
def stand_in_hub():
    Hub.files = {"voices/af_heart.pt": voice_pt(1), "voices/ff_siwis.pt": voice_pt(2), "voices/af_bella.pt": b"junk"}
    Hub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def flask(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "HF_"))}
    environment.update(APP_ENV="development", INSTANCE_PATH=str(tmp_path / "instance"),
                       TTS_CACHE_DIR=str(tmp_path / "cache"), HF_HOME=str(tmp_path / "hf"), **env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=180)


def test_download_makes_the_voices_available(stand_in_hub, tmp_path):
    first = flask(["tts", "download", "--voices", "af_heart,ff_siwis"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert first.returncode == 0, first.stderr
    assert "2 voices fetched" in first.stdout
    folder = tmp_path / "cache" / "voices"
    assert sorted(p.name for p in folder.iterdir()) == ["af_heart.bin", "ff_siwis.bin"]
    expected = torch.load(io.BytesIO(Hub.files["voices/af_heart.pt"]), weights_only=True).numpy().reshape(-1)
    assert np.array_equal(np.fromfile(folder / "af_heart.bin", dtype="<f4"), expected)

    again = flask(["tts", "download", "--voices", "af_heart,ff_siwis"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert again.returncode == 0 and "0 voices fetched" in again.stdout  # resumable: nothing twice

    listed = flask(["tts", "voices", "--available"], tmp_path)
    ids = {line.split()[0] for line in listed.stdout.splitlines()[1:]}
    assert {"af_heart", "ff_siwis", "jf_alpha"} <= ids and "af_bella" not in ids
    said = flask(["tts", "say", "Bonjour.", "--voice", "ff_siwis", "-o", str(tmp_path / "b.wav")], tmp_path)
    assert said.returncode == 0, said.stderr


def test_a_file_that_is_not_a_voice_leaves_nothing(stand_in_hub, tmp_path):
    result = flask(["tts", "download", "--voices", "af_bella"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert result.returncode == 1 and "af_bella" in result.stderr and "not a Kokoro voice" in result.stderr
    assert list((tmp_path / "cache" / "voices").iterdir()) == []


def test_offline_fails_at_once_with_one_line_and_no_files(tmp_path):
    result = flask(["tts", "download"], tmp_path, HF_ENDPOINT="http://127.0.0.1:9")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: cannot fetch voice af_heart from http://127.0.0.1:9")
    folder = tmp_path / "cache" / "voices"
    assert not folder.exists() or list(folder.iterdir()) == []
