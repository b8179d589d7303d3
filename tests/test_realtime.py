"""Real-time admission over HTTP: a stream beyond what the machine speaks in real time waits in
line, answering at once with its place (X-Queue-Position, followed at GET /api/tts/queue), and plays
when its turn comes; with no line (TTS_STREAM_QUEUE=0) it is a 503 `busy` with Retry-After."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from kokoro_tts.context import get_engine
from kokoro_tts.extensions import db
from kokoro_tts.models import PENDING, Generation
from tests.support.app import bearer, credits_of, set_credits
from tests.support.workers import wait_for

pytestmark = pytest.mark.api

LONG = " ".join(f"Sentence number {n} is spoken while the others wait." for n in range(1, 13))


@pytest.fixture
def one_listener(app):
    """The machine speaks one live stream in real time (its measured speed made low)."""
    scheduler = get_engine(app).scheduler
    saved = scheduler._core_speed, scheduler.line_size
    scheduler._core_speed = 0.5
    assert scheduler.capacity() == 1
    yield scheduler
    scheduler._core_speed, scheduler.line_size = saved


def _stream(live_url: str, token: str, text: str = LONG):
    body = json.dumps({"text": text, "lang": "en-us", "format": "pcm", "stream": True}).encode()
    request = urllib.request.Request(f"{live_url}/api/tts/generate", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        return urllib.request.urlopen(request, timeout=120)
    except urllib.error.HTTPError as error:
        return error


def _leave(app, playing) -> None:
    """The listener leaves; its stream is settled before the test ends."""
    playing.close()
    _settled(app)


def _settled(app) -> None:
    """Every stream settled: a stream whose listener left is noticed at its next write, and would
    otherwise settle while the database is emptied for the next test (a deadlock, seen)."""

    def pending() -> int:
        with app.app_context():
            count = db.session.scalar(select(func.count()).where(Generation.status == PENDING))
            db.session.remove()
        return count

    wait_for(lambda: not pending(), 120, "the streams to be settled")


@pytest.mark.slow
def test_a_stream_beyond_capacity_waits_in_line_then_plays(app, auth, client, live_url, one_listener):
    ada, bob = auth.token(), auth.token("bob@example.com")
    set_credits(app, "bob@example.com", 10_000)
    playing = _stream(live_url, ada)
    assert playing.status == 200 and "X-Queue-Position" not in playing.headers and playing.read(9600)
    started = time.monotonic()
    waiting = _stream(live_url, bob, "Waiting my turn.")
    assert waiting.status == 200 and waiting.headers["X-Queue-Position"] == "1"
    assert time.monotonic() - started < 5  # answered at once, its audio to follow
    line = client.get("/api/tts/queue", headers=bearer(bob)).json
    assert line == {"places": [1], "listening": 1, "waiting": 1, "capacity": 1}
    assert client.get("/api/tts/queue", headers=bearer(ada)).json["places"] == []
    playing.close()  # the first listener leaves: the one in line starts
    audio = waiting.read()
    assert len(audio) > 24_000  # more than half a second of 16-bit speech at 24 kHz
    assert credits_of(app, "bob@example.com") == 10_000 - len("Waiting my turn.")
    _settled(app)


@pytest.mark.slow
def test_without_a_line_a_stream_beyond_capacity_is_busy(app, auth, live_url, one_listener):
    one_listener.line_size = 0
    ada, bob = auth.token(), auth.token("bob@example.com")
    set_credits(app, "bob@example.com", 100)
    playing = _stream(live_url, ada)
    assert playing.status == 200 and playing.read(9600)
    refused = _stream(live_url, bob, "Let me in.")
    assert refused.status == 503 and json.loads(refused.read())["error"]["code"] == "busy"
    assert int(refused.headers["Retry-After"]) >= 1
    assert credits_of(app, "bob@example.com") == 100
    _leave(app, playing)


@pytest.mark.slow
def test_a_listener_who_leaves_the_line_pays_nothing_and_frees_the_place(app, auth, client, live_url, one_listener):
    ada, bob = auth.token(), auth.token("bob@example.com")
    set_credits(app, "bob@example.com", 10_000)
    playing = _stream(live_url, ada)
    assert playing.read(9600)
    waiting = _stream(live_url, bob, "I will not wait.")
    assert waiting.headers["X-Queue-Position"] == "1"
    waiting.close()
    deadline = time.monotonic() + 10
    while client.get("/api/tts/queue", headers=bearer(bob)).json["waiting"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/api/tts/queue", headers=bearer(bob)).json["places"] == []
    assert credits_of(app, "bob@example.com") == 10_000
    _leave(app, playing)
