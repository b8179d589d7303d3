"""Objects built once per Flask app, on first use, kept in `app.extensions`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")
_lock = threading.Lock()


def per_app(key: str, build: Callable[[Flask], T], app: Flask | None = None) -> T:
    """`app.extensions[key]`, built by `build(app)` the first time (default app: the current one)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found: Any = app.extensions.get(key)
    if found is None:
        with _lock:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = build(app)
    return found
