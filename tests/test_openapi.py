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
