from __future__ import annotations

import pytest

from tests.support.app import make_app

pytestmark = pytest.mark.api


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_pings_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_readyz_is_503_when_database_is_down():
    app = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql://postgres@127.0.0.1:1/nothing",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_reports_redis_and_the_store_beside_the_database(client, database_url, tmp_path):
    assert client.get("/readyz").json == {"status": "ready", "database": "ok", "redis": "not configured",
                                          "storage": "ok"}
    (tmp_path / "file").write_text("not a folder")
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path / "file" / "audio"),
                   REDIS_URL="redis://127.0.0.1:1/0")
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 200  # the database answers: serving, degraded
        assert response.json == {"status": "degraded", "database": "ok", "redis": "unavailable",
                                 "storage": "unavailable"}
    finally:
        make_app()
