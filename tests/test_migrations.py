"""Migrations: an empty database, and adopting one that the old init_db() made."""

from __future__ import annotations

import bcrypt
import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from kokoro_tts.extensions import db
from tests.support.app import make_app
from tests.support.legacy_schema import init_db
from tests.support.pg import temporary_database

pytestmark = pytest.mark.api

# Every original column but `history`, whose entries migration 0003 moves to `generations`.
KEPT = ("id, email, hashed_password, name, is_active, is_verified, created_at, updated_at,"
        " last_login, favorite_voices, credits, preferences")


@pytest.fixture
def empty_url():
    with temporary_database("kokoro_mig") as url:
        yield url


def _columns(url: str) -> dict[str, dict]:
    engine = create_engine(url)
    try:
        return {c["name"]: c for c in inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def test_upgrade_on_empty_database_creates_the_original_table(empty_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade()
        indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("users")}
        db.session.remove()
        db.engine.dispose()
    columns = _columns(empty_url)
    assert list(columns) == [
        "id", "email", "hashed_password", "name", "is_active", "is_verified", "created_at",
        "updated_at", "last_login", "favorite_voices", "history", "credits", "preferences",
    ]
    assert columns["email"]["type"].length == 255 and not columns["email"]["nullable"]
    assert columns["hashed_password"]["type"].length == 255
    assert columns["name"]["nullable"] and columns["credits"]["nullable"]
    assert type(columns["favorite_voices"]["type"]).__name__ == "JSON"
    assert type(columns["created_at"]["type"]).__name__ == "TIMESTAMP"
    assert indexes["ix_users_email"]["unique"]


def test_legacy_table_matches_the_baseline(empty_url):
    """The baseline is the old create_all table, column for column."""
    with temporary_database("kokoro_legacy") as legacy_url:
        init_db(legacy_url)
        legacy = _columns(legacy_url)
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    ours = _columns(empty_url)
    describe = lambda cols: {  # noqa: E731
        name: (str(c["type"]), c["nullable"]) for name, c in cols.items()
    }
    assert describe(ours) == describe(legacy)


def test_upgrade_adopts_an_init_db_database_and_keeps_every_row(empty_url):
    init_db(empty_url)
    hashed = bcrypt.hashpw(b"old password 1", bcrypt.gensalt(4)).decode()
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO users (email, hashed_password, name, is_active, is_verified,"
                    " created_at, updated_at, favorite_voices, history, credits, preferences)"
                    " VALUES (:email, :pw, :name, true, false, now(), now(),"
                    " CAST(:fav AS json), CAST(:hist AS json), :credits, CAST(:prefs AS json))"
                ),
                {
                    "email": f"old{i}@example.com", "pw": hashed, "name": f"Old {i}",
                    "fav": '["af_bella"]', "hist": '[{"text": "hello", "voice": "af_bella"}]',
                    "credits": 100 * i or None, "prefs": '{"default_voice": "af_bella"}',
                },
            )
        before = [tuple(r) for r in conn.execute(text(f"SELECT {KEPT} FROM users ORDER BY id"))]
    engine.dispose()

    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    result = app.test_cli_runner().invoke(args=["check-db"])
    assert result.exit_code == 1 and "schema_unmanaged" in result.output

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready at revision" in result.output

    with app.app_context():
        after = [tuple(r) for r in db.session.execute(text(f"SELECT {KEPT} FROM users ORDER BY id"))]
        assert inspect(db.engine).has_table("revoked_tokens")
        db.session.remove()
    assert after == before  # every row and column; history moved to its table (below)

    client = app.test_client()
    login = client.post("/api/auth/login", json={"email": "old1@example.com", "password": "old password 1"})
    assert login.status_code == 200, login.json
    assert login.json["user"]["favorite_voices"] == ["af_bella"]
    assert login.json["user"]["preferences"] == {"default_voice": "af_bella"}
    assert login.json["user"]["credits"] == 100
    assert [h["text"] for h in login.json["user"]["history"]] == ["hello"]
    # New accounts still get fresh ids after the adopted rows.
    new = client.post("/api/auth/register", json={"email": "new@example.com", "password": "new password"})
    assert new.status_code == 201 and new.json["user"]["id"] == 4

    assert app.test_cli_runner().invoke(args=["check-db"]).exit_code == 0
    # Running it again is harmless.
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_foreign_users_table_is_refused_untouched(empty_url):
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (id serial primary key, login text)"))
        conn.execute(text("INSERT INTO users (login) VALUES ('keep me')"))
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code != 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT login FROM users")).scalar_one() == "keep me"
    engine.dispose()
    with app.app_context():
        db.engine.dispose()


LEGACY_HISTORY = [
    {"text": "First words.", "voice": "af_bella", "speed": 1.2, "format": "mp3",
     "created_at": "2025-03-01T10:00:00Z", "audio_url": "/static/old1.mp3", "duration": 1.5},
    {"text": "Second.", "voice": "ff_siwis", "timestamp": 1740000000},
    {"weird": True},
    "just a string",
]


def test_history_entries_move_to_their_table(empty_url):
    import json

    from flask_migrate import downgrade

    init_db(empty_url)
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, hashed_password, is_active, created_at, history)"
                " VALUES ('old@example.com', :pw, true, '2025-01-01', CAST(:history AS json)),"
                " ('empty@example.com', :pw, true, '2025-01-01', NULL)"
            ),
            {"pw": bcrypt.hashpw(b"old password 1", bcrypt.gensalt(4)).decode(),
             "history": json.dumps(LEGACY_HISTORY)},
        )
    engine.dispose()

    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    client = app.test_client()
    token = client.post(
        "/api/auth/login", json={"email": "old@example.com", "password": "old password 1"}
    ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get("/api/tts/history", headers=headers).json
    assert page["total"] == 4
    by_text = {item["text"]: item for item in page["items"]}
    first = by_text["First words."]
    assert (first["voice"], first["speed"], first["format"], first["duration"]) == ("af_bella", 1.2, "mp3", 1.5)
    assert first["created_at"].startswith("2025-03-01T10:00:00")
    assert first["extra"] == LEGACY_HISTORY[0] and first["has_audio"] is False
    assert by_text["Second."]["extra"]["timestamp"] == 1740000000
    assert by_text["Second."]["created_at"].startswith("2025-02-19T21:20:00")
    def canonical(entries):
        return sorted(json.dumps(e, sort_keys=True) for e in entries)

    assert canonical(item["extra"] for item in page["items"]) == canonical(LEGACY_HISTORY)
    audio = client.get(f"/api/tts/history/{first['id']}/audio", headers=headers)
    assert audio.status_code == 404 and audio.json["error"]["code"] == "audio_not_found"

    with app.app_context():
        downgrade(revision="0002_revoked_tokens")
        restored = db.session.execute(text("SELECT history FROM users WHERE email = 'old@example.com'")).scalar_one()
        assert restored == LEGACY_HISTORY
        db.session.remove()
        db.engine.dispose()


def test_operators_scopes_and_audit_log_upgrade_and_downgrade(empty_url):
    """0009 adds `operators`, `api_keys.scope` (existing keys: "user") and `audit_log`, leaves `users`
    as it was, and goes back down cleanly."""
    from flask_migrate import downgrade

    app = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade(revision="0008_job_book_tags")
        db.session.execute(text("INSERT INTO users (email, hashed_password) VALUES ('a@example.com', 'x')"))
        db.session.execute(text("INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at)"
                                " VALUES (1, 'k', 'sk-kokoro-abcd', 'h', now())"))
        db.session.commit()
        upgrade()
        inspector = inspect(db.engine)
        assert {"operators", "audit_log"} <= set(inspector.get_table_names())
        assert db.session.execute(text("SELECT scope FROM api_keys")).scalar_one() == "user"
        db.session.remove()  # its read holds a lock that the downgrade's ALTER TABLE waits for
        downgrade(revision="0008_job_book_tags")
        inspector = inspect(db.engine)
        assert not {"operators", "audit_log"} & set(inspector.get_table_names())
        assert "scope" not in {c["name"] for c in inspector.get_columns("api_keys")}
        upgrade()
        db.session.remove()
        db.engine.dispose()
    assert "is_admin" not in _columns(empty_url)
