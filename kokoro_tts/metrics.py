"""Prometheus metrics, served at /metrics in Prometheus' text format: the HTTP answers counted
here, and what the services measure (`services/instruments.py`).

What to watch: `kokoro_http_errors_total` by code (503 `database_unavailable`, 429 `rate_limited`
...), and the services' load, time to first audio and real-time factor. With several gunicorn
workers, gunicorn.conf.py sets `PROMETHEUS_MULTIPROC_DIR` and the numbers are summed over them.
`METRICS_TOKEN`, when set, is the bearer token /metrics requires.
"""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)

from .errors import refusal
from .services import instruments  # noqa: F401  (the services' instruments, listed even before any use)
from .services.errors import CredentialsRefused

REQUESTS = Counter("kokoro_http_requests_total", "HTTP answers, by method and status", ["method", "status"])
ERRORS = Counter("kokoro_http_errors_total", "Error answers, by error code", ["code"])

bp = Blueprint("metrics", __name__)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _authorised() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return True
    auth = request.authorization
    given = auth.token if auth is not None and auth.type == "bearer" and auth.token else ""
    return hmac.compare_digest(given.encode(), str(token).encode())


@bp.get("/metrics")
def metrics() -> Response:
    if not _authorised():
        return refusal(CredentialsRefused("invalid_token", "Send METRICS_TOKEN as 'Authorization: Bearer <token>'."))
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _count(response: Response) -> Response:
    REQUESTS.labels(request.method, str(response.status_code)).inc()
    if response.status_code >= 400 and response.is_json:  # errors are small JSON envelopes, never streams
        body = response.get_json(silent=True) or {}
        code = body.get("error", {}).get("code") if isinstance(body.get("error"), dict) else None
        ERRORS.labels(str(code or response.status_code)).inc()
    return response


def register_metrics(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_count)
