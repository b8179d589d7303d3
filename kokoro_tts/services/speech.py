"""The app's speech engine: one `Engine` per Flask app, built from its config on first use.

Building it reads `app.config` but loads no model: that waits for the first synthesis (or
`tts warmup`), so that a worker that only serves accounts never pays for the model.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ..engine import Engine, EngineSettings

EXTENSION_KEY = "kokoro_engine"
_lock = threading.Lock()


def get_engine(app: Flask | None = None) -> Engine:
    """The engine of `app` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get(EXTENSION_KEY)
    if engine is None:
        with _lock:
            engine = app.extensions.get(EXTENSION_KEY)
            if engine is None:
                engine = app.extensions[EXTENSION_KEY] = Engine(EngineSettings.from_mapping(app.config))
    return engine
