"""Diagnose the database connection and schema (behind `check-db` and `init-db`).

Replaces the original service's `test_db_connection.py`: each failure of its
troubleshooting section is recognised and explained with its fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .extensions import db

INIT_HINT = "run: flask --app wsgi init-db   (or: flask --app wsgi db upgrade)"


@dataclass(frozen=True)
class Failure:
    code: str
    cause: str
    fix: str

    @property
    def fixed_by_upgrade(self) -> bool:
        """Missing, unmanaged (init_db-era) and outdated schemas: what init-db mends."""
        return self.code.startswith("schema_")

    def explain(self) -> str:
        return f"Error ({self.code}): {self.cause}\nFix: {self.fix}"


@dataclass(frozen=True)
class Report:
    url: str
    current: str | None = None
    head: str | None = None
    users: int | None = None
    failure: Failure | None = None


def _connection_failure(exc: OperationalError) -> Failure:
    text = str(exc.orig or exc).lower()
    if "password authentication failed" in text or "authentication failed" in text:
        return Failure(
            "auth_failed",
            "password authentication failed: the server refused the user or password in DATABASE_URL.",
            "check the user and password in DATABASE_URL, and that this PostgreSQL user exists "
            "and may connect to the database.",
        )
    if "does not exist" in text and "database" in text:
        return Failure(
            "database_missing",
            "the database named in DATABASE_URL does not exist on the server.",
            "create it (e.g. createdb NAME) or fix the database name in DATABASE_URL.",
        )
    return Failure(
        "unreachable",
        f"could not connect to server: {str(exc.orig or exc).strip().splitlines()[0]}",
        "check that PostgreSQL is running and reachable at the host and port of DATABASE_URL "
        "(e.g. pg_isready -h HOST -p PORT), and that DATABASE_URL is right.",
    )


def head_revision() -> str | None:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def diagnose() -> Report:
    url = db.engine.url.render_as_string(hide_password=True)
    head = head_revision()
    try:
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            has_users = inspect(conn).has_table("users")
            users = None
            if has_users:
                users = conn.exec_driver_sql("SELECT count(*) FROM users").scalar_one()
    except OperationalError as exc:
        return Report(url, head=head, failure=_connection_failure(exc))
    except SQLAlchemyError as exc:
        return Report(url, head=head, failure=Failure("database_error", str(exc), INIT_HINT))
    if not has_users:
        failure = Failure(
            "schema_missing",
            'relation "users" does not exist: the tables have not been created.',
            INIT_HINT,
        )
    elif current is None:
        failure = Failure(
            "schema_unmanaged",
            "the users table exists but no migration is recorded (made by the old init_db()).",
            INIT_HINT + "  -- it adopts the existing table and keeps every row.",
        )
    elif current != head:
        failure = Failure(
            "schema_outdated",
            f"the schema is at revision {current}, the code expects {head}.",
            INIT_HINT,
        )
    else:
        failure = None
    return Report(url, current=current, head=head, users=users, failure=failure)
