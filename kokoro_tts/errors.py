"""One JSON error envelope for every 4xx and 5xx: never HTML, never a traceback.

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": {...}}}

`code` is stable and machine-readable; `message` is for people, in their language (see
`locales` and `translate`; field messages in `details.fields` too). Nothing below HTTP chooses a
status: the engine, the services, storage, documents and the token checks raise errors with a
code, and `STATUSES` below gives each code its status, in one place.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from .documents import DocumentError
from .engine import EngineError
from .engine.errors import Message
from .extensions import db
from .services.errors import CredentialsRefused, ServiceError, database_unavailable, invalid_fields, is_database_outage
from .storage import StorageError
from .translate import N_, say, say_details, say_fields

log = logging.getLogger(__name__)

#: The status of every code the service answers with, whoever raised it (a test checks that every
#: code raised in the package is here). A credential refused is a 401 whatever its code (`status_of`).
STATUSES: dict[str, int] = {
    # Bad input: the body, the text, the voice, a link, a file.
    "bad_request": 400, "validation_error": 400, "invalid_json": 400, "invalid_characters": 400,
    "engine_error": 400, "empty_text": 400, "nothing_to_say": 400, "unknown_format": 400, "invalid_speed": 400,
    "unsupported_language": 400, "unknown_voice": 400, "voice_unavailable": 400, "invalid_markup": 400,
    "invalid_ssml": 400, "invalid_phonemes": 400, "invalid_rule": 400, "model_not_found": 400, "invalid_link": 400,
    "link_expired": 400, "unreadable_file": 400, "invalid_pls": 400, "lexemes_refused": 400,
    "invalid_time_zone": 400, "invalid_range": 400,
    # Credentials.
    "unauthorized": 401, "missing_token": 401, "invalid_token": 401, "token_expired": 401, "token_revoked": 401,
    "user_not_found": 401, "invalid_api_key": 401, "invalid_credentials": 401,
    "account_inactive": 403, "wrong_password": 403, "csrf_failed": 403, "forbidden": 403,
    "payment_required": 402, "insufficient_credits": 402,
    # Rows and voices that are not there (another account's rows answer as missing ones).
    "not_found": 404, "voice_not_found": 404, "generation_not_found": 404, "audio_not_found": 404,
    "job_not_found": 404, "api_key_not_found": 404, "rule_not_found": 404, "account_not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409, "email_taken": 409, "already_verified": 409, "too_many_rules": 409, "duplicate_rule": 409,
    "credits_unlimited": 409, "own_account": 409,
    "payload_too_large": 413, "text_too_long": 413, "file_too_large": 413, "uri_too_long": 414,
    "unsupported_media_type": 415, "unsupported_file": 415,
    # Admission: the account has enough running (429), the process is full (503).
    "rate_limited": 429, "too_many_concurrent": 429,
    # The client went away mid-synthesis (nginx's code): nobody reads this answer; nothing was charged.
    "interrupted": 499,
    "internal_error": 500, "synthesis_failed": 500,
    # What the service depends on is away, or the server's own files are at fault: not the client's error.
    "busy": 503, "model_unavailable": 503, "bad_voice_pack": 503, "download_failed": 503,
    "database_unavailable": 503, "storage_unavailable": 503, "queue_unavailable": 503, "email_unavailable": 503,
    "service_unavailable": 503,
}

#: Codes for the statuses Werkzeug raises on its own (unknown routes, oversized bodies ...).
_DEFAULT_CODES = {
    400: "bad_request", 401: "unauthorized", 402: "payment_required", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error", 429: "rate_limited", 500: "internal_error", 503: "service_unavailable",
}


def status_of(error: ServiceError | EngineError | str) -> int:
    """The HTTP status of an error (or of a bare code)."""
    if isinstance(error, CredentialsRefused):
        return 401
    code = error if isinstance(error, str) else error.code
    if code not in STATUSES:
        log.warning("error code %r has no status in errors.STATUSES; answering 400", code)
    return STATUSES.get(code, 400)


# The OpenAI-compatible routes answer in OpenAI's error shape, so that its SDKs
# raise their usual exceptions with a readable message; the ElevenLabs-compatible ones in
# ElevenLabs' (`{"detail": {"status", "message"}}`), for the same reason.
OPENAI_PREFIX = "/v1/"
ELEVENLABS_PREFIXES = ("/v1/text-to-speech/", "/v1/voices")


def error_shape(path: str, elevenlabs_client: bool = False) -> str:
    """"elevenlabs", "openai" or "api": whose error shape the answers under `path` take (/v1/models
    answers both SDKs: an ElevenLabs client says so by its `xi-api-key` header)."""
    if path.startswith(ELEVENLABS_PREFIXES) or (elevenlabs_client and path == "/v1/models"):
        return "elevenlabs"
    return "openai" if path.startswith(OPENAI_PREFIX) else "api"


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


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Any = None,
) -> Response:
    shape = error_shape(request.path, "xi-api-key" in request.headers) if has_request_context() else "api"
    if shape == "elevenlabs":
        response = jsonify(detail={"status": code, "message": message, **({"details": details} if details else {})})
    elif shape == "openai":
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


def refusal(error: ServiceError) -> Response:
    """The answer to a refusal: its status from the table, `Retry-After` when it says when."""
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    details = error.details
    if details and "fields" in details:
        details = {**details, "fields": say_fields(details["fields"])}
    elif details:
        details = say_details(details)
    return error_response(status_of(error), error.code, say(error.message), details, headers)


#: What Werkzeug says of the statuses it raises itself, shorter and in the reader's language.
_DEFAULT_MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("Nothing here: check the address."),
    405: N_("This method is not allowed here."),
    413: N_("The request body is too large."),
    415: N_("The server does not take this kind of request body."),
    500: N_("The server met an error; try again later."),
}


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    # webargs (through flask-smorest) puts field messages in `data`.
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        messages = data["messages"]
        # One location (json, query, form...) per request here: show the fields directly.
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        return refusal(invalid_fields(messages))
    message = say(_DEFAULT_MESSAGES[status]) if status in _DEFAULT_MESSAGES else error.description or ""
    if status == 429:
        message = say(Message("Too many requests: limit is {limit}. Try again later.", limit=error.description))
    headers = error.get_response().headers
    return error_response(status, _DEFAULT_CODES.get(status, "error"), message, None, headers)


def handle_engine_error(error: EngineError) -> Response:
    status = status_of(error)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return error_response(status, error.code, say(error.message), headers={"Retry-After": str(retry_after)})
    if status >= 500:  # the server's own files: no paths in the answer
        log.error("speech engine unavailable: %s", error.message)
        unavailable = N_("The speech engine is not available on this server right now.")
        return error_response(status, error.code, say(unavailable))
    return error_response(status, error.code, say(error.message), error.details)


def handle_document_error(error: DocumentError) -> Response:
    return error_response(status_of(error.code), error.code, say(error.message))


def handle_unexpected(error: Exception) -> Response:
    if is_database_outage(error):
        try:
            db.session.rollback()  # the pool replaces the dead connection (pre-ping) on next use
        except Exception:
            log.debug("rollback after a database outage failed", exc_info=True)
        log.warning("database unavailable: %s", str(error).splitlines()[0])
        return refusal(database_unavailable())
    if isinstance(error, StorageError):
        log.error("audio storage unavailable: %s", error)
        return refusal(ServiceError("storage_unavailable", "The audio storage is not available right now."))
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal_error", say(_DEFAULT_MESSAGES[500]))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, refusal)
    app.register_error_handler(EngineError, handle_engine_error)
    app.register_error_handler(DocumentError, handle_document_error)
    app.register_error_handler(Exception, handle_unexpected)
