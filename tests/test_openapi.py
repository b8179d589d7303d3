def test_openapi_document_describes_auth(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    paths = spec["paths"]
    for path in ("/api/auth/register", "/api/auth/login", "/api/auth/me", "/api/auth/preferences",
                 "/api/auth/logout", "/api/auth/password"):
        assert path in paths
    register = paths["/api/auth/register"]["post"]
    assert "201" in register["responses"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert client.get("/api/docs").status_code == 200
