"""Bad requests get the JSON envelope with the right status, never HTML."""

from __future__ import annotations

import pytest

from tests.support.app import make_app

pytestmark = pytest.mark.api


def _is_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["status"] == status and error["code"] == code and error["message"]


def test_non_json_body_is_415(client):
    response = client.post("/api/auth/login", data="email=a&password=b",
                           content_type="application/x-www-form-urlencoded")
    _is_envelope(response, 415, "unsupported_media_type")


def test_malformed_json_is_400(client):
    response = client.post("/api/auth/register", data='{"email": ', content_type="application/json")
    _is_envelope(response, 400, "invalid_json")


def test_missing_body_is_400(client):
    response = client.post("/api/auth/register")
    _is_envelope(response, 400, "validation_error")


def test_oversized_body_is_413(app, client):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/auth/register", data=b"{" + b" " * size + b"}",
                           content_type="application/json")
    _is_envelope(response, 413, "payload_too_large")


def test_unknown_route_and_method(client):
    _is_envelope(client.get("/api/nothing-here"), 404, "not_found")
    _is_envelope(client.get("/api/auth/login"), 405, "method_not_allowed")


def test_unexpected_error_is_json_500_without_traceback():
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    _is_envelope(response, 500, "internal_error")
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [{"email": "a@b.co"}, {"password": "12345678"}, {}])
def test_missing_fields_are_named(client, body):
    response = client.post("/api/auth/login", json=body)
    _is_envelope(response, 400, "validation_error")
    assert set(response.json["error"]["details"]["fields"]) == {"email", "password"} - set(body)


def test_one_answer_for_an_invalid_body_json_or_form(auth, client):
    """The jobs route takes JSON or a form: both are read as every route reads a body, and a
    field at fault answers alike, with its message beside the field."""
    headers = auth.headers()
    as_json = client.post("/api/tts/jobs", json={"text": "Hello.", "speed": 9}, headers=headers)
    as_form = client.post("/api/tts/jobs", data={"text": "Hello.", "speed": "9"}, headers=headers)
    as_login = client.post("/api/auth/login", json={"email": "ada@example.com"})
    for response in (as_json, as_form, as_login):
        _is_envelope(response, 400, "validation_error")
    messages = {r.json["error"]["message"] for r in (as_json, as_form, as_login)}
    assert messages == {"The request body is not valid."}
    assert as_json.json["error"]["details"] == as_form.json["error"]["details"] == {
        "fields": {"speed": ["Must be greater than or equal to 0.25 and less than or equal to 4.0."]}
    }
    assert as_login.json["error"]["details"]["fields"] == {"password": ["Missing data for required field."]}
    neither = client.post("/api/tts/jobs", data={"voice": "jf_alpha"}, headers=headers)
    _is_envelope(neither, 400, "validation_error")
    assert neither.json["error"]["message"] == "The request body is not valid."
    assert neither.json["error"]["details"]["fields"] == {"file": ["Send a file or a text."]}
