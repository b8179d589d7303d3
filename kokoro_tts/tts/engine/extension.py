"""One Engine per Flask app, kept in ``app.extensions`` and built on first use."""

from __future__ import annotations

import threading
from typing import Any

from .engine import Engine
from .settings import EngineSettings

EXTENSION_KEY = "kokoro_engine"
_lock = threading.Lock()


def get_engine(app: Any) -> Engine:
    """The app's engine; building it reads ``app.config`` but loads no model (that waits for use)."""
    engine = app.extensions.get(EXTENSION_KEY)
    if engine is None:
        with _lock:
            engine = app.extensions.get(EXTENSION_KEY)
            if engine is None:
                engine = app.extensions[EXTENSION_KEY] = Engine(EngineSettings.from_mapping(app.config))
    return engine
