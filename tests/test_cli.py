"""check-db diagnoses the original document's troubleshooting cases; user admin commands."""

from __future__ import annotations

import pytest
from psycopg2 import OperationalError as PgOperationalError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from kokoro_tts.dbcheck import _connection_failure
from tests.support.app import make_app
from tests.support.pg import SERVER_URL, temporary_database

pytestmark = pytest.mark.api


def _check(url: str):
    app = make_app(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 3}},
    )
    return app.test_cli_runner().invoke(args=["check-db"])


def test_check_db_current(app, runner):
    result = runner.invoke(args=["check-db"])
    assert result.exit_code == 0, result.output
    assert "schema is current" in result.output


def test_check_db_server_unreachable():
    result = _check("postgresql://postgres@127.0.0.1:1/test")
    assert result.exit_code == 1
    assert "unreachable" in result.output and "could not connect" in result.output
    assert "Fix:" in result.output


def test_check_db_database_missing():
    result = _check(make_url(SERVER_URL).set(database="no_such_database_here").render_as_string(False))
    assert result.exit_code == 1 and "database_missing" in result.output


@pytest.mark.slow
def test_check_db_tables_missing():
    with temporary_database("kokoro_empty") as url:
        result = _check(url)
        assert result.exit_code == 1
        assert 'relation "users" does not exist' in result.output
        assert "init-db" in result.output
        make_app(SQLALCHEMY_DATABASE_URI=url)  # nothing at start-up creates tables
        assert _check(url).exit_code == 1


def test_password_failure_is_explained():
    # The local server trusts every local user, so the server's real message is used.
    exc = OperationalError(
        "connect", {}, PgOperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
            'password authentication failed for user "kokoro"'
        ),
    )
    failure = _connection_failure(exc)
    assert failure.code == "auth_failed"
    assert "DATABASE_URL" in failure.fix


def test_users_commands(auth, runner, client):
    auth.register()
    assert "ada@example.com" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "credits", "ada@example.com", "42"]).exit_code == 0
    assert auth.login().json["user"]["credits"] == 42
    runner.invoke(args=["users", "credits", "ADA@example.com", "unlimited"])
    assert auth.login().json["user"]["credits"] is None
    assert runner.invoke(args=["users", "deactivate", "ada@example.com"]).exit_code == 0
    assert auth.login().status_code == 403
    runner.invoke(args=["users", "activate", "ada@example.com"])
    assert auth.login().status_code == 200
    missing = runner.invoke(args=["users", "credits", "nobody@example.com", "1"])
    assert missing.exit_code != 0 and "No account" in missing.output
