"""The running app as the code below HTTP sees it: its settings, and the objects built once per
app (its speech engine; the audio store and the job queue build theirs with `per_app`).

Services read these here instead of importing Flask, so that nothing under `services/` can reach
a request, a response or an HTTP status (an import contract in pyproject.toml checks it). Building
the engine reads the settings but loads no model: that waits for the first synthesis (or `tts
warmup`), so that a worker that only serves accounts never pays for the model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

from .engine import Engine, EngineSettings

T = TypeVar("T")
#: The app, for code that is handed one (workers, commands) to open its own app contexts.
App = Flask
#: Where an app keeps its engine (tests hand one app's engine to another: one model in memory).
ENGINE_KEY = "kokoro_engine"
_lock = threading.Lock()


def the_app() -> Flask:
    """The current app itself (not the proxy): for threads that outlive the request."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


_REQUIRED: Any = object()


def setting(name: str, default: Any = _REQUIRED) -> Any:
    """A setting of the current app (config.py); without a `default`, a missing one is a KeyError."""
    if default is _REQUIRED:
        return current_app.config[name]
    return current_app.config.get(name, default)


def per_app(key: str, build: Callable[[Flask], T], app: Flask | None = None) -> T:
    """`app.extensions[key]`, built by `build(app)` the first time (default app: the current one)."""
    app = app or the_app()
    found: Any = app.extensions.get(key)
    if found is None:
        with _lock:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = build(app)
    return found


def get_engine(app: Flask | None = None) -> Engine:
    """The speech engine of `app` (default: the current app), built from its settings on first use."""
    return per_app(ENGINE_KEY, lambda a: Engine(EngineSettings.from_mapping(a.config)), app)
