"""The app's speech engine: one `Engine` per Flask app, built from its config on first use.

Building it reads `app.config` but loads no model: that waits for the first synthesis (or
`tts warmup`), so that a worker that only serves accounts never pays for the model.
"""

from __future__ import annotations

from flask import Flask

from ..engine import Engine, EngineSettings
from .per_app import per_app

EXTENSION_KEY = "kokoro_engine"


def get_engine(app: Flask | None = None) -> Engine:
    """The engine of `app` (default: the current app)."""
    return per_app(EXTENSION_KEY, lambda a: Engine(EngineSettings.from_mapping(a.config)), app)
