"""Fixtures: an app on a real PostgreSQL database (migrated once per session,
emptied after every test), its client and CLI runner, and an `auth` helper."""

from __future__ import annotations

from collections.abc import Iterator
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
def _migrated_app(database_url: str) -> Flask:
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url)
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
