"""Hostile and odd input: always a 4xx with a clear code, checked before any charge or synthesis,
and nothing written (credits, history and stored audio stay as they were)."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from kokoro_tts.rest import MAX_QUERY_BYTES
from tests.support.app import credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"


@pytest.fixture
def headers(app, auth):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    return headers


def assert_untouched(app, client, headers):
    assert credits_of(app, EMAIL) == 1000
    assert client.get("/api/tts/history", headers=headers).json["total"] == 0


def post_raw(client, path, raw: str, headers=None):
    return client.post(path, data=raw.encode(), content_type="application/json", headers=headers or {})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "Hello.", "voice": "jf_alpha+" * 40 + "jf_alpha"}, "unknown_voice"),  # > 255 characters
        ({"text": "He\u0000llo."}, "invalid_characters"),  # PostgreSQL cannot store a NUL
        ({"text": "Hello.", "lang": "en\u0000"}, "invalid_characters"),
        ({"text": "\u0087"}, "empty_text"),  # control characters are removed, then nothing is left
        ({"text": "!!! ... ???"}, "nothing_to_say"),  # only punctuation: no sound to make
        ({"text": "— «» …"}, "nothing_to_say"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_bad_text_and_voice_on_generate(app, client, headers, body, code, stream):
    response = client.post("/api/tts/generate", json={"lang": "en-us", **body, "stream": stream}, headers=headers)
    assert response.status_code == 400, response.data[:200]
    assert response.json["error"]["code"] == code
    assert_untouched(app, client, headers)


def test_lone_surrogate_is_refused(app, client, headers):
    response = post_raw(client, "/api/tts/generate", '{"text": "a\\ud800b", "lang": "en-us"}', headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_characters"
    assert_untouched(app, client, headers)


def test_nul_in_an_account_field_is_refused(client):
    response = client.post("/api/auth/register", json={"email": "a@example.com", "password": "pass\u0000word123"})
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_characters"


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register", "/api/tts/generate", "/v1/audio/speech"])
def test_deep_nesting_is_a_400_even_unauthenticated(client, path):
    deep = post_raw(client, path, "[" * 100_000 + "]" * 100_000)
    assert deep.status_code == 400 and deep.json["error"]["code"] == "invalid_json"
    parsed_but_deep = post_raw(client, path, '{"a": ' + "[" * 40 + "]" * 40 + "}")
    assert parsed_but_deep.status_code == 400
    assert "nested deeper" in (parsed_but_deep.json["error"]["message"])


def test_chunked_body_over_the_limit_is_a_413(app, live_url):
    """A body sent with Transfer-Encoding: chunked is bounded like one with a Content-Length."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    url = urlsplit(live_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    payload = json.dumps({"email": "x@example.com", "password": "p" * (limit + 10)}).encode()
    pieces = (payload[i : i + 65536] for i in range(0, len(payload), 65536))
    conn.request("POST", "/api/auth/login", body=pieces, headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 413 and body["error"]["code"] == "payload_too_large"


def test_openai_route_refuses_nothing_to_say_in_openai_shape(app, client, headers):
    key = client.post("/api/auth/api-keys", json={"name": "k"}, headers=headers).json["key"]
    response = client.post(
        "/v1/audio/speech", json={"model": "tts-1", "voice": "jf_alpha", "input": "?!"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "nothing_to_say"
    assert response.json["error"]["type"] == "invalid_request_error"
    assert_untouched(app, client, headers)


def test_one_letter_is_never_an_empty_200(client, headers):
    key = client.post("/api/auth/api-keys", json={"name": "k"}, headers=headers).json["key"]
    response = client.post(
        "/v1/audio/speech", json={"model": "tts-1", "voice": "alloy", "input": "V"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200 and len(response.data) > 1000


#: Every boolean of a request, where it is sent: the document says `boolean`, so `true` or `false`
#: alone is accepted (JSON: the literals; a query or a form: the words).
JSON_BOOLEANS = [
    ("/api/tts/generate", {"text": "Hello.", "lang": "en-us"}, ("stream",)),
    ("/api/tts/generate", {"text": "Hello.", "lang": "en-us"}, ("normalize",)),
    ("/api/tts/generate", {"text": "Hello.", "lang": "en-us"}, ("normalization", "money")),
    ("/api/tts/captioned", {"text": "Hello.", "lang": "en-us"}, ("normalize",)),
    ("/api/tts/jobs", {"text": "Hello.", "lang": "en-us"}, ("normalize",)),
    ("/api/tts/pronunciations", {"text": "SQL", "alias": "sequel"}, ("case_sensitive",)),
]


def _with(body: dict, where: tuple[str, ...], value) -> dict:
    if len(where) == 1:
        return {**body, where[0]: value}
    return {**body, where[0]: {where[1]: value}}


@pytest.mark.parametrize(("path", "body", "where"), JSON_BOOLEANS)
@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", 1.0, [], {}])
def test_a_boolean_field_takes_only_true_or_false(app, client, headers, path, body, where, value):
    """Finding 10: `"normalize": 0` was accepted against a document that says boolean."""
    response = client.post(path, json=_with(body, where, value), headers=headers)
    assert response.status_code == 400, (path, where, value, response.status_code)
    error = response.json["error"]
    assert error["code"] == "validation_error"
    fields = error["details"]["fields"]
    assert where[0] in fields, fields
    if len(where) == 2:
        assert where[1] in fields[where[0]], fields
    assert_untouched(app, client, headers)
    assert client.get("/api/tts/pronunciations", headers=headers).json["rules"] == []


def test_a_strict_boolean_still_takes_true_and_false(client, headers):
    for value in (True, False):
        rule = {"text": f"SQL{value}", "alias": "sequel", "case_sensitive": value}
        response = client.post("/api/tts/pronunciations", json=rule, headers=headers)
        assert response.status_code == 201 and response.json["case_sensitive"] is value


def test_text_booleans_are_the_words_true_and_false(client, headers):
    """In a query string or a form a boolean is text: `true` or `false`, as OpenAPI writes it."""
    for value in ("0", "1", "yes", "True", ""):
        voices = client.get(f"/api/tts/voices?available={value}")
        assert voices.status_code == 400 and "available" in voices.json["error"]["details"]["fields"], value
        job = client.post("/api/tts/jobs", data={"text": "Hello.", "normalize": value}, headers=headers)
        assert job.status_code == 400 and "normalize" in job.json["error"]["details"]["fields"], value
    assert client.get("/api/tts/voices?available=true").status_code == 200


def test_a_query_string_over_the_bound_is_a_json_414_before_anything(app, client, headers):
    """Finding 10: a 4 KB query line got gunicorn's HTML 414, undocumented. The app answers it now,
    on every route, in the route's envelope, before any charge (gunicorn reads lines up to 8190)."""
    long = "a" * (MAX_QUERY_BYTES + 1)
    for response in (client.get(f"/api/tts/voices?language={long}"),
                     client.get(f"/api/tts/history?x={long}", headers=headers),
                     client.post(f"/api/tts/generate?x={long}", json={"text": "Hello.", "lang": "en-us"},
                                 headers=headers)):
        assert response.status_code == 414, response.request.path
        error = response.json["error"]
        assert error["code"] == "uri_too_long" and error["details"] == {"limit": MAX_QUERY_BYTES}
    openai = client.get(f"/v1/models?x={long}").json["error"]
    assert openai["code"] == "uri_too_long" and openai["type"] == "invalid_request_error"
    assert_untouched(app, client, headers)
    at_the_bound = "x=" + "a" * (MAX_QUERY_BYTES - 2)
    assert client.get(f"/api/tts/history?{at_the_bound}", headers=headers).status_code == 200
