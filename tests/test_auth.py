"""The original service's auth API and what an account API also needs, through HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kokoro_tts.extensions import db
from kokoro_tts.models import User
from tests.support.app import PASSWORD, bearer

pytestmark = pytest.mark.api

ORIGINAL_USER_FIELDS = {
    "id", "email", "name", "is_active", "is_verified", "created_at", "updated_at",
    "last_login", "favorite_voices", "history", "credits", "preferences",
}


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_returns_the_original_shape(auth):
    response = auth.register(name="Ada Lovelace")
    assert response.status_code == 201
    body = response.json
    assert body["token_type"] == "bearer"
    assert body["access_token"].count(".") == 2
    user = body["user"]
    assert set(user) == ORIGINAL_USER_FIELDS
    assert user["email"] == "ada@example.com"
    assert user["name"] == "Ada Lovelace"
    assert user["is_active"] is True and user["is_verified"] is False
    assert user["favorite_voices"] == [] and user["history"] == [] and user["preferences"] == {}
    assert user["credits"] is None
    assert user["created_at"].endswith("+00:00")
    assert "hashed_password" not in str(body) and PASSWORD not in str(body)


def test_password_is_stored_as_bcrypt(app, auth):
    auth.register()
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.hashed_password.startswith("$2")
        assert PASSWORD not in user.hashed_password


def test_email_is_trimmed_and_lowercased(auth):
    response = auth.register(email="  Ada@Example.COM ")
    assert response.json["user"]["email"] == "ada@example.com"
    assert auth.login(email="ADA@example.com ").status_code == 200


def test_invalid_email_is_400(auth):
    response = auth.register(email="not-an-email")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert "email" in response.json["error"]["details"]["fields"]


def test_taken_email_is_409_and_changes_nothing(app, auth):
    auth.register()
    before = user_count(app)
    response = auth.register(email="ADA@example.com", password="another password")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_taken"
    assert user_count(app) == before


def test_password_length_limits(app, auth):
    short = auth.register(password="short")
    assert short.status_code == 400
    assert "password" in short.json["error"]["details"]["fields"]
    long = auth.register(password="é" * 37)  # 74 bytes in UTF-8
    assert long.status_code == 400
    assert "72 bytes" in str(long.json["error"]["details"])
    assert user_count(app) == 0
    exactly_72 = "a" * 72
    assert auth.register(password=exactly_72).status_code == 201
    # Not truncated: a password sharing the first 72 bytes must not log in.
    assert auth.login(password=exactly_72 + "b").status_code == 400
    assert auth.login(password="a" * 71 + "b").status_code == 401


def test_login_sets_last_login_and_returns_token(app, auth, client):
    auth.register()
    response = auth.login()
    assert response.status_code == 200
    assert response.json["token_type"] == "bearer"
    assert response.json["user"]["last_login"] is not None
    me = client.get("/api/auth/me", headers=bearer(response.json["access_token"]))
    assert me.status_code == 200 and me.json["email"] == "ada@example.com"


def test_wrong_password_and_unknown_email_look_the_same(auth):
    auth.register()
    wrong = auth.login(password="wrong password")
    unknown = auth.login(email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["error"]["code"] == "invalid_credentials"


def test_unknown_email_costs_a_bcrypt_check(auth):
    """Timing: the unknown-email path must pay for bcrypt like a wrong password does."""
    import time

    app = auth.client.application
    app.config.update(BCRYPT_LOG_ROUNDS=10, LOGIN_RATE_LIMIT="1000 per minute")
    try:
        auth.register()

        def fastest(email: str) -> float:
            # The minimum of several runs is the steadiest estimate on a busy machine.
            samples = []
            for _ in range(7):
                start = time.perf_counter()
                assert auth.login(email=email, password="wrong password").status_code == 401
                samples.append(time.perf_counter() - start)
            return min(samples)

        ratio = fastest("nobody@example.com") / fastest("ada@example.com")
        # Without the dummy check the ratio would be ~0.01.
        assert 0.5 < ratio < 2.0
    finally:
        app.config.update(BCRYPT_LOG_ROUNDS=4, LOGIN_RATE_LIMIT="10 per minute")


def test_me_requires_token(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "missing_token"


def test_preferences_merge(auth, client):
    headers = auth.headers()
    first = client.put("/api/auth/preferences", json={"default_voice": "ff_siwis"}, headers=headers)
    assert first.status_code == 200
    second = client.put("/api/auth/preferences", json={"default_speed": 1.25}, headers=headers)
    assert second.json["preferences"] == {"default_voice": "ff_siwis", "default_speed": 1.25}
    cleared = client.put("/api/auth/preferences", json={"default_voice": None}, headers=headers)
    assert cleared.json["preferences"] == {"default_speed": 1.25}
    assert client.get("/api/auth/me", headers=headers).json["preferences"] == {"default_speed": 1.25}


def test_preferences_refuse_bad_input_and_change_nothing(auth, client):
    headers = auth.headers()
    client.put("/api/auth/preferences", json={"default_speed": 1.5}, headers=headers)
    for body in (
        {"default_speed": 5},
        {"default_speed": 0.1},
        {"default_speed": "fast"},
        {"default_speed": "1.0"},
        {"default_speed": True},
        {"default_voice": 12},
        {"theme": "dark"},
        {"default_speed": 2.0, "unknown": 1},
        ["default_speed"],
    ):
        response = client.put("/api/auth/preferences", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json["error"]["code"] == "validation_error"
    assert client.get("/api/auth/me", headers=headers).json["preferences"] == {"default_speed": 1.5}


def test_updated_at_moves_on_update(auth, client):
    headers = auth.headers()
    before = client.get("/api/auth/me", headers=headers).json
    after = client.put("/api/auth/preferences", json={"default_speed": 2.0}, headers=headers).json
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_logout_ends_only_that_token(auth, client):
    first = auth.token()
    second = auth.login().json["access_token"]
    response = client.post("/api/auth/logout", headers=bearer(first))
    assert response.status_code == 200
    refused = client.get("/api/auth/me", headers=bearer(first))
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "token_revoked"
    assert client.get("/api/auth/me", headers=bearer(second)).status_code == 200


def test_password_change_ends_older_tokens(auth, client):
    old = auth.token()
    response = client.put(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new secret"},
        headers=bearer(old),
    )
    assert response.status_code == 200
    new = response.json["access_token"]
    assert client.get("/api/auth/me", headers=bearer(old)).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(new)).status_code == 200
    assert auth.login().status_code == 401
    assert auth.login(password="a brand new secret").status_code == 200


def test_password_change_with_wrong_current_changes_nothing(auth, client):
    token = auth.token()
    response = client.put(
        "/api/auth/password",
        json={"current_password": "not my password", "new_password": "a brand new secret"},
        headers=bearer(token),
    )
    assert response.status_code == 403
    assert response.json["error"]["code"] == "wrong_password"
    assert auth.login().status_code == 200
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200


def test_delete_account(app, auth, client):
    token = auth.token()
    client.post("/api/auth/logout", headers=bearer(auth.login().json["access_token"]))
    wrong = client.delete("/api/auth/me", json={"password": "nope nope"}, headers=bearer(token))
    assert wrong.status_code == 403 and user_count(app) == 1
    missing = client.delete("/api/auth/me", headers=bearer(token))
    assert missing.status_code == 400
    response = client.delete("/api/auth/me", json={"password": PASSWORD}, headers=bearer(token))
    assert response.status_code == 200
    assert user_count(app) == 0
    gone = client.get("/api/auth/me", headers=bearer(token))
    assert gone.status_code == 401 and gone.json["error"]["code"] == "user_not_found"
    assert auth.login().status_code == 401


def test_inactive_account_cannot_log_in_and_tokens_are_refused(app, auth, client):
    token = auth.token()
    with app.app_context():
        db.session.scalar(select(User)).is_active = False
        db.session.commit()
    refused = client.get("/api/auth/me", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "account_inactive"
    response = auth.login()
    assert response.status_code == 403
    assert response.json["error"]["code"] == "account_inactive"


def test_default_credits_for_new_accounts(app, auth):
    app.config["DEFAULT_CREDITS"] = 500
    try:
        assert auth.register().json["user"]["credits"] == 500
    finally:
        app.config["DEFAULT_CREDITS"] = None


def test_a_catalogue_voice_this_server_cannot_speak_is_kept_with_a_notice(auth, client):
    headers = auth.headers()
    saved = client.put("/api/auth/preferences", json={"default_voice": "ff_siwis"}, headers=headers)
    assert saved.status_code == 200 and saved.json["preferences"]["default_voice"] == "ff_siwis"
    assert [n["code"] for n in saved.json["notices"]] == ["voice_unavailable"]
    assert "ff_siwis" in saved.json["notices"][0]["message"]
    speakable = client.put("/api/auth/preferences", json={"default_voice": "jf_alpha"}, headers=headers)
    assert speakable.json["notices"] == []
