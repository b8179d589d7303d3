"""The headers every answer carries (kokoro_tts/openapi.py): `X-Content-Type-Options: nosniff` on all,
`Cache-Control: no-store` on the API's answers (tokens, keys, private data) but not on its documentation,
and `Retry-After` only on 429 and 503, saying how many seconds to wait."""

from __future__ import annotations

import time

import pytest
from flask import Flask, Response

import config
from kokoro_tts import create_app
from kokoro_tts.openapi import answer_headers
from tests.support.app import bearer, make_app

pytestmark = pytest.mark.api

DOCUMENTATION = ("/api/openapi.json", "/api/docs", "/api/docs/assets/swagger-ui.css",
                 "/api/docs/assets/swagger-ui-bundle.js", "/api/docs/page/swagger-init.js")


def _login(client, password: str = "wrong password"):
    return client.post("/api/auth/login", json={"email": "ada@example.com", "password": password})


def test_every_answer_says_nosniff(auth, client):
    headers = auth.headers()
    answers = [
        client.get("/healthz"),
        client.get("/api/auth/me", headers=headers),
        client.get("/api/auth/me"),  # 401
        client.get("/api/nowhere"),  # 404 of the router
        client.post("/api/auth/login", data="x", content_type="text/plain"),  # 415
        client.get("/v1/models"),
        *(client.get(path) for path in DOCUMENTATION),
    ]
    for response in answers:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path


def test_the_api_answers_are_never_stored(auth, client):
    registered = auth.register()
    headers = bearer(registered.json["access_token"])
    answers = [
        registered,  # a token
        client.post("/api/auth/api-keys", json={"name": "sdk"}, headers=headers),  # a key
        client.get("/api/auth/me", headers=headers),  # private data
        client.get("/api/tts/history", headers=headers),
        client.get("/api/tts/voices", headers=headers),
        client.get("/api/auth/me"),  # errors too
        client.get("/api/nowhere"),
        client.get("/v1/models"),
        client.get("/v1/audio/voices"),
    ]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", (response.request.path, response.status_code)


def test_the_replayed_audio_is_not_stored(auth, client):
    headers = auth.headers()
    generated = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=headers)
    assert generated.status_code == 200
    assert generated.headers["Cache-Control"] == "no-store"
    replay = client.get(f"/api/tts/history/{generated.headers['X-Generation-Id']}/audio", headers=headers)
    assert replay.status_code == 200
    assert replay.headers["Cache-Control"] == "no-store"


def test_the_documentation_may_be_cached(client):
    for path in DOCUMENTATION:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_the_documentation_is_framed_by_no_one_and_runs_no_inline_script(client):
    """Finding 10: /api/docs could be framed and had no CSP (tests/browser/test_docs_page.py: it renders)."""
    for path in DOCUMENTATION:
        response = client.get(path)
        policy = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_successful_answers_carry_no_retry_after(auth, client):
    registered = auth.register()
    logged_in = auth.login()
    for response in (registered, logged_in):
        assert response.status_code in (200, 201)
        assert "Retry-After" not in response.headers
    # The rate-limit headers stay: how many requests are left, and when the window resets.
    assert logged_in.headers["X-RateLimit-Limit"] == "10"
    assert logged_in.headers["X-RateLimit-Remaining"] == "9"
    assert int(logged_in.headers["X-RateLimit-Reset"]) > time.time()
    assert "Retry-After" not in client.get("/api/auth/me", headers=bearer(logged_in.json["access_token"])).headers


def test_a_429_says_how_long_to_wait(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        for _ in range(2):
            refused = _login(client)
            assert refused.status_code == 401 and "Retry-After" not in refused.headers
        limited = _login(client)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 60
    reset = int(limited.headers["X-RateLimit-Reset"])
    assert abs((reset - time.time()) - wait) <= 2
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_a_429_under_v1_says_how_long_to_wait_too(app, auth, client):
    app.config["GENERATE_RATE_LIMIT"] = "1 per minute"
    try:
        headers = auth.headers()
        # Counted before the body is read: two invalid requests are enough, no synthesis needed.
        assert client.post("/v1/audio/speech", json={}, headers=headers).status_code == 400
        limited = client.post("/v1/audio/speech", json={}, headers=headers)
    finally:
        app.config["GENERATE_RATE_LIMIT"] = "30 per minute"
    assert limited.status_code == 429
    assert limited.json["error"]["type"] == "rate_limit_exceeded"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_retry_after_is_kept_on_503_and_dropped_elsewhere(app):
    with app.test_request_context("/api/auth/me"):
        unavailable = answer_headers(Response(status=503, headers={"Retry-After": "5"}))
        ok = answer_headers(Response(status=200, headers={"Retry-After": "5"}))
        not_found = answer_headers(Response(status=404, headers={"Retry-After": "5"}))
    assert unavailable.headers["Retry-After"] == "5"
    assert "Retry-After" not in ok.headers
    assert "Retry-After" not in not_found.headers


def _answers(client) -> list:
    return [client.get("/healthz"), client.get("/"), client.get("/api/docs"), client.get("/api/auth/me"),
            client.get("/api/nowhere"), client.post("/api/auth/login", data="x", content_type="text/plain"),
            client.get("/v1/models"), client.get("/metrics")]


def test_production_answers_say_https_only(app: Flask):
    """Finding 10: no HSTS. In production every answer, errors included, carries it."""

    class Prod(config.ProductionConfig):
        SECRET_KEY = "k" * 32
        PUBLIC_URL = "https://tts.example.org"
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    for response in _answers(create_app(Prod).test_client()):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", (
            response.request.path, response.status_code)


def test_development_answers_do_not(app: Flask):
    """Plain HTTP on 127.0.0.1: a browser told HSTS there would refuse every other local server."""

    class Dev(config.DevelopmentConfig):
        SECRET_KEY = "k" * 32
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    testing = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    for client in (create_app(Dev).test_client(), testing.test_client()):
        for response in _answers(client):
            assert "Strict-Transport-Security" not in response.headers, response.request.path
