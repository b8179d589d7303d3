"""ElevenLabs' stream-input WebSocket with a plain WebSocket client (the `websockets` package):
text sent in small pieces, audio and character timings back, credits as for streams."""

from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from kokoro_tts.extensions import db
from kokoro_tts.models import Generation
from tests.support.app import PASSWORD, credits_of, set_credits
from tests.support.workers import wait_for

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
REPLY = ("The keeper climbed the stairs at dusk. He lit the great lamp, and watched the ships come home. "
         "Nobody saw him smile. ")


@pytest.fixture
def key(app, auth):
    made = auth.client.post("/api/auth/api-keys", json={"name": "agent"}, headers=auth.headers()).json["key"]
    set_credits(app, EMAIL, 10_000)
    return made


def socket_url(live_url: str, query: str = "output_format=pcm_24000&language_code=en") -> str:
    return live_url.replace("http", "ws", 1) + f"/v1/text-to-speech/jf_alpha/stream-input?{query}"


def pieces(text: str, sizes=(3, 5, 8, 4, 6, 7)) -> list[str]:
    out, at, i = [], 0, 0
    while at < len(text):
        out.append(text[at : at + sizes[i % len(sizes)]])
        at += sizes[i % len(sizes)]
        i += 1
    return out


def receive_all(ws) -> list[dict]:
    messages = []
    while True:
        message = json.loads(ws.recv(timeout=120))
        messages.append(message)
        if message.get("isFinal") or "error" in message:
            return messages


def spoken_rows(app) -> list[Generation]:
    with app.app_context():
        return list(db.session.scalars(select(Generation).order_by(Generation.id)))


@pytest.mark.slow
def test_text_in_small_pieces_comes_back_as_audio_with_rising_timings(app, key, live_url):
    with connect(socket_url(live_url), additional_headers={"xi-api-key": key}) as ws:
        ws.send(json.dumps({"text": " ", "voice_settings": {"speed": 1.0, "stability": 0.5}}))
        for piece in pieces(REPLY):
            ws.send(json.dumps({"text": piece, "try_trigger_generation": True}))
            time.sleep(0.03)  # as an LLM writes
        ws.send(json.dumps({"text": ""}))
        messages = receive_all(ws)
    assert messages[-1] == {"isFinal": True}
    audio = b"".join(base64.b64decode(m["audio"]) for m in messages if m.get("audio"))
    samples = np.frombuffer(audio, "<i2")
    assert len(samples) / 24000 > 4 and np.sqrt(np.mean((samples / 32768.0) ** 2)) > 0.02
    chars = [c for m in messages[:-1] for c in m["alignment"]["chars"]]
    starts = [t for m in messages[:-1] for t in m["alignment"]["charStartTimesMs"]]
    assert "".join(chars).strip() == REPLY.strip()
    assert starts == sorted(starts) and starts[-1] <= len(samples) / 24000 * 1000 + 5
    rows = spoken_rows(app)
    assert rows[0].text.strip() == "The keeper climbed the stairs at dusk."  # started as soon as it ended
    assert len(rows) >= 2
    assert "".join(r.text for r in rows).strip() == REPLY.strip()
    assert 10_000 - credits_of(app, EMAIL) == sum(r.characters for r in rows) == sum(len(r.text) for r in rows)


@pytest.mark.slow
def test_sentences_that_arrive_while_one_is_spoken_are_spoken_as_one_piece(app, key, live_url):
    sentences = ["The keeper climbed the stairs at dusk. ", "He lit the great lamp. ", "Nobody saw him smile. ",
                 "And then the night came. "]
    with connect(socket_url(live_url), additional_headers={"xi-api-key": key}) as ws:
        for sentence in sentences:
            ws.send(json.dumps({"text": sentence}))
        ws.send(json.dumps({"text": ""}))
        assert receive_all(ws)[-1] == {"isFinal": True}
    rows = spoken_rows(app)
    assert 1 <= len(rows) <= 2  # one generation per message would be 4, each with its own first-chunk wait
    assert "".join(r.text for r in rows) == "".join(sentences)


@pytest.mark.slow
def test_closing_mid_reply_refunds_what_was_not_spoken(app, key, live_url):
    long = REPLY * 4
    with connect(socket_url(live_url), additional_headers={"xi-api-key": key}) as ws:
        ws.send(json.dumps({"text": long, "flush": True}))
        first = json.loads(ws.recv(timeout=120))
        assert first.get("audio")
    rows = wait_for(lambda: all(r.status != "pending" for r in spoken_rows(app)) and spoken_rows(app), 60,
                    "the pieces spoken to settle")
    spent = 10_000 - credits_of(app, EMAIL)
    assert 0 < spent < len(long)
    assert spent == sum(r.characters for r in rows)


def test_a_wrong_key_is_refused_before_the_upgrade(live_url):
    with pytest.raises(InvalidStatus) as info:
        connect(socket_url(live_url), additional_headers={"xi-api-key": "kk_wrong"})
    assert info.value.response.status_code == 401
    assert json.loads(info.value.response.body)["detail"]["status"] == "invalid_api_key"
    with pytest.raises(InvalidStatus) as info:
        connect(socket_url(live_url, "output_format=wav_8000"))
    assert info.value.response.status_code == 400


@pytest.mark.slow
def test_the_key_may_come_in_the_first_message_and_an_idle_socket_is_closed(app, key, live_url):
    with connect(socket_url(live_url, "output_format=ulaw_8000&inactivity_timeout=1")) as ws:
        ws.send(json.dumps({"text": "Hello there. ", "xi_api_key": key}))
        first = json.loads(ws.recv(timeout=60))
        assert first.get("audio") and first["alignment"]["chars"]
        started = time.monotonic()
        messages = receive_all(ws)
        assert messages[-1]["error"] == "input_timeout"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
        assert time.monotonic() - started < 30
    with connect(socket_url(live_url)) as ws:
        ws.send(json.dumps({"text": "Hello. ", "xi_api_key": "kk_wrong"}))
        assert json.loads(ws.recv(timeout=10))["error"] == "invalid_api_key"


@pytest.mark.slow
def test_a_socket_opened_without_a_key_has_ten_seconds_to_send_it(live_url):
    """Each open socket holds a worker thread: one with no key may not hold it for the 180 s its
    inactivity_timeout asks."""
    started = time.monotonic()
    with connect(socket_url(live_url, "output_format=pcm_24000&inactivity_timeout=180")) as ws:
        assert json.loads(ws.recv(timeout=60))["error"] == "input_timeout"
    assert 9 < time.monotonic() - started < 20


def test_sockets_open_at_once_in_a_process_are_bounded(app, key, live_url):
    """Beyond STREAM_INPUT_SOCKETS, a socket is refused before the upgrade (503 busy); a closed
    one frees its place."""
    configured, app.config["STREAM_INPUT_SOCKETS"] = app.config["STREAM_INPUT_SOCKETS"], 1
    try:
        with connect(socket_url(live_url), additional_headers={"xi-api-key": key}):
            with pytest.raises(InvalidStatus) as info:
                connect(socket_url(live_url), additional_headers={"xi-api-key": key})
            assert info.value.response.status_code == 503
            assert json.loads(info.value.response.body)["detail"]["status"] == "busy"

        def opens() -> bool:
            try:
                with connect(socket_url(live_url), additional_headers={"xi-api-key": key}):
                    pass
            except InvalidStatus:
                return False
            return True

        wait_for(opens, 10, "the closed socket's place to be free")
    finally:
        app.config["STREAM_INPUT_SOCKETS"] = configured


def test_the_pages_session_cookie_opens_a_socket_from_its_own_origin_only(app, auth, live_url):
    import httpx

    auth.register()
    set_credits(app, EMAIL, 1000)
    session = httpx.post(f"{live_url}/api/auth/session", json={"email": EMAIL, "password": PASSWORD})
    assert session.status_code == 200, session.text
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    with connect(socket_url(live_url), additional_headers={"Cookie": cookie}, origin=live_url) as ws:
        ws.send(json.dumps({"text": "Hello. ", "flush": True}))
        assert json.loads(ws.recv(timeout=60)).get("audio")
    with pytest.raises(InvalidStatus) as info:
        connect(socket_url(live_url), additional_headers={"Cookie": cookie}, origin="http://evil.example")
    assert info.value.response.status_code == 403


@pytest.mark.system
def test_under_gunicorn_a_socket_speaks_and_is_charged(database, tmp_path):
    """The project's gunicorn (gthread workers) serves the socket as Werkzeug's server does."""
    from tests.support.faults import Gunicorn
    from tests.support.served import CREDITS, Ledger, account, call, server_env

    ledger = Ledger(database)
    with Gunicorn(server_env(database, tmp_path / "audio"), tmp_path / "gunicorn.log") as server:
        token = account(server.url, ledger, "agent@example.com")
        status, made, _ = call(server.url, "POST", "/api/auth/api-keys", {"name": "agent"}, token)
        assert status == 201
        with connect(socket_url(server.url), additional_headers={"xi-api-key": made["key"]}) as ws:
            for piece in pieces("Hello from gunicorn. It speaks as text comes. "):
                ws.send(json.dumps({"text": piece}))
            ws.send(json.dumps({"text": ""}))
            messages = receive_all(ws)
        assert messages[-1] == {"isFinal": True} and any(m.get("audio") for m in messages)
        _, me, _ = call(server.url, "GET", "/api/auth/me", token=token)
        spent, recorded, pending = ledger.state("agent@example.com")
        warm_up = len("Warm up.")  # account() speaks it first
        assert pending == 0 and spent == recorded == warm_up + len("Hello from gunicorn. It speaks as text comes. ")
        assert me["credits"] == CREDITS - spent
