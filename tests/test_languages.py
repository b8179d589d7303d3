"""The API speaks its reader's language: the account's own, else the browser's (Accept-Language),
else English; codes, statuses and fields never change."""

from __future__ import annotations

import pytest

from tests.support.app import bearer, set_credits

pytestmark = pytest.mark.api

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
SHORT = {"email": "ada@example.com", "password": "short"}


def test_a_short_password_is_refused_in_french_or_english(client):
    french = client.post("/api/auth/register", json=SHORT, headers=FR)
    english = client.post("/api/auth/register", json=SHORT)
    assert french.status_code == english.status_code == 400
    assert french.json["error"]["code"] == english.json["error"]["code"] == "validation_error"
    assert english.json["error"]["message"] == "The request body is not valid."
    assert english.json["error"]["details"] == {"fields": {"password": ["Password must be at least 8 characters."]}}
    assert french.json["error"]["message"] == "Le corps de la requête n’est pas valide."
    assert french.json["error"]["details"] == {
        "fields": {"password": ["Le mot de passe doit compter au moins 8 caractères."]}}


def test_messages_with_values_are_said_with_french_numbers(app, auth, client):
    headers = bearer(auth.token())
    set_credits(app, "ada@example.com", 5)
    text = "Une phrase assez longue pour coûter plus que cinq crédits. " * 25
    short = client.post("/api/tts/generate", json={"text": text, "lang": "fr"}, headers={**headers, **FR})
    assert short.status_code == 402 and short.json["error"]["details"] == {"credits": 5, "required": len(text)}
    assert short.json["error"]["message"] == f"Il faut 1\u202f{len(text) - 1000} crédits\u202f; il vous en reste 5."
    unknown = client.post("/api/tts/generate", json={"text": "Bonjour.", "voice": "xx_nobody"},
                          headers={**headers, **FR})
    assert unknown.json["error"]["code"] == "unknown_voice"
    assert unknown.json["error"]["message"].startswith("voix inconnue «\u202fxx_nobody\u202f»")


def test_the_account_language_wins_over_the_browsers(client, auth):
    headers = bearer(auth.token())
    saved = client.put("/api/auth/preferences", json={"language": "fr"}, headers=headers)
    assert saved.status_code == 200 and saved.json["preferences"]["language"] == "fr"
    wrong = client.put("/api/auth/password", json={"current_password": "not it at all", "new_password": "x" * 9},
                       headers={**headers, "Accept-Language": "en"})
    assert wrong.json["error"]["code"] == "wrong_password"
    assert wrong.json["error"]["message"] == "Le mot de passe n’est pas correct."
    refused = client.put("/api/auth/preferences", json={"language": "de"}, headers=headers)
    assert refused.status_code == 400 and "language" in refused.json["error"]["details"]["fields"]


@pytest.fixture
def mail_app(app, inbox):
    from tests.support.app import make_app

    made = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=inbox.port, MAIL_SUPPRESS_SEND=False, PUBLIC_URL="https://tts.example.org")
    yield made
    make_app()


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _subject(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def _wait_for(inbox, address: str, count: int) -> list:
    import time

    deadline = time.monotonic() + 10
    while len(inbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return inbox.to(address)


def test_emails_are_written_in_one_language_their_readers(mail_app, inbox):
    client = mail_app.test_client()
    assert client.post("/api/auth/register", json={"email": "ada@example.com", "password": "password123"},
                       headers=FR).status_code == 201
    assert client.post("/api/auth/register", json={"email": "bob@example.com", "password": "password123"}
                       ).status_code == 201
    [french] = _wait_for(inbox, "ada@example.com", 1)
    [english] = _wait_for(inbox, "bob@example.com", 1)
    assert _subject(french) == "Kokoro TTS\u202f: confirmez votre adresse e-mail"
    assert "(valable 1\u00a0semaine)" in _body(french)  # Babel's words for 7 days
    assert "Confirm your" not in _body(french) and "Confirmez" not in _body(english)  # one language each
    assert "(valid 1 week)" in _body(english)
    # Bob chooses French: his reset link comes in French, whatever his browser says.
    token = client.post("/api/auth/login", json={"email": "bob@example.com", "password": "password123"}
                        ).json["access_token"]
    assert client.put("/api/auth/preferences", json={"language": "fr"}, headers=bearer(token)).status_code == 200
    answer = client.post("/api/auth/password/forgot", json={"email": "bob@example.com"},
                         headers={"Accept-Language": "en"})
    assert answer.json["message"] == "If an account has this address, a link to reset its password is on its way."
    reset = _wait_for(inbox, "bob@example.com", 2)[-1]
    assert _subject(reset) == "Kokoro TTS\u202f: choisissez un nouveau mot de passe"
    assert "(valable 1\u00a0heure, une seule fois)" in _body(reset)
