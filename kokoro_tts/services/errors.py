"""What the services refuse, said without HTTP: a stable `code`, a message for people, details.

The services sit below HTTP: they never choose a status. `kokoro_tts.errors` maps every code (the
engine's, these, storage's, the documents', the tokens') to its status in one table, so a code
means the same answer on every route.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..engine.errors import Message

INVALID_BODY = Message("The request body is not valid.")
#: Seconds a client is told to wait when the database is away (a restart takes a few).
DATABASE_RETRY_AFTER = 5


class ServiceError(Exception):
    """A request the service refuses (or cannot serve now), with its machine-readable code."""

    def __init__(
        self, code: str, message: str, details: dict[str, Any] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        #: seconds after which trying again may succeed (a busy or unreachable dependency)
        self.retry_after = retry_after


class CredentialsRefused(ServiceError):
    """The credentials a request presents (a token, an API key) do not identify a caller who may
    act now; the code says why (`invalid_api_key`, `account_inactive`, `token_revoked` ...)."""


def invalid_fields(fields: dict[str, Any]) -> ServiceError:
    """A body whose fields are at fault, each with its messages: one shape for every route."""
    return ServiceError("validation_error", INVALID_BODY, {"fields": fields})


def is_database_outage(error: BaseException) -> bool:
    """The database cannot be reached, dropped the connection, or no connection of the pool came
    free in time (not a bad query)."""
    if isinstance(error, (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def database_unavailable() -> ServiceError:
    return ServiceError(
        "database_unavailable", "The database is not reachable right now; try again shortly.",
        retry_after=DATABASE_RETRY_AFTER,
    )
