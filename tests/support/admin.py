"""Operators for the tests: an account registered through the API and promoted with the CLI, as
a person running the service would; generations seeded straight into the table (usage is read
from it); a browser-session client."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient

from kokoro_tts.extensions import db
from kokoro_tts.models import DONE, Generation, User

from .app import PASSWORD, AuthActions, bearer

OPERATOR = "root@example.com"


def operator_headers(app: Flask, auth: AuthActions, email: str = OPERATOR) -> dict[str, str]:
    """Register `email`, promote it with `flask users promote`, and its bearer headers."""
    token = auth.token(email)
    result = app.test_cli_runner().invoke(args=["users", "promote", email])
    assert result.exit_code == 0, result.output
    return bearer(token)


def account_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def seed(app: Flask, email: str, rows: list[tuple[datetime, str, int, float]]) -> None:
    """Settled generations of `email`: (created_at in naive UTC, source, characters, seconds)."""
    user_id = account_id(app, email)
    with app.app_context():
        for at, source, characters, seconds in rows:
            db.session.add(Generation(user_id=user_id, text="x" * characters, voice="af_heart", speed=1.0,
                                      lang="en-us", format="wav", characters=characters, duration=seconds,
                                      source=source, status=DONE, created_at=at))
        db.session.commit()


def browser_session(app: Flask, email: str, password: str = PASSWORD) -> tuple[FlaskClient, dict[str, str]]:
    """A client logged in as a browser (the session cookie) and its CSRF header for writes."""
    client = app.test_client()
    response = client.post("/api/auth/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return client, {"X-CSRF-TOKEN": client.get_cookie("csrf_access_token").value}
