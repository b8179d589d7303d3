"""Tokens that must be refused: expired, tampered, foreign key, alg none, orphaned."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest

from tests.support.app import bearer

pytestmark = pytest.mark.api


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(app, token: str) -> dict:
    return pyjwt.decode(token, app.config["JWT_SECRET_KEY"], algorithms=["HS256"])


def _refused(client, token: str, code: str = "invalid_token") -> None:
    response = client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == code


def test_tokens_last_30_days(app, auth):
    claims = _claims(app, auth.token())
    assert claims["exp"] - claims["iat"] == 30 * 24 * 3600


def test_expired_token(app, auth, client):
    claims = _claims(app, auth.token())
    past = datetime.now(UTC) - timedelta(days=1)
    claims.update(iat=int(past.timestamp()) - 60, nbf=int(past.timestamp()) - 60, exp=int(past.timestamp()))
    expired = pyjwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    _refused(client, expired, "token_expired")


def test_tampered_token(app, auth, client):
    token = auth.token()
    header, payload, signature = token.split(".")
    claims = _claims(app, token)
    claims["sub"] = "999"
    _refused(client, f"{header}.{_b64(claims)}.{signature}")
    _refused(client, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    _refused(client, "not.a.token")


def test_token_signed_with_another_key(app, auth, client):
    claims = _claims(app, auth.token())
    forged = pyjwt.encode(claims, "another-secret-key-of-sufficient-length!", algorithm="HS256")
    _refused(client, forged)


def test_alg_none_token(app, auth, client):
    claims = _claims(app, auth.token())
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    _refused(client, unsigned)


def test_token_of_deleted_user(app, auth, client):
    from kokoro_tts.extensions import db

    token = auth.token()
    with app.app_context():
        db.session.execute(db.text("DELETE FROM users"))
        db.session.commit()
    _refused(client, token, "user_not_found")
