"""The API document, its docs page, and the headers every answer carries.

- The document (flask-smorest, /api/openapi.json): errors are the API's own envelope (`Error`),
  or OpenAI's shape (`OpenAIError`) under /v1. Routes list the error statuses they really answer
  with `@bp.doc(**errors(...))` (`openai=True` under /v1); no catch-all `default` response, so that
  a status a route does not list is a bug of the route or of its document. What every route may
  answer before it runs (414 for a long query string) is added to each by `AnswersOfEveryRoute`.
- The docs page (/api/docs): Swagger UI from the files the `flask-swagger-ui` package ships,
  served by the app itself (no CDN; works offline). `OPENAPI_SWAGGER_UI_URL` says where. Its page
  is this app's (docs_page/): started by a script file, not an inline one, so that it runs under a
  Content-Security-Policy that allows no inline script; no other site may frame it.
- Headers: `X-Content-Type-Options: nosniff` everywhere; `Cache-Control: no-store` on the API's
  answers (tokens, keys, private data), not on the document and its docs page; the docs' CSP
  and `X-Frame-Options: DENY`; `Strict-Transport-Security` everywhere in production; rate-limit
  headers, with `Retry-After` only on 429 (and 503, which sets its own).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from apispec import BasePlugin
from flask import Blueprint, Flask, Response, current_app, request

from .engine import FORMATS
from .errors import error_shape
from .extensions import api, limiter
from .rest import MAX_QUERY_BYTES
from .schemas import ElevenLabsErrorSchema, ErrorSchema, OpenAIErrorSchema

log = logging.getLogger(__name__)

#: A JSON body is read: it may be broken or invalid (400), too large (413), or not JSON (415).
BODY = (400, 413, 415)

_RETRY_AFTER = {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request is not valid: `validation_error` (the messages per field in `details.fields`), "
         "`invalid_json` or `invalid_characters` (a NUL character or a lone surrogate).",
    401: "No valid credentials: `missing_token`, `invalid_token`, `token_expired`, `token_revoked`, "
         "`user_not_found`, `invalid_api_key` or `account_inactive`.",
    402: "`insufficient_credits` (`details.credits`: the balance, `details.required`: the cost); "
         "nothing was synthesised.",
    403: "Forbidden.",
    404: "Not found.",
    409: "Conflict.",
    413: "`payload_too_large`: the body is over MAX_CONTENT_LENGTH.",
    414: f"`uri_too_long`: the query string is over {MAX_QUERY_BYTES} bytes (any route, before it runs).",
    415: "`unsupported_media_type`: the body is not sent as application/json.",
    429: "`rate_limited`: too many requests; `Retry-After` says how many seconds to wait.",
    500: "Internal error.",
    503: "`database_unavailable`: the database is not reachable right now (`Retry-After`: seconds to wait).",
}


def errors(
    *statuses: int, notes: Mapping[int, str] | None = None, openai: bool = False, elevenlabs: bool = False
) -> dict[str, Any]:
    """`@bp.doc(**errors(401, 404))`: the error answers of a route, each with the error schema
    (OpenAI's or ElevenLabs' shape on their routes).

    `notes` replaces the description of a status for this route (which codes it answers with).
    """
    schema = ElevenLabsErrorSchema if elevenlabs else OpenAIErrorSchema if openai else ErrorSchema
    # Integer keys, as flask-smorest's decorators use: the descriptions merge instead of replacing each other.
    responses: dict[int, Any] = {}
    for status in statuses:
        response: dict[str, Any] = {
            "description": (notes or {}).get(status) or ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": schema}},
        }
        if status in (429, 503):
            response["headers"] = {"Retry-After": _RETRY_AFTER}
        responses[status] = response
    return {"responses": responses}


class AnswersOfEveryRoute(BasePlugin):
    """apispec plugin: the answers every operation may give before its route runs (the app's
    guards, kokoro_tts/rest.py), so that no route has to list them itself."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        schema = {"elevenlabs": "ElevenLabsError", "openai": "OpenAIError"}.get(error_shape(path or ""), "Error")
        for operation in (operations or {}).values():
            operation.setdefault("responses", {})["414"] = {
                "description": ERROR_DESCRIPTIONS[414],
                "content": {"application/json": {"schema": schema}},
            }


def link(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the operation `method path` of this document, its parameters taken from
    the answer (`$response.body#/id`, `$response.header.X-Generation-Id`): what a client (and the
    fuzzer's stateful phase) may call next with what it was given."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}


def links(status: int, **named: dict[str, Any]) -> dict[str, Any]:
    """`@bp.doc(**links(201, DeleteRule=link(...)))`: the links of a route's `status` answer."""
    return {"responses": {status: {"links": named}}}


def history_item_links(generation_id: str) -> dict[str, dict[str, Any]]:
    """What a generation's history item offers, its id taken from the answer as `generation_id` says."""
    item = "/api/tts/history/{generation_id}"
    return {
        "GetHistoryItem": link("get", item, generation_id=generation_id),
        "GetAudio": link("get", f"{item}/audio", generation_id=generation_id),
        "GetCaptions": link("get", f"{item}/captions", generation_id=generation_id),
        "DeleteHistoryItem": link("delete", item, generation_id=generation_id),
    }


#: What a generation answers besides its audio (POST /api/tts/generate, POST /v1/audio/speech).
GENERATION_ERRORS = (*BODY, 401, 402, 429, 500, 503)
GENERATION_NOTES: dict[int, str] = {
    400: f"{ERROR_DESCRIPTIONS[400]} Or the engine cannot speak the request as given: `empty_text`, "
         "`nothing_to_say`, `unknown_voice`, `voice_unavailable`, `unsupported_language`, `invalid_speed`, "
         "`unknown_format`. Nothing was charged.",
    413: "`payload_too_large`: the body is over MAX_CONTENT_LENGTH; or `text_too_long`: the text is "
         "longer than TTS_MAX_CHARS, or would make more audio than TTS_MAX_AUDIO_SECONDS at its speed.",
    500: "`synthesis_failed`: speech synthesis failed; you were not charged.",
    503: "`model_unavailable`: the speech model cannot be loaded (you were not charged); or "
         "`database_unavailable` (`Retry-After`: seconds to wait).",
}


def generation_errors(
    openai: bool = False, notes: Mapping[int, str] | None = None, elevenlabs: bool = False
) -> dict[str, Any]:
    """The error answers of a generation."""
    return errors(*GENERATION_ERRORS, notes={**GENERATION_NOTES, **(notes or {})}, openai=openai,
                  elevenlabs=elevenlabs)


_BINARY = {"schema": {"type": "string", "format": "binary"}}

#: An answer to save as a file.
ATTACHMENT: dict[str, Any] = {
    "Content-Disposition": {"description": "attachment, with a file name", "schema": {"type": "string"}},
}
#: The headers of a generation's audio (POST /api/tts/generate, POST /v1/audio/speech).
GENERATION_HEADERS: dict[str, Any] = {
    **ATTACHMENT,
    "X-Generation-Id": {"description": "the history item of this generation", "schema": {"type": "integer"}},
    "X-Characters-Charged": {"description": "the credits this generation cost", "schema": {"type": "integer"}},
    "X-Credits-Remaining": {
        "description": "the balance after this generation, or `unlimited`", "schema": {"type": "string"}
    },
    "X-Audio-Duration": {"description": "seconds of audio; absent when streamed", "schema": {"type": "number"}},
    "X-Queue-Position": {
        "description": "a stream waiting in line for real-time capacity: its place (1: next; GET /api/tts/queue "
                       "follows it); its audio comes when its turn does. Absent when it started at once",
        "schema": {"type": "integer"},
    },
}


def audio(headers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`@bp.doc(**audio())`: a 200 answer that is audio, in any of the formats the engine makes."""
    response: dict[str, Any] = {"content": {content_type: _BINARY for content_type in FORMATS.values()}}
    if headers:
        response["headers"] = dict(headers)
    return {"responses": {200: response}}


def register_openapi(app: Flask) -> None:
    """The document's error responses, the docs page's files and the answers' headers.

    Runs before `api.init_app(app)`, which builds the document's default responses from
    `api.ERROR_SCHEMA`.
    """
    if "flask-smorest" in app.extensions:
        raise RuntimeError("register_openapi(app) must run before api.init_app(app)")
    api.ERROR_SCHEMA = ErrorSchema
    api.DEFAULT_ERROR_RESPONSE_NAME = None  # each route lists its own errors (`errors`)
    # Before flask-smorest's blueprint: Flask looks for templates in the order blueprints were
    # registered, so this page (docs_page/templates/swagger_ui.html) replaces its own.
    app.register_blueprint(Blueprint("docs_page", __name__, template_folder="docs_page/templates",
                                     static_folder="docs_page/static", static_url_path="/api/docs/page"))
    _serve_swagger_ui(app)
    app.after_request(answer_headers)


#: Blueprints whose answers are public documentation: cacheable, under the docs' CSP.
_DOCS_BLUEPRINTS = {"api-docs", "swagger_ui", "docs_page"}
#: Swagger UI's page: its files and the document from this origin only, no inline script, no
#: framing (clickjacking the "Try it out" buttons). Its CSS holds data: images; it sets styles
#: through the DOM, which style-src does not govern.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_PRIVATE_PREFIXES = ("/api/", "/v1/")


def _serve_swagger_ui(app: Flask) -> None:
    """Serve Swagger UI's files at OPENAPI_SWAGGER_UI_URL when it is a path of this app."""
    url = app.config.get("OPENAPI_SWAGGER_UI_URL") or ""
    if not url.startswith("/"):
        return
    dist = files("flask_swagger_ui") / "dist"
    assets = Blueprint("swagger_ui", __name__, static_folder=str(dist), static_url_path=url.rstrip("/"))
    app.register_blueprint(assets)


def answer_headers(response: Response) -> Response:
    """After every request: the headers of the module's docstring."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts:
        response.headers["Strict-Transport-Security"] = hsts
    if request.blueprint in _DOCS_BLUEPRINTS:
        response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    elif request.path.startswith(_PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    _rate_limit_headers(response)
    return response


def _rate_limit_headers(response: Response) -> None:
    """The limit this request counted against; on a 429, when to try again."""
    limit = limiter.current_limit
    if limit is None:
        return
    try:
        window = limit.window  # (when the window resets, requests left): one look-up in the storage
    except Exception:  # the rate-limit storage went away meanwhile: no headers
        log.warning("rate-limit headers left out", exc_info=True)
        return
    response.headers["X-RateLimit-Limit"] = str(limit.limit.amount)
    response.headers["X-RateLimit-Remaining"] = str(window.remaining)
    response.headers["X-RateLimit-Reset"] = str(math.ceil(window.reset_time))
    if response.status_code == 429:
        wait = max(1, math.ceil(window.reset_time - time.time()))
        response.headers["Retry-After"] = str(max(wait, _seconds(response.headers.get("Retry-After"))))


def _seconds(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
