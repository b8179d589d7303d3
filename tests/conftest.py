"""Fixtures: an app on a real PostgreSQL database (migrated once per session,
emptied after every test), its client and CLI runner, and an `auth` helper."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from kokoro_tts import create_app
from kokoro_tts.extensions import db, limiter
from tests.pg import temporary_database

PASSWORD = "correct horse battery"


def make_app(**overrides: Any) -> Flask:
    class Config(TestingConfig):
        pass

    for key, value in overrides.items():
        setattr(Config, key, value)
    return create_app(Config)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path_factory.mktemp("audio")))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    with _migrated_app.app_context():
        limiter.reset()
    yield _migrated_app
    with _migrated_app.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    # Ids restart, so the audio files of this test must go with its rows.
    audio = Path(_migrated_app.config["TTS_AUDIO_DIR"])
    shutil.rmtree(audio, ignore_errors=True)
    audio.mkdir()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class AuthActions:
    """Registers and logs in through the real API."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def register(self, email: str = "ada@example.com", password: str = PASSWORD, **extra: Any):
        return self.client.post(
            "/api/auth/register", json={"email": email, "password": password, **extra}
        )

    def login(self, email: str = "ada@example.com", password: str = PASSWORD):
        return self.client.post("/api/auth/login", json={"email": email, "password": password})

    def token(self, email: str = "ada@example.com", password: str = PASSWORD) -> str:
        response = self.register(email, password)
        assert response.status_code == 201, response.json
        return response.json["access_token"]

    def headers(self, email: str = "ada@example.com", password: str = PASSWORD) -> dict[str, str]:
        return bearer(self.token(email, password))

    def headers_for_login(self, email: str = "ada@example.com", password: str = PASSWORD) -> dict[str, str]:
        """Headers for an account that already exists."""
        return bearer(self.login(email, password).json["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def live_url(_migrated_app: Flask) -> Iterator[str]:
    """The session app behind a real threaded HTTP server, for concurrent requests and SDKs."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _migrated_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def set_credits(app: Flask, email: str, credits: int | None) -> None:
    from kokoro_tts.models import User

    with app.app_context():
        db.session.execute(db.update(User).where(User.email == email).values(credits=credits))
        db.session.commit()


def credits_of(app: Flask, email: str) -> int | None:
    from kokoro_tts.models import User

    with app.app_context():
        return db.session.scalar(db.select(User.credits).where(User.email == email))
