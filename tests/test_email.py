"""Email verification and password reset, through a real SMTP server (aiosmtpd) in the test."""

from __future__ import annotations

import logging
import statistics
import time

import pytest
from flask import Flask

import config
from tests.support.app import PASSWORD, AuthActions, bearer, make_app
from tests.support.mail import Inbox
from tests.support.net import free_port

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mail_app(app: Flask, inbox: Inbox) -> Flask:
    """The test database (emptied after the test by `app`), with mail through the test's SMTP server."""
    return make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        TTS_AUDIO_DIR=app.config["TTS_AUDIO_DIR"],
        MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SUPPRESS_SEND=False,
        PUBLIC_URL="https://tts.example.org",
    )


@pytest.fixture
def client(mail_app: Flask):
    return mail_app.test_client()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def test_registration_mails_a_link_that_verifies_the_address_once(auth, client, inbox: Inbox):
    token = auth.token(EMAIL)
    assert client.get("/api/auth/me", headers=bearer(token)).json["is_verified"] is False
    link = inbox.token(EMAIL, "verify")
    verified = client.post("/api/auth/verify", json={"token": link})
    assert verified.status_code == 200 and verified.json["is_verified"] is True
    again = client.post("/api/auth/verify", json={"token": link})
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_link"
    resend = client.post("/api/auth/verify/resend", headers=bearer(token))
    assert resend.status_code == 409 and resend.json["error"]["code"] == "already_verified"


def test_a_forged_verification_link_is_refused(auth, client, inbox: Inbox):
    auth.register(EMAIL)
    link = inbox.token(EMAIL, "verify")
    for forged in (link[:-2] + "xx", "not-a-token"):
        answer = client.post("/api/auth/verify", json={"token": forged})
        assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_link"


def test_forgot_password_answers_alike_and_the_link_resets_once(auth, client, inbox: Inbox):
    old_token = auth.token(EMAIL)
    key = client.post("/api/auth/api-keys", json={"name": "laptop"}, headers=bearer(old_token)).json["key"]
    known = client.post("/api/auth/password/forgot", json={"email": EMAIL})
    unknown = client.post("/api/auth/password/forgot", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202 and known.json == unknown.json
    assert inbox.to("nobody@example.com") == []
    link = inbox.token(EMAIL, "reset")

    reset = client.post("/api/auth/password/reset", json={"token": link, "new_password": NEW_PASSWORD})
    assert reset.status_code == 200
    assert auth.login(EMAIL, NEW_PASSWORD).status_code == 200
    assert auth.login(EMAIL, PASSWORD).status_code == 401
    # Like a password change: older tokens and API keys end, and so does the link.
    assert client.get("/api/auth/me", headers=bearer(old_token)).json["error"]["code"] == "token_revoked"
    assert client.get("/api/tts/history", headers=bearer(key)).status_code == 401
    again = client.post("/api/auth/password/reset", json={"token": link, "new_password": "yet another one!"})
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_link"


def test_links_point_at_public_url_whatever_host_the_request_names(auth, client, inbox: Inbox):
    """Finding 6: a forged Host header must not put the attacker's address in the victim's mail."""
    evil = {"Host": "evil.example"}
    client.post("/api/auth/register", json={"email": EMAIL, "password": PASSWORD}, headers=evil)
    answer = client.post("/api/auth/password/forgot", json={"email": EMAIL}, headers=evil)
    assert answer.status_code == 202
    inbox.token(EMAIL, "reset")  # a link to PUBLIC_URL (https://tts.example.org)
    inbox.token(EMAIL, "verify")
    assert all("evil.example" not in m.get_payload(decode=True).decode() for m in inbox.messages)


def test_without_public_url_links_point_at_the_default_address_outside_production(app: Flask, inbox: Inbox):
    """Testing and development: ./scripts/run.sh's address, never the request's Host."""
    unset = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TTS_AUDIO_DIR=app.config["TTS_AUDIO_DIR"],
        MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SUPPRESS_SEND=False,
    )
    assert unset.config["PUBLIC_URL"] == config.DEFAULT_PUBLIC_URL == "http://127.0.0.1:8000"
    client = unset.test_client()
    AuthActions(client).register(EMAIL)
    client.post("/api/auth/password/forgot", json={"email": EMAIL}, headers={"Host": "evil.example"})
    inbox.token(EMAIL, "reset", base=config.DEFAULT_PUBLIC_URL)


def _forgot_ms(client, email: str) -> float:
    started = time.perf_counter()
    answer = client.post("/api/auth/password/forgot", json={"email": email})
    assert answer.status_code == 202
    return (time.perf_counter() - started) * 1000


def test_forgot_password_takes_as_long_for_a_known_address(auth, client, inbox: Inbox, mail_app: Flask):
    """Finding 9: the answer's time told which addresses have accounts (48 ms known, 2.7 ms unknown
    with a distant SMTP server). The reset mail now leaves in the background; it still arrives."""
    auth.register(EMAIL)
    inbox.delay = 0.05  # an SMTP server as far away as a real one
    mail_app.config["FORGOT_PASSWORD_RATE_LIMIT"] = "1000 per hour"  # the limits are tested elsewhere
    mail_app.config["FORGOT_PASSWORD_ACCOUNT_RATE_LIMIT"] = "1000 per hour"
    known, unknown = [], []
    for _ in range(12):  # interleaved: the machine's noise falls on both alike
        known.append(_forgot_ms(client, EMAIL))
        unknown.append(_forgot_ms(client, "nobody@example.com"))
    known_ms, unknown_ms = statistics.median(known), statistics.median(unknown)
    print(f"forgot-password medians: known {known_ms:.1f} ms, unknown {unknown_ms:.1f} ms")
    assert known_ms < unknown_ms + 20 and known_ms < 3 * unknown_ms, (known, unknown)
    deadline = time.monotonic() + 20
    while len(inbox.to(EMAIL)) < 1 + 12 and time.monotonic() < deadline:  # the verification mail, the resets
        time.sleep(0.05)
    assert len(inbox.to(EMAIL)) == 13 and inbox.to("nobody@example.com") == []
    inbox.token(EMAIL, "reset")


def test_a_reset_mail_the_smtp_server_refuses_is_logged(app: Flask, caplog: pytest.LogCaptureFixture):
    """Sent in the background, a failure cannot reach the answer (202 all the same): it is logged."""
    unreachable = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                           MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    client = unreachable.test_client()
    with caplog.at_level(logging.ERROR, logger="kokoro_tts.services.email_links"):
        AuthActions(client).register(EMAIL)  # its verification mail fails too, during the request
        caplog.clear()
        assert client.post("/api/auth/password/forgot", json={"email": EMAIL}).status_code == 202
        deadline = time.monotonic() + 10
        while "could not send email" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert f"could not send email to {EMAIL}" in caplog.text


def test_forgot_password_is_rate_limited(auth, client, mail_app: Flask):
    auth.register(EMAIL)
    limit = int(mail_app.config["FORGOT_PASSWORD_RATE_LIMIT"].split()[0])
    emails = [EMAIL] + [f"other{n}@example.com" for n in range(limit)]  # per address, whatever the account
    answers = [client.post("/api/auth/password/forgot", json={"email": e}).status_code for e in emails]
    assert answers == [202] * limit + [429]


def test_without_mail_server_the_links_go_to_the_log(app: Flask, caplog: pytest.LogCaptureFixture):
    logless = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER=None)
    client = logless.test_client()
    with caplog.at_level(logging.WARNING, logger="kokoro_tts.services.email_links"):
        AuthActions(client).register(EMAIL)
    assert "email is not configured" in caplog.text and "?verify=" in caplog.text
