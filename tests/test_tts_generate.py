"""POST /api/tts/generate with the real engine: audio, defaults, credits, streaming."""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request

import av
import pytest
import soundfile as sf
from sqlalchemy import func, select

from kokoro_tts.extensions import db
from kokoro_tts.models import Generation
from tests.support.app import credits_of, make_app, set_credits
from tests.support.audio import decode

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
TEXT = "Hello there. This is a short test."


def generations(app) -> list[Generation]:
    with app.app_context():
        rows = db.session.scalars(select(Generation).order_by(Generation.id)).all()
        db.session.expunge_all()
        return rows


@pytest.mark.slow
def test_generate_wav(app, auth, client):
    headers = auth.headers()
    response = client.post("/api/tts/generate", json={"text": TEXT, "lang": "en-us"}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.mimetype == "audio/wav"
    assert "attachment" in response.headers["Content-Disposition"]
    audio, rate = decode(response.data)
    assert rate == 24000
    assert abs(len(audio) / rate - float(response.headers["X-Audio-Duration"])) < 0.01
    assert abs(audio).max() > 0.05  # not silence
    assert response.headers["X-Characters-Charged"] == str(len(TEXT))
    assert response.headers["X-Credits-Remaining"] == "unlimited"
    [row] = generations(app)
    assert str(row.id) == response.headers["X-Generation-Id"]
    assert (row.text, row.characters, row.format, row.lang, row.source) == (TEXT, len(TEXT), "wav", "en-us", "api")


@pytest.mark.parametrize(("fmt", "mimetype"), [("mp3", "audio/mpeg"), ("opus", "audio/ogg"), ("flac", "audio/flac")])
def test_generate_formats(auth, client, fmt, mimetype):
    response = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us", "format": fmt},
                           headers=auth.headers())
    assert response.status_code == 200 and response.mimetype == mimetype
    audio, rate = decode(response.data)
    assert rate == 24000 and len(audio) > 2400


def _mp4(data: bytes) -> tuple[float, float]:
    """An MP4's duration (its edit list: the true length) and the seconds FFmpeg decodes of it."""
    with av.open(io.BytesIO(data)) as container:
        decoded = sum(frame.samples for frame in container.decode(audio=0)) / 24000
        return container.duration / 1e6, decoded


@pytest.mark.slow
def test_m4a_plays_whole_and_streamed_and_is_kept_as_a_regular_mp4(app, auth, client):
    headers = auth.headers()
    whole = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us", "format": "m4a"}, headers=headers)
    assert whole.status_code == 200 and whole.mimetype == "audio/mp4"
    assert whole.headers["Content-Disposition"].endswith('.m4a"')
    seconds = float(whole.headers["X-Audio-Duration"])
    duration, decoded = _mp4(whole.data)
    assert abs(duration - seconds) < 0.001 and 0 <= decoded - seconds < 0.043  # at most one AAC frame's padding
    streamed = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us", "format": "m4a", "stream": True},
                           headers=headers)
    assert streamed.status_code == 200 and b"moof" in streamed.data  # fragments, played as they come
    assert 0 <= _mp4(streamed.data)[1] - seconds < 0.043
    row = generations(app)[-1]
    kept = client.get(f"/api/tts/history/{row.id}/audio", headers=headers).data
    assert b"moof" not in kept and kept.find(b"moov") < kept.find(b"mdat")  # its index first
    assert abs(_mp4(kept)[0] - row.duration) < 0.001


def test_pcm_is_raw_s16le(auth, client):
    response = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us", "format": "pcm"},
                           headers=auth.headers())
    assert response.status_code == 200
    duration = float(response.headers["X-Audio-Duration"])
    assert abs(len(response.data) / 2 / 24000 - duration) < 0.01


@pytest.mark.slow
def test_defaults_come_from_preferences(app, auth, client):
    headers = auth.headers()
    client.put("/api/auth/preferences", json={"default_voice": "jm_kumo", "default_speed": 1.5}, headers=headers)
    assert client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=headers).status_code == 200
    [row] = generations(app)
    assert (row.voice, row.speed) == ("jm_kumo", 1.5)
    # An explicit value wins over the preference.
    client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us", "voice": "jf_nezumi", "speed": 1.0},
                headers=headers)
    assert (generations(app)[-1].voice, generations(app)[-1].speed) == ("jf_nezumi", 1.0)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "   "}, 400, "empty_text"),
        ({"text": "x" * 5001}, 413, "text_too_long"),
        ({"text": "Hi.", "voice": "zz_nobody"}, 400, "unknown_voice"),
        ({"text": "Hi.", "voice": "af_heart"}, 400, "voice_unavailable"),
        ({"text": "Hi.", "speed": 9}, 400, "validation_error"),
        ({"text": "Hi.", "format": "wma"}, 400, "unknown_format"),
        ({"text": "Hi. [pause:20s] Bye.", "lang": "en-us"}, 400, "invalid_markup"),
        ({"text": "Hi. [pause:soon] Bye.", "lang": "en-us"}, 400, "invalid_markup"),
        ({"text": "Hi. [voice:zz_nobody] Bye.", "lang": "en-us"}, 400, "unknown_voice"),
        ({"text": "Hi. [voice:af_heart] Bye.", "lang": "en-us"}, 400, "voice_unavailable"),
        ({"text": "Say [Kokoro](/k☃O/).", "lang": "en-us"}, 400, "invalid_phonemes"),
        ({"text": "Hi.", "normalization": {"money": "maybe"}}, 400, "validation_error"),
        ({"text": "Hi.", "normalization": {"sums": False}}, 400, "validation_error"),
        ({"text": "Hi.", "lang": "tlh"}, 400, "unsupported_language"),
        ({"text": 42}, 400, "validation_error"),
        ({"voice": "jf_alpha"}, 400, "validation_error"),
    ],
)
def test_bad_input_changes_nothing(app, auth, client, body, status, code):
    headers = auth.headers()
    set_credits(app, EMAIL, 10_000)
    response = client.post("/api/tts/generate", json=body, headers=headers)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert credits_of(app, EMAIL) == 10_000
    assert generations(app) == []


def test_unavailable_voice_error_names_available_ones(auth, client):
    response = client.post("/api/tts/generate", json={"text": "Hi.", "voice": "af_heart"}, headers=auth.headers())
    assert "jf_alpha" in response.json["error"]["message"]


def test_requires_authentication(client):
    response = client.post("/api/tts/generate", json={"text": "Hi."})
    assert response.status_code == 401


def test_credits_are_charged_and_checked_before_synthesis(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 10)
    response = client.post("/api/tts/generate", json={"text": TEXT, "lang": "en-us"}, headers=headers)
    assert response.status_code == 402
    error = response.json["error"]
    assert error["code"] == "insufficient_credits"
    assert error["details"] == {"credits": 10, "required": len(TEXT)}
    assert credits_of(app, EMAIL) == 10 and generations(app) == []

    ok = client.post("/api/tts/generate", json={"text": "Hi you.", "lang": "en-us"}, headers=headers)
    assert ok.status_code == 200
    assert ok.headers["X-Credits-Remaining"] == "3"
    assert credits_of(app, EMAIL) == 3


@pytest.mark.slow
def test_parallel_requests_never_overspend(app, auth, live_url):
    """Eight real concurrent requests of 10 characters against a balance of 30."""
    from kokoro_tts.context import get_engine

    token = auth.token()
    set_credits(app, EMAIL, 30)
    statuses: list[int] = []
    scheduler = get_engine(app).scheduler
    limits = scheduler.max_active, scheduler.max_per_owner
    scheduler.max_active, scheduler.max_per_owner = 8, 8  # the credits decide here, not admission

    def one() -> None:
        request = urllib.request.Request(
            f"{live_url}/api/tts/generate", method="POST",
            data=json.dumps({"text": "Hi, there.", "lang": "en-us"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scheduler.max_active, scheduler.max_per_owner = limits
    assert sorted(statuses) == [200] * 3 + [402] * 5
    assert credits_of(app, EMAIL) == 0
    assert len(generations(app)) == 3


@pytest.mark.slow
def test_stream_sends_audio_and_records_it(app, auth, client):
    headers = auth.headers()
    response = client.post("/api/tts/generate", json={"text": TEXT, "lang": "en-us", "stream": True},
                           headers=headers)
    assert response.status_code == 200
    audio, rate = decode(response.data)
    assert rate == 24000 and len(audio) > 24000 * 0.5
    [row] = generations(app)
    assert row.characters == len(TEXT) and row.audio_path is not None
    replay = client.get(f"/api/tts/history/{row.id}/audio", headers=headers)
    # the same audio; only the header differs: the stream's sizes were open, the kept file's are true
    assert replay.data[44:] == response.data[44:] and response.data[4:8] == b"\xff\xff\xff\xff"
    assert int.from_bytes(replay.data[40:44], "little") == 2 * len(audio) == len(replay.data) - 44


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3"])
def test_a_streamed_generations_stored_file_gives_its_true_length(app, auth, client, fmt):
    """What was streamed could not say its length (FLAC's header said none, WAV's the largest,
    MP3 had no info frame); the file kept, and downloaded from the history, does."""
    headers = auth.headers()
    response = client.post("/api/tts/generate", json={"text": "Hello there.", "lang": "en-us", "stream": True,
                                                      "format": fmt}, headers=headers)
    assert response.status_code == 200 and response.data  # the whole stream heard: then it is settled
    [row] = generations(app)
    stored = client.get(f"/api/tts/history/{row.id}/audio", headers=headers).data
    info = sf.info(io.BytesIO(stored))  # libsndfile reads the length from the header (mp3: the info frame)
    assert abs(info.frames / 24000 - row.duration) < 0.001 and info.samplerate == 24000
    assert len(decode(stored)[0]) == info.frames
    if fmt != "mp3":  # lossless: the samples sent, every one
        assert len(decode(response.data)[0]) == info.frames
    if fmt == "wav":  # libsndfile and FFmpeg trust the file's size over a WAV header: read the header itself
        assert int.from_bytes(stored[40:44], "little") == 2 * info.frames == len(stored) - 44
    with av.open(io.BytesIO(stored)) as container:  # FFmpeg: the duration as ffprobe reports it
        assert container.duration is not None and abs(container.duration / 1e6 - row.duration) < 0.002


@pytest.mark.slow
def test_stream_stopped_by_client_refunds_the_unspoken_part(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    text = " ".join(f"Sentence number {n} is here." for n in range(1, 13))
    response = client.post("/api/tts/generate", json={"text": text, "lang": "en-us", "stream": True},
                           headers=headers, buffered=False)
    assert response.status_code == 200
    received = b""
    chunks = iter(response.response)
    while len(received) < 44 + 4800:  # the header, then the first sentence's audio
        received += next(chunks)
    response.close()  # what a WSGI server does when the client goes away
    [row] = generations(app)
    spent = 1000 - credits_of(app, EMAIL)
    assert 0 < row.characters == spent < len(text)
    assert row.audio_path is None


def test_failed_synthesis_refunds(app, auth, database_url, tmp_path):
    """A real failure: the configured model file is not a model."""
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    other = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_ONNX_MODEL=str(broken),
                     TTS_AUDIO_DIR=str(tmp_path / "audio"))
    try:
        headers = auth.headers()
        set_credits(app, EMAIL, 100)
        body = {"text": "Hi.", "lang": "en-us"}
        response = other.test_client().post("/api/tts/generate", json=body, headers=headers)
        assert response.status_code == 503
        assert response.json["error"]["code"] == "model_unavailable"
        assert "not charged" in response.json["error"]["message"]
        assert credits_of(app, EMAIL) == 100
        assert generations(app) == []
    finally:
        make_app()  # put the shared limiter back


@pytest.mark.slow
def test_generation_is_rate_limited_per_user(app, auth, client):
    app.config["GENERATE_RATE_LIMIT"] = "1 per minute"
    try:
        headers = auth.headers()
        body = {"text": "Hi.", "lang": "en-us"}
        assert client.post("/api/tts/generate", json=body, headers=headers).status_code == 200
        limited = client.post("/api/tts/generate", json=body, headers=headers)
        assert limited.status_code == 429 and "Retry-After" in limited.headers
        # Another account has its own budget.
        other = auth.headers("grace@example.com")
        assert client.post("/api/tts/generate", json=body, headers=other).status_code == 200
    finally:
        app.config["GENERATE_RATE_LIMIT"] = "30 per minute"


@pytest.mark.slow
def test_history_rows_count(app, auth, client):
    headers = auth.headers()
    for _ in range(2):
        client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=headers)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Generation)) == 2


@pytest.mark.slow
def test_admission_refuses_at_once_and_charges_nothing(app, auth, live_url):
    """Over the account's cap: 429; over the process' queue: 503 busy; both with Retry-After, at once."""
    from kokoro_tts.context import get_engine

    scheduler = get_engine(app).scheduler
    limits = scheduler.max_active, scheduler.max_per_owner
    scheduler.max_active, scheduler.max_per_owner = 2, 1
    tokens = {email: auth.token(email) for email in (EMAIL, "eve@example.com", "bob@example.com")}
    set_credits(app, EMAIL, 1000)
    long_text = "A stream that holds its slot while it plays. " * 4

    def post(email: str, text: str, stream: bool = False):
        body = json.dumps({"text": text, "lang": "en-us", "stream": stream}).encode()
        request = urllib.request.Request(f"{live_url}/api/tts/generate", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {tokens[email]}"})
        try:
            return urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error

    try:
        held = post(EMAIL, long_text, stream=True)
        assert held.status == 200 and held.read(1000)
        mine = post(EMAIL, "Hi.")
        assert mine.status == 429 and json.loads(mine.read())["error"]["code"] == "too_many_concurrent"
        assert int(mine.headers["Retry-After"]) >= 1
        eves = post("eve@example.com", long_text, stream=True)
        assert eves.status == 200
        full = post("bob@example.com", "Hi.")
        assert full.status == 503 and json.loads(full.read())["error"]["code"] == "busy"
        assert int(full.headers["Retry-After"]) >= 1
        eves.close()
        held.close()  # the clients leave: their slots come back
        deadline = time.monotonic() + 30
        while scheduler.active() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert post(EMAIL, "Hi.").status == 200
        assert credits_of(app, EMAIL) > 1000 - len(long_text) - len("Hi.") - 1  # nothing for the refusals
    finally:
        scheduler.max_active, scheduler.max_per_owner = limits


@pytest.mark.slow
def test_synthesis_holds_no_database_connection_and_a_full_pool_is_a_503(app, auth, database_url):
    """With one pooled connection: a long generation leaves it free for others while it speaks;
    a request that cannot get one in time is a 503 with Retry-After, never a 500."""
    from kokoro_tts.context import get_engine

    auth.register()
    small = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=app.config["TTS_AUDIO_DIR"],
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 1})
    small.extensions["kokoro_engine"] = get_engine(app)  # the same loaded model
    client = small.test_client()
    token = client.post("/api/auth/login", json={"email": EMAIL, "password": "correct horse battery"}).json
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    long_text = "This sentence keeps the model busy for a while, on purpose. " * 4
    answers: list[int] = []
    worker = threading.Thread(target=lambda: answers.append(small.test_client().post(
        "/api/tts/generate", json={"text": long_text, "lang": "en-us"}, headers=headers).status_code))
    worker.start()
    time.sleep(2.5)  # charged, now synthesising
    assert worker.is_alive()
    assert client.get("/api/auth/me", headers=headers).status_code == 200  # the connection is free
    worker.join(120)
    assert answers == [200]

    with small.app_context():
        from kokoro_tts.extensions import db

        held = db.engine.connect()  # the pool's only connection, taken
        try:
            busy = small.test_client().get("/api/auth/me", headers=headers)
        finally:
            held.close()
            db.engine.dispose()
    assert busy.status_code == 503 and busy.json["error"]["code"] == "database_unavailable"
    assert busy.headers["Retry-After"]


def test_audio_longer_than_the_limit_is_refused_before_any_charge(app, auth, client):
    """4,000 characters at speed 0.25 would make about 16 minutes: over TTS_MAX_AUDIO_SECONDS (900)."""
    headers = auth.headers()
    set_credits(app, EMAIL, 10_000)
    text = ("A sentence of some fifty characters, read slowly. " * 80)[:4000]
    slow = client.post("/api/tts/generate", json={"text": text, "lang": "en-us", "speed": 0.25}, headers=headers)
    assert slow.status_code == 413 and slow.json["error"]["code"] == "text_too_long"
    assert "limit is 900 s" in slow.json["error"]["message"]
    assert credits_of(app, EMAIL) == 10_000 and generations(app) == []
