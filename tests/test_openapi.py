"""The OpenAPI document (/api/openapi.json) and its docs page (/api/docs)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from kokoro_tts.engine import FORMATS
from kokoro_tts.errors import error_shape

pytestmark = pytest.mark.api


def test_openapi_document_describes_auth(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    paths = spec["paths"]
    for path in ("/api/auth/register", "/api/auth/login", "/api/auth/me", "/api/auth/preferences",
                 "/api/auth/logout", "/api/auth/password", "/api/auth/api-keys",
                 "/api/tts/voices", "/api/tts/voices/{voice_id}/favorite", "/api/tts/generate",
                 "/api/tts/history", "/api/tts/history/{generation_id}", "/api/tts/history/{generation_id}/audio",
                 "/v1/audio/speech", "/v1/models", "/v1/audio/voices"):
        assert path in paths
    register = paths["/api/auth/register"]["post"]
    assert "201" in register["responses"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert client.get("/api/docs").status_code == 200


def test_openapi_request_schemas_come_from_the_code(client):
    spec = client.get("/api/openapi.json").json
    generate = spec["paths"]["/api/tts/generate"]["post"]
    schema_ref = generate["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"text", "voice", "speed", "lang", "format", "stream"} <= set(schema["properties"])
    assert schema["properties"]["speed"]["minimum"] == 0.25


def test_bearer_security_is_declared_once_and_public_routes_say_so(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    assert spec["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/api/auth/me"]["get"]
    assert "security" not in paths["/api/tts/generate"]["post"]
    for path, method in (("/api/auth/register", "post"), ("/api/auth/login", "post"), ("/v1/models", "get")):
        assert paths[path][method]["security"] == []
    assert {} in paths["/api/tts/voices"]["get"]["security"]  # a token is optional there


# The document says what the API answers: its error envelopes, nullable fields, audio, error statuses.

ERROR_REF = "#/components/schemas/Error"
OPENAI_ERROR_REF = "#/components/schemas/OpenAIError"
ELEVENLABS_ERROR_REF = "#/components/schemas/ElevenLabsError"


def _error_ref(path: str) -> str:
    return {"openai": OPENAI_ERROR_REF, "elevenlabs": ELEVENLABS_ERROR_REF}.get(error_shape(path), ERROR_REF)


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield path, method, operation


def _schema(spec, name):
    return spec["components"]["schemas"][name]


def test_the_document_is_valid_openapi_3_0(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.0")
    assert [str(error) for error in OPENAPI_30_VALIDATOR.iter_errors(spec)] == []


def test_the_error_component_is_the_api_envelope(client):
    spec = client.get("/api/openapi.json").json
    error = _schema(spec, "Error")
    assert error["required"] == ["error"]
    body = _schema(spec, error["properties"]["error"]["$ref"].rsplit("/", 1)[1])
    assert set(body["properties"]) == {"status", "code", "message", "details"}
    assert sorted(body["required"]) == ["code", "message", "status"]
    assert body["properties"]["status"]["type"] == "integer"
    assert body["properties"]["code"]["type"] == "string"
    assert body["properties"]["details"]["type"] == "object"

    openai = _schema(spec, "OpenAIError")
    body = _schema(spec, openai["properties"]["error"]["$ref"].rsplit("/", 1)[1])
    assert sorted(body["required"]) == ["code", "message", "param", "type"]
    assert body["properties"]["param"]["nullable"] is True


def test_every_error_answer_has_the_shape_of_its_route(client):
    spec = client.get("/api/openapi.json").json
    assert "default" not in str([op["responses"].keys() for _, _, op in _operations(spec)])
    for path, method, operation in _operations(spec):
        expected = _error_ref(path)
        for status, response in operation["responses"].items():
            assert status != "422", (method, path)
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": expected}, (method, path, status)


def test_a_real_error_matches_its_documented_shape(auth, client):
    body = client.get("/api/auth/me").json["error"]
    assert {"status", "code", "message"} <= set(body) <= {"status", "code", "message", "details"}
    invalid = client.post("/api/auth/register", json={"email": "nope"}).json["error"]
    assert invalid["status"] == 400 and invalid["code"] == "validation_error" and "fields" in invalid["details"]
    openai = client.post("/v1/audio/speech", json={}, headers=auth.headers()).json["error"]
    assert set(openai) == {"message", "type", "param", "code"}
    eleven = client.post("/v1/text-to-speech/jf_alpha", json={}, headers=auth.headers_for_login()).json["detail"]
    assert {"status", "message"} <= set(eleven) <= {"status", "message", "details"}


def test_each_route_documents_the_errors_it_answers_with(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]

    def statuses(path, method):
        return set(paths[path][method]["responses"])

    for path, method, operation in _operations(spec):
        public = operation.get("security") == []
        if not public:
            assert "401" in statuses(path, method), (method, path)
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in statuses(path, method), (method, path)
        if "requestBody" in operation:
            assert {"413", "415"} <= statuses(path, method), (method, path)
    for path in ("/api/tts/generate", "/v1/audio/speech"):
        assert {"400", "401", "402", "413", "415", "429", "500", "503"} <= statuses(path, "post")
    for path, method in (("/api/tts/history/{generation_id}", "get"), ("/api/tts/history/{generation_id}", "delete"),
                         ("/api/tts/history/{generation_id}/audio", "get"), ("/api/auth/api-keys/{key_id}", "delete"),
                         ("/api/tts/voices/{voice_id}/favorite", "put")):
        assert "404" in statuses(path, method)
    assert "409" in statuses("/api/auth/register", "post")
    for path, method in (("/api/auth/login", "post"), ("/api/auth/register", "post"),
                         ("/api/auth/password", "put"), ("/api/auth/me", "delete")):
        assert "429" in statuses(path, method)
        assert "Retry-After" in paths[path][method]["responses"]["429"]["headers"]


def test_every_operation_documents_the_414_of_a_long_query_string(client):
    spec = client.get("/api/openapi.json").json
    for path, method, operation in _operations(spec):
        response = operation["responses"]["414"]
        assert "uri_too_long" in response["description"], (method, path)
        expected = _error_ref(path)
        assert response["content"]["application/json"]["schema"] == {"$ref": expected}, (method, path)


def test_every_link_names_an_operation_and_its_parameters(client):
    """The links (what a client may call next with what an answer gave; the fuzzer follows them)."""
    spec = client.get("/api/openapi.json").json
    found = set()
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                pointer = link["operationRef"].removeprefix("#/paths/")
                target_path, target_method = pointer.rsplit("/", 1)
                target_path = target_path.replace("~1", "/").replace("~0", "~")
                target = spec["paths"][target_path][target_method]
                wanted = {p["name"] for p in spec["paths"][target_path].get("parameters", []) + target.get(
                    "parameters", []) if p["in"] == "path"}
                assert set(link["parameters"]) == wanted, (method, path, name)
                found.add((method, path, status, name))
    assert {("post", "/api/tts/pronunciations", "201", "DeleteRule"),
            ("post", "/api/auth/api-keys", "201", "RevokeApiKey"),
            ("post", "/api/tts/jobs", "202", "CancelJob"),
            ("post", "/api/tts/captioned", "200", "GetAudio")} <= found


def test_audio_answers_list_every_format(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, method in (("/api/tts/generate", "post"), ("/v1/audio/speech", "post"),
                         ("/api/tts/history/{generation_id}/audio", "get")):
        content = paths[path][method]["responses"]["200"]["content"]
        extra = {"text/event-stream"} if path.startswith("/v1/") else set()  # stream_format: sse
        assert set(content) == set(FORMATS.values()) | extra, path
    headers = paths["/api/tts/generate"]["post"]["responses"]["200"]["headers"]
    assert {"X-Generation-Id", "X-Characters-Charged", "X-Credits-Remaining", "X-Audio-Duration"} <= set(headers)


def test_fields_that_can_be_null_say_so(client):
    spec = client.get("/api/openapi.json").json
    nullable = {
        "Generation": {"lang", "duration", "extra", "chapters"},
        "Job": {"lang", "generation_id", "error", "finished_at"},
        "HistoryPreview": {"lang", "duration"},
        "User": {"name", "is_active", "is_verified", "created_at", "updated_at", "last_login", "favorite_voices",
                 "credits", "preferences"},
        "ApiKey": {"last_used_at"},
        "Voice": {"language", "gender", "grade"},
    }
    for name, fields in nullable.items():
        properties = _schema(spec, name)["properties"]
        assert {f for f, p in properties.items() if p.get("nullable")} == fields, name
        assert set(_schema(spec, name)["required"]) == set(properties), name  # always present
    generation = _schema(spec, "Generation")["properties"]
    assert generation["has_audio"]["type"] == "boolean"
    user = _schema(spec, "User")["properties"]
    assert user["preferences"]["additionalProperties"] == {"nullable": True}
    assert user["history"]["items"] == {"$ref": "#/components/schemas/HistoryPreview"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline_scripts: list[str] = []  # the type of each <script> without src

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]
        named = dict(attrs)
        if tag == "script" and "src" not in named:
            self.inline_scripts.append(named.get("type") or "text/javascript")


def test_the_docs_page_is_served_by_the_app_alone(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"(https?:)?//", html), "the docs page must reference no other host"
    parser = _Links()
    parser.feed(html)
    assert len(parser.links) == 4  # Swagger UI's stylesheet and its two scripts, and the page's start
    assert set(parser.inline_scripts) == {"application/json"}  # settings as data, never code (the CSP)
    for link in parser.links:
        assert link.startswith("/api/docs/"), link
        asset = client.get(link)
        assert asset.status_code == 200, link
        assert asset.mimetype in ("text/css", "text/javascript", "application/javascript"), link
        assert len(asset.data) > (1000 if "/assets/" in link else 100), link  # Swagger UI's files are large
    assert '"validatorUrl": null' in html  # no call to swagger.io's online validator either
    assert client.get("/api/docs/assets/../../../config.py").status_code == 404
