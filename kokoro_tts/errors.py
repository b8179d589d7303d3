"""One JSON error envelope for every 4xx and 5xx: never HTML, never a traceback.

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": {...}}}

`code` is stable and machine-readable; `message` is for people.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from .engine import EngineError
from .extensions import db
from .storage import StorageError

log = logging.getLogger(__name__)

# Codes for the statuses Werkzeug raises on its own.
_DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


#: The speech engine knows no HTTP: its error codes get their statuses here, in one place.
ENGINE_STATUSES = {
    "text_too_long": 413,
    # The server's own files are at fault: not the client's error, and no paths in the answer.
    "model_unavailable": 503,
    "bad_voice_pack": 503,
    # Admission control: the process is full (503), or the account has enough running (429).
    "busy": 503,
    "too_many_concurrent": 429,
}


def engine_status(code: str) -> int:
    """The HTTP status of an engine error code: bad input (400) unless listed above."""
    return ENGINE_STATUSES.get(code, 400)


# The OpenAI-compatible routes answer in OpenAI's error shape, so that its SDKs
# raise their usual exceptions with a readable message.
OPENAI_PREFIX = "/v1/"


def _openai_error(status: int, code: str, message: str, details: dict[str, Any] | None) -> dict[str, Any]:
    if status >= 500:
        kind = "server_error"
    elif status == 402:
        kind = "insufficient_quota"
    elif status == 429:
        kind = "rate_limit_exceeded"
    else:
        kind = "invalid_request_error"
    fields = (details or {}).get("fields")
    param = next(iter(fields), None) if isinstance(fields, dict) else None
    return {"message": message, "type": kind, "param": param, "code": code}


class ApiError(HTTPException):
    """An error the API means to return, with its machine-readable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.details = details
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Any = None,
) -> Response:
    if has_request_context() and request.path.startswith(OPENAI_PREFIX):
        response = jsonify(error=_openai_error(status, code, message, details))
    else:
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        if details:
            body["details"] = details
        response = jsonify(error=body)
    response.status_code = status
    if headers:
        for name, value in dict(headers).items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
    return response


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, ApiError):
        return error_response(status, error.error_code, error.description or "", error.details, error.headers)
    details = None
    code = _DEFAULT_CODES.get(status, "error")
    message = error.description or ""
    # webargs (through flask-smorest) puts field messages in `data`.
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        code = "validation_error"
        message = "The request body is not valid."
        messages = data["messages"]
        # One location (json, query...) per request here: show the fields directly.
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        details = {"fields": messages}
    if status == 429:
        message = f"Too many requests: limit is {error.description}. Try again later."
    headers = error.get_response().headers
    return error_response(status, code, message, details, headers)


#: Seconds a client is told to wait when the database is away (a restart takes a few).
DATABASE_RETRY_AFTER = 5


def is_database_outage(error: BaseException) -> bool:
    """The database cannot be reached, dropped the connection, or no connection of the pool came
    free in time (not a bad query)."""
    if isinstance(error, (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def database_unavailable() -> ApiError:
    return ApiError(
        503, "database_unavailable", "The database is not reachable right now; try again shortly.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


def handle_engine_error(error: EngineError) -> Response:
    status = engine_status(error.code)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return error_response(status, error.code, error.message, headers={"Retry-After": str(retry_after)})
    if status >= 500:
        log.error("speech engine unavailable: %s", error.message)
        return error_response(status, error.code, "The speech engine is not available on this server right now.")
    return error_response(status, error.code, error.message)


def handle_unexpected(error: Exception) -> Response:
    if is_database_outage(error):
        try:
            db.session.rollback()  # the pool replaces the dead connection (pre-ping) on next use
        except Exception:
            log.debug("rollback after a database outage failed", exc_info=True)
        log.warning("database unavailable: %s", str(error).splitlines()[0])
        return handle_http_exception(database_unavailable())
    if isinstance(error, StorageError):
        log.error("audio storage unavailable: %s", error)
        return error_response(503, "storage_unavailable", "The audio storage is not available right now.")
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal_error", InternalServerError.description)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(EngineError, handle_engine_error)
    app.register_error_handler(Exception, handle_unexpected)
