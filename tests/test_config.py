"""Configuration from the environment, and the embedded SQLite default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from kokoro_tts import create_app

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@db.example.com:5432/kokoro", "postgresql://u:p@db.example.com:5432/kokoro"],
)
def test_postgres_urls_go_through_psycopg2(url):
    assert config.normalize_database_url(url) == "postgresql+psycopg2://u:p@db.example.com:5432/kokoro"


def test_postgres_scheme_connects(database_url):
    """A `postgres://` URL, as Render and Heroku give it, really connects."""
    from tests.support.app import make_app

    raw = database_url.replace("postgresql+psycopg2://", "postgres://")
    app = make_app(SQLALCHEMY_DATABASE_URI=raw)
    assert app.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize(
    ("key", "why"),
    [(None, "not set"), (config.DEV_SECRET_KEY, "development default"), ("x" * 31, "shorter")],
)
def test_production_refuses_weak_secret_keys(key, why):
    class Prod(config.ProductionConfig):
        SECRET_KEY = key

    with pytest.raises(RuntimeError) as info:
        create_app(Prod)
    assert why in str(info.value)
    assert "secrets.token_urlsafe(32)" in str(info.value)


def test_production_starts_with_a_strong_key(tmp_path):
    class Prod(config.ProductionConfig):
        SECRET_KEY = "k" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/db.sqlite3"
        PUBLIC_URL = "https://tts.example.org"

    assert create_app(Prod).config["JWT_SECRET_KEY"] == "k" * 32


def test_production_refuses_to_start_without_public_url(tmp_path, monkeypatch):
    """Links in emails are never built from a request's Host: production must be told its address."""
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("RENDER_EXTERNAL_URL", raising=False)

    class Prod(config.ProductionConfig):
        SECRET_KEY = "k" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/db.sqlite3"

    with pytest.raises(RuntimeError) as info:
        create_app(Prod)
    assert "PUBLIC_URL is not set" in str(info.value) and "PUBLIC_URL=https://" in str(info.value)


def test_on_render_public_url_falls_back_to_the_service_address(tmp_path, monkeypatch):
    """Render sets RENDER_EXTERNAL_URL (https://<service>.onrender.com) for web services; PUBLIC_URL wins."""
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("RENDER_EXTERNAL_URL", "https://kokoro-tts.onrender.com")

    class Prod(config.ProductionConfig):
        SECRET_KEY = "k" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/db.sqlite3"

    assert create_app(Prod).config["PUBLIC_URL"] == "https://kokoro-tts.onrender.com"
    monkeypatch.setenv("PUBLIC_URL", "https://tts.example.org/")
    assert create_app(Prod).config["PUBLIC_URL"] == "https://tts.example.org"


def test_public_url_must_be_an_address(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "evil.example")
    with pytest.raises(RuntimeError) as info:
        create_app()
    assert "PUBLIC_URL" in str(info.value)


def test_development_without_key_makes_a_private_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))

    class Dev(config.DevelopmentConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/db.sqlite3"

    key = create_app(Dev).config["SECRET_KEY"]
    assert key != config.DEV_SECRET_KEY and len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app(Dev).config["SECRET_KEY"] == key  # every process shares it


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "APP_ENV", "PUBLIC_URL", "RENDER_EXTERNAL_URL")}
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def test_production_start_up_message(tmp_path):
    result = _run(["check-db"], _env(APP_ENV="production"), ROOT)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "token_urlsafe" in result.stderr


def test_production_start_up_message_without_public_url(tmp_path):
    result = _run(["check-db"], _env(APP_ENV="production", SECRET_KEY="k" * 32, INSTANCE_PATH=str(tmp_path)), ROOT)
    assert result.returncode != 0
    assert "PUBLIC_URL is not set" in result.stderr and "set it to the address" in result.stderr


def test_embedded_sqlite_default_smoke(tmp_path, monkeypatch):
    """No DATABASE_URL: an SQLite file in the instance folder, migrated by init-db."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": None, "BCRYPT_LOG_ROUNDS": 4})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/kokoro_tts.sqlite3"
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert (tmp_path / "kokoro_tts.sqlite3").exists()

    client = app.test_client()
    token = client.post(
        "/api/auth/register", json={"email": "s@example.com", "password": "password123"}
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=headers).json["email"] == "s@example.com"
    prefs = client.put("/api/auth/preferences", json={"default_speed": 1.5}, headers=headers)
    assert prefs.json["preferences"] == {"default_speed": 1.5}
    assert client.post("/api/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    login = client.post("/api/auth/login", json={"email": "s@example.com", "password": "password123"})
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    # Concurrent favourites lose nothing on SQLite either (no row locks there).
    import threading

    voices = [v["id"] for v in client.get("/api/tts/voices").json["voices"]][:8]

    def add(voice: str) -> None:
        assert app.test_client().put(f"/api/tts/voices/{voice}/favorite", headers=headers).status_code == 200

    threads = [threading.Thread(target=add, args=(v,)) for v in voices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(client.get("/api/auth/me", headers=headers).json["favorite_voices"]) == sorted(voices)

    deleted = client.delete("/api/auth/me", json={"password": "password123"}, headers=headers)
    assert deleted.status_code == 200
    with app.app_context():
        from kokoro_tts.extensions import db

        # ON DELETE CASCADE works on SQLite too: the revoked token went with its user.
        assert db.session.execute(db.text("SELECT count(*) FROM revoked_tokens")).scalar() == 0
        db.engine.dispose()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ACCESS_TOKEN_DAYS", "thirty"), ("ACCESS_TOKEN_DAYS", "0"), ("TTS_THREADS", "-1"), ("APP_ENV", "staging")],
)
def test_a_bad_value_stops_start_up_naming_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(RuntimeError) as info:
        create_app()
    assert variable in str(info.value)


def test_empty_values_count_as_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCESS_TOKEN_DAYS", "")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": None})
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"].days == 30


def _gunicorn_settings(monkeypatch, **env: str) -> dict:
    import runpy

    # A copy of the environment: what gunicorn.conf.py sets in it (APP_ENV ...) must not leak.
    names = ("REDIS_URL", "RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY", "TTS_THREADS", "APP_ENV",
             "PROMETHEUS_MULTIPROC_DIR")
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k not in names} | env)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_one_worker_unless_rate_limits_are_shared(monkeypatch):
    """Per-process counters with two workers would double every limit."""
    alone = _gunicorn_settings(monkeypatch)
    assert alone["workers"] == 1
    assert int(os.environ["TTS_THREADS"]) == os.cpu_count()  # one worker gets every core
    shared = _gunicorn_settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")
    assert shared["workers"] == min(2, os.cpu_count() or 1)
