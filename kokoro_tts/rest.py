"""The REST layer's shared pieces: a flask-smorest Blueprint that answers bad input
with 400, strict schema fields, the JSON body guard, and how routes mark their security."""

from __future__ import annotations

import logging
import select
import socket
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import flask_smorest
from flask import Response, current_app, request, stream_with_context
from marshmallow import Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser

from .engine.errors import Message
from .services.errors import ServiceError
from .services.generation import Audio

log = logging.getLogger(__name__)

#: The OpenAPI document requires bearer authentication on every route (see config.py's
#: API_SPEC_OPTIONS); routes open to anyone say so with `@bp.doc(**PUBLIC)`, routes where a
#: token is optional (it changes the answer) with `@bp.doc(**OPTIONAL_AUTH)`.
PUBLIC: dict[str, Any] = {"security": []}
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"bearerAuth": []}]}


class Parser(FlaskParser):
    # A body that does not match its schema is the client's error: 400, not 422.
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


def parse(schema: Schema, location: str) -> dict[str, Any]:
    """A body read in the view, as `@bp.arguments` reads one (for a route that takes JSON or a
    form): the same 400 `validation_error` with the fields at fault."""
    return Blueprint.ARGUMENTS_PARSER.parse(schema, request, location=location)


class StrictFloat(fields.Float):
    """A JSON number only: refuses strings and booleans that `Float` would coerce."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false` only: refuses the 0, 1, "yes" ... that `Boolean` would read as one,
    so that the document's `boolean` is what the API accepts."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class TextBoolean(fields.Boolean):
    """A boolean sent as text (a query string, a form field): `true` or `false`, as OpenAPI writes one."""

    truthy = {"true"}
    falsy = {"false"}


class UTCDateTime(fields.DateTime):
    """Dumps the naive-UTC timestamps of the database as ISO 8601 with +00:00."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Endpoints that take a file upload (multipart) as well as JSON, with the config key of
#: their own body limit in place of MAX_CONTENT_LENGTH.
UPLOADS = {"tts.submit_job": "JOB_MAX_UPLOAD_BYTES"}
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Endpoints that take another body than JSON, and the media types they read themselves.
OTHER_BODIES = {"tts.import_rules": ("application/pls+xml", "application/xml", "text/xml", "multipart/form-data")}
#: Deeper JSON than this is refused before any view sees it (no request needs more than 3).
MAX_JSON_DEPTH = 32
#: The longest query string any route reads, in bytes (none needs a tenth of it). gunicorn reads
#: request lines up to twice that (gunicorn.conf.py), so that this answer, not its HTML page, says so.
MAX_QUERY_BYTES = 4096


def limit_query_string() -> None:
    """Refuse a query string over MAX_QUERY_BYTES with the JSON envelope (414 `uri_too_long`),
    before any route reads it."""
    if len(request.query_string) > MAX_QUERY_BYTES:
        raise ServiceError(
            "uri_too_long", f"The query string is longer than {MAX_QUERY_BYTES} bytes.",
            {"limit": MAX_QUERY_BYTES},
        )


def require_json_body() -> None:
    """Refuse request bodies that are not JSON, or that no view should see, before any view runs.

    webargs would read a form or a broken body as "no data" and report missing fields; a client
    deserves to hear what is really wrong: 415, 413 (however the body is sent, chunked too),
    400 for broken or too deeply nested JSON, and 400 for strings the database cannot store
    (a NUL character, or a lone surrogate that is not Unicode).
    """
    if request.method not in _BODY_METHODS:
        return
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return
    upload_limit = UPLOADS.get(request.endpoint or "")
    if upload_limit:
        request.max_content_length = current_app.config[upload_limit]
        if request.mimetype in FORMS:
            return  # the view reads the form (and its file) itself
    if _read_by_the_view():
        return
    if not request.is_json:
        raise ServiceError(
            "unsupported_media_type",
            "Send the request body as JSON with Content-Type: application/json.",
        )
    read_body()
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if data is None:
        raise ServiceError("invalid_json", "The request body is not valid JSON.")
    check_json_values(data)


def _read_by_the_view() -> bool:
    """Whether the endpoint reads this body itself (one of OTHER_BODIES); 415 for a type it does not read."""
    accepted = OTHER_BODIES.get(request.endpoint or "")
    if accepted is None:
        return False
    if request.mimetype in accepted:
        return True
    raise ServiceError("unsupported_media_type", Message("Send the request body as one of: {types}.",
                                                         types=", ".join(accepted)))


def read_body() -> bytes:
    """The whole body: 413 for a Content-Length over the request's limit (MAX_CONTENT_LENGTH)."""
    data = request.get_data(cache=True)
    stream = request.stream
    if getattr(stream, "is_exhausted", False):
        # A chunked body is cut at the limit without an error; reading on is what raises the
        # 413 (for a body of exactly the limit too: the limit is exclusive).
        stream.read(1)
    return data


def check_json_values(data: Any) -> None:
    """Walk the JSON (without recursion): bounded depth, storable strings only."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ServiceError("invalid_json", Message("The request body is nested deeper than {n} levels.",
                                                       n=MAX_JSON_DEPTH))
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            _check_string(value)


def _check_string(value: str) -> None:
    if "\x00" in value:
        raise ServiceError("invalid_characters", "The request body contains a NUL character (\\u0000).")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ServiceError(
            "invalid_characters", "The request body contains text that is not valid Unicode (a lone surrogate)."
        ) from exc


#: A stream keeps at most about this much in the kernel for its client (a second of PCM, more of
#: compressed audio), so that a client that stops reading is noticed, not buffered for minutes.
STREAM_SEND_BUFFER = 64 * 1024
#: What a socket that says it is writable has room for at least (a third of its buffer, on Linux).
STREAM_SLICE = 16 * 1024


def _client_socket() -> socket.socket | None:
    """This request's connection, where the server says it (gunicorn, Werkzeug's), without TLS."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    return sock if isinstance(sock, socket.socket) and not isinstance(sock, ssl.SSLSocket) else None


def client_gone() -> Callable[[], bool]:
    """Whether this request's client has closed its connection: asked between the pieces of a whole
    generation and while a stream waits in line, so that nobody pays for audio nobody will hear (its
    body is read by then)."""
    sock = _client_socket()

    def gone() -> bool:
        if sock is None:
            return False
        try:
            # Asked of select, not of a non-blocking recv: a socket given a timeout (a stream's) waits
            # that long in recv for something to read, whatever the flags.
            if not select.select([sock], [], [], 0)[0]:
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except (OSError, ValueError):
            return True

    return gone


def bounded_stream(body: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body whose client does not read for STREAM_WRITE_TIMEOUT seconds is stopped and
    closed, which settles it like a client that left (what was sent is charged)."""
    sock = _client_socket()
    if sock is None:
        return stream_with_context(body)
    seconds = current_app.config["STREAM_WRITE_TIMEOUT"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, STREAM_SEND_BUFFER)
    sock.settimeout(seconds)  # and no single write may take longer (a client reading a byte at a time)
    return stream_with_context(_while_read(body, sock, seconds))


def _while_read(body: Iterator[bytes], sock: socket.socket, seconds: float) -> Iterator[bytes]:
    try:
        for data in body:
            if not data:
                yield data  # nothing to write: the server sends the headers (a stream waiting in line)
                continue
            # In slices a socket said it had room for, so that the server's writes never wait long.
            for start in range(0, len(data), STREAM_SLICE):
                if not select.select([], [sock], [], seconds)[1]:
                    log.info("a stream's client read nothing for %g s: stopped", seconds)
                    sock.shutdown(socket.SHUT_RDWR)  # the server's next write fails quietly (EPIPE)
                    return
                yield data[start:start + STREAM_SLICE]
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def audio_response(audio: Audio) -> Response:
    """A generation's audio as the HTTP answer; a stream keeps the request context while it runs."""
    body = audio.body if isinstance(audio.body, bytes) else bounded_stream(audio.body)
    response = Response(body, mimetype=audio.content_type)
    response.headers.update(audio.headers)
    return response
