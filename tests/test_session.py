"""The browser session: the token in an HttpOnly cookie, the CSRF double submit on every write,
Bearer clients unchanged."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import jwt
import pytest

import config
from kokoro_tts import create_app
from tests.support.app import PASSWORD, credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
TEXT = "Hello there, world."


def open_session(auth, client):
    """Register, then log in as a browser; the Set-Cookie headers of the login."""
    auth.register(EMAIL)
    response = client.post("/api/auth/session", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response


def cookies_of(response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {SimpleCookie(h).popitem()[0]: h for h in response.headers.getlist("Set-Cookie")}


def csrf(client) -> dict[str, str]:
    return {"X-CSRF-TOKEN": client.get_cookie("csrf_access_token").value}


def test_login_sets_an_httponly_cookie_and_no_token_in_the_body(auth, client):
    response = open_session(auth, client)
    assert response.json["token_type"] == "cookie" and response.json["user"]["email"] == EMAIL
    assert "access_token" not in response.get_data(as_text=True)
    cookies = cookies_of(response)
    token, double = cookies["access_token_cookie"], cookies["csrf_access_token"]
    assert "HttpOnly" in token and "SameSite=Lax" in token and "Path=/" in token
    assert "Secure" not in token  # plain HTTP in development and tests; see the production test
    assert "HttpOnly" not in double  # the page reads it to send it back
    assert client.get("/api/auth/me").json["email"] == EMAIL


def test_the_session_cookies_live_as_long_as_their_token(app, auth, client):
    """Finding 10: the cookie lived a year while its token lives ACCESS_TOKEN_DAYS (30)."""
    days = app.config["JWT_ACCESS_TOKEN_EXPIRES"].days
    assert days == 30
    cookies = cookies_of(open_session(auth, client))
    token = SimpleCookie(cookies["access_token_cookie"])["access_token_cookie"]
    claims = jwt.decode(token.value, options={"verify_signature": False})
    for name in ("access_token_cookie", "csrf_access_token"):
        morsel = SimpleCookie(cookies[name])[name]
        assert int(morsel["max-age"]) == days * 86400 == claims["exp"] - claims["iat"], name
        expires = parsedate_to_datetime(morsel["expires"]).timestamp()
        assert abs(expires - claims["exp"]) <= 2, name


def test_a_write_with_the_cookie_but_without_the_csrf_header_is_refused(app, auth, client):
    open_session(auth, client)
    set_credits(app, EMAIL, 100)
    for headers in ({}, {"X-CSRF-TOKEN": "forged"}):
        refused = client.put("/api/auth/preferences", json={"default_speed": 1.5}, headers=headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf_failed"
        refused = client.post("/api/tts/generate", json={"text": TEXT, "lang": "en-us"}, headers=headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf_failed"
    assert credits_of(app, EMAIL) == 100
    assert client.get("/api/auth/me").json["preferences"] == {}

    saved = client.put("/api/auth/preferences", json={"default_speed": 1.5}, headers=csrf(client))
    assert saved.status_code == 200 and saved.json["preferences"] == {"default_speed": 1.5}
    spoken = client.post("/api/tts/generate", json={"text": TEXT, "lang": "en-us"}, headers=csrf(client))
    assert spoken.status_code == 200 and spoken.mimetype.startswith("audio/")
    assert credits_of(app, EMAIL) == 100 - len(TEXT)


def test_bearer_clients_need_no_csrf_header(auth, client):
    headers = auth.headers(EMAIL)
    response = client.put("/api/auth/preferences", json={"default_speed": 1.2}, headers=headers)
    assert response.status_code == 200


def test_logout_revokes_the_session_and_clears_its_cookies(auth, client):
    open_session(auth, client)
    stolen = client.get_cookie("access_token_cookie").value
    assert client.delete("/api/auth/session").status_code == 403  # a write: the CSRF header too
    response = client.delete("/api/auth/session", headers=csrf(client))
    assert response.status_code == 204
    cleared = cookies_of(response)
    assert all("Expires=Thu, 01 Jan 1970" in cleared[name] for name in ("access_token_cookie", "csrf_access_token"))
    assert client.get_cookie("access_token_cookie") is None
    client.set_cookie("access_token_cookie", stolen)
    refused = client.get("/api/auth/me")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "token_revoked"
    client.delete_cookie("access_token_cookie")
    assert client.delete("/api/auth/session").status_code == 204  # nothing to end: still clears


def test_a_password_change_through_the_page_renews_the_cookie(auth, client):
    open_session(auth, client)
    old = client.get_cookie("access_token_cookie").value
    changed = client.put(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
        headers=csrf(client),
    )
    assert changed.status_code == 200 and changed.json["token_type"] == "cookie"
    assert "access_token" not in changed.json
    assert client.get_cookie("access_token_cookie").value != old
    assert client.get("/api/auth/me").status_code == 200


def test_bad_login_sets_no_cookie(auth, client):
    auth.register(EMAIL)
    response = client.post("/api/auth/session", json={"email": EMAIL, "password": "wrong password!"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"
    assert not response.headers.getlist("Set-Cookie")


def test_production_cookies_are_secure(tmp_path):
    class Prod(config.ProductionConfig):
        SECRET_KEY = "k" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/db.sqlite3"
        PUBLIC_URL = "https://tts.example.org"

    app = create_app(Prod)
    assert app.config["JWT_COOKIE_SECURE"] is True and app.config["JWT_COOKIE_SAMESITE"] == "Lax"


def test_registering_from_the_page_opens_a_session(client):
    response = client.post("/api/auth/session/register", json={"email": EMAIL, "password": PASSWORD, "name": "Ada"})
    assert response.status_code == 201 and response.json["user"]["name"] == "Ada"
    assert "access_token" not in response.get_data(as_text=True)
    assert client.get("/api/auth/me").json["email"] == EMAIL
    again = client.post("/api/auth/session/register", json={"email": EMAIL, "password": PASSWORD})
    assert again.status_code == 409 and again.json["error"]["code"] == "email_taken"
