"""The app for the tests: an app with overrides, the `auth` actions, bearer headers, and credits
read and set behind the API's back."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from kokoro_tts import create_app
from kokoro_tts.extensions import db
from kokoro_tts.models import User

PASSWORD = "correct horse battery"


def make_app(**overrides: Any) -> Flask:
    class Config(TestingConfig):
        pass

    for key, value in overrides.items():
        setattr(Config, key, value)
    return create_app(Config)


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


def set_credits(app: Flask, email: str, credits: int | None) -> None:
    with app.app_context():
        db.session.execute(db.update(User).where(User.email == email).values(credits=credits))
        db.session.commit()


def credits_of(app: Flask, email: str) -> int | None:
    with app.app_context():
        return db.session.scalar(db.select(User.credits).where(User.email == email))
