"""API keys: shown once, stored hashed, usable as a Bearer token, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from kokoro_tts.extensions import db
from kokoro_tts.models import ApiKey
from tests.support.app import bearer

pytestmark = pytest.mark.api


def test_create_list_use_delete(app, auth, client):
    headers = auth.headers()
    created = client.post("/api/auth/api-keys", json={"name": "laptop"}, headers=headers)
    assert created.status_code == 201
    key = created.json["key"]
    assert key.startswith("sk-kokoro-") and created.json["name"] == "laptop"
    with app.app_context():
        stored = db.session.scalar(select(ApiKey))
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in (stored.key_hash, stored.prefix)

    listed = client.get("/api/auth/api-keys", headers=headers).json["items"]
    assert len(listed) == 1 and "key" not in listed[0] and listed[0]["last_used_at"] is None
    assert key.startswith(listed[0]["prefix"])

    used = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=bearer(key))
    assert used.status_code == 200
    assert client.get("/api/auth/api-keys", headers=headers).json["items"][0]["last_used_at"] is not None

    assert client.delete(f"/api/auth/api-keys/{listed[0]['id']}", headers=headers).status_code == 204
    refused = client.post("/api/tts/generate", json={"text": "Hi."}, headers=bearer(key))
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_api_key"


def test_keys_belong_to_their_owner(auth, client):
    mine = auth.headers()
    key_id = client.post("/api/auth/api-keys", json={"name": "mine"}, headers=mine).json["id"]
    theirs = auth.headers("eve@example.com")
    assert client.get("/api/auth/api-keys", headers=theirs).json["items"] == []
    response = client.delete(f"/api/auth/api-keys/{key_id}", headers=theirs)
    assert response.status_code == 404 and response.json["error"]["code"] == "api_key_not_found"


def test_bad_requests(auth, client):
    headers = auth.headers()
    assert client.post("/api/auth/api-keys", json={}, headers=headers).status_code == 400
    assert client.post("/api/auth/api-keys", json={"name": "x" * 101}, headers=headers).status_code == 400
    assert client.post("/api/auth/api-keys", json={"name": "k"}).status_code == 401
    assert client.get("/api/tts/history", headers=bearer("sk-kokoro-not-a-real-key")).status_code == 401


def test_keys_go_with_the_account(app, auth, client):
    from tests.support.app import PASSWORD

    headers = auth.headers()
    key = client.post("/api/auth/api-keys", json={"name": "k"}, headers=headers).json["key"]
    client.delete("/api/auth/me", json={"password": PASSWORD}, headers=headers)
    assert client.get("/api/tts/history", headers=bearer(key)).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(ApiKey)) is None
