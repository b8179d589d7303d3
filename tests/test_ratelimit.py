"""Login attempts are rate-limited: in memory by default, in Redis when configured."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.support.app import make_app

pytestmark = pytest.mark.system


def _exhaust(client, limit: int, email: str = "nobody@example.com"):
    for _ in range(limit):
        response = client.post("/api/auth/login", json={"email": email, "password": "wrong password"})
        assert response.status_code == 401
    return client.post("/api/auth/login", json={"email": email, "password": "wrong password"})


def _assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_login_is_rate_limited_in_memory(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        _assert_limited(_exhaust(client, 3))
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


def test_login_is_rate_limited_in_redis(database_url):
    # A unique prefix keeps runs apart on the shared server.
    app = make_app(
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_STORAGE_URI=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        RATELIMIT_KEY_PREFIX=f"kokoro-test-{uuid.uuid4().hex}",
        LOGIN_RATE_LIMIT="2 per minute",
    )
    try:
        from kokoro_tts.extensions import limiter

        assert type(limiter.storage).__name__ == "RedisStorage"
        # Two clients of the same app share the Redis counter (as gunicorn workers do).
        _exhaust(app.test_client(), 2)
        _assert_limited(app.test_client().post(
            "/api/auth/login", json={"email": "x@example.com", "password": "wrong password"}))
    finally:
        make_app()  # put the shared limiter back on in-memory storage
