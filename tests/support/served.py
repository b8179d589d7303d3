"""The service under gunicorn, as clients and operators see it: plain HTTP calls, accounts with
credits, and the ledger read behind the service's back."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, func, select

from kokoro_tts.models import PENDING, Generation, User

CREDITS = 100_000
TIMEOUT = 3  # PENDING_GENERATION_TIMEOUT of the server under test
#: A 595-character text: about 15 s of synthesis here, time enough to kill a worker in it.
LONG = (
    "The old lighthouse keeper climbed the spiral stairs every evening, counting each of the "
    "one hundred and twelve steps. At the top he trimmed the wick, polished the great lens, and "
    "watched the ships slide past the rocks below. Nobody had told him that the light was "
    "automatic now, that a small machine in the cellar did his work. He did not need to know. "
    "Each night the beam swept the water, and each morning he wrote a single line in his log: "
    "all ships safe. Years later, when the village finally found the log, they read every page "
    "aloud in the square, and nobody who heard it ever forgot the sound of those three words."
)


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None,
         timeout: float = 60) -> tuple[int, dict, dict]:
    """(status, JSON body or {}, headers) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read(), error.code, dict(error.headers)
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {}
    return status, payload, headers


class Ledger:
    """Reads the test database directly, behind the service's back."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def set_credits(self, email: str, credits: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(User.__table__.update().where(User.email == email).values(credits=credits))

    def state(self, email: str) -> tuple[int, int, int]:
        """(credits spent, characters in the history, rows still pending)."""
        with self.engine.connect() as conn:
            user_id, credits = conn.execute(select(User.id, User.credits).where(User.email == email)).one()
            recorded = conn.scalar(select(func.coalesce(func.sum(Generation.characters), 0))
                                   .where(Generation.user_id == user_id))
            pending = conn.scalar(select(func.count()).where(Generation.user_id == user_id,
                                                             Generation.status == PENDING))
        return CREDITS - credits, recorded, pending

    def wait_for_pending(self, email: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.state(email)[2] == 0:
            assert time.monotonic() < deadline, "the generation never started"
            time.sleep(0.05)


def server_env(database_url: str, audio: Path) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "TTS_AUDIO_DIR": str(audio), "WEB_CONCURRENCY": "1",
            "PENDING_GENERATION_TIMEOUT": str(TIMEOUT), "PENDING_SWEEP_INTERVAL": "0",
            "TTS_DEFAULT_VOICE": "jf_alpha"}


def account(base: str, ledger: Ledger, email: str) -> str:
    status, body, _ = call(base, "POST", "/api/auth/register", {"email": email, "password": "password123"})
    assert status == 201, body
    ledger.set_credits(email, CREDITS)
    warm_up = {"text": "Warm up.", "lang": "en-us"}
    assert call(base, "POST", "/api/tts/generate", warm_up, body["access_token"])[0] == 200
    return call(base, "POST", "/api/auth/login", {"email": email, "password": "password123"})[1]["access_token"]


def in_background(fn) -> threading.Thread:
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread
