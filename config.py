"""Configuration classes, read from the environment.

`APP_ENV` picks the class: ``production`` (what gunicorn, Docker and Render use),
``development`` (the default for ``flask`` commands run by hand) or ``testing``.
"""

from __future__ import annotations

import os
from datetime import timedelta

#: The seed's example key: published, so refused in production.
DEV_SECRET_KEY = "dev-secret-key-change-in-production"
MIN_SECRET_KEY_BYTES = 32


def _int(name: str, default: int | None) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def normalize_database_url(url: str | None) -> str | None:
    """Send ``postgres://`` and ``postgresql://`` URLs through psycopg2.

    Heroku-style hosts hand out ``postgres://``, which SQLAlchemy refuses, and
    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which we do not ship.
    """
    if not url:
        return None
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # None: the factory puts an SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = normalize_database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    ACCESS_TOKEN_DAYS = _int("ACCESS_TOKEN_DAYS", 30)
    if ACCESS_TOKEN_DAYS is None or ACCESS_TOKEN_DAYS < 1:
        raise RuntimeError("ACCESS_TOKEN_DAYS must be at least 1")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(days=ACCESS_TOKEN_DAYS)
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]

    # NULL credits mean unlimited, as in the seed.
    DEFAULT_CREDITS = _int("DEFAULT_CREDITS", None)
    BCRYPT_LOG_ROUNDS = _int("BCRYPT_LOG_ROUNDS", 12)
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get(
        "REDIS_URL"
    ) or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour")
    # How many proxies sit in front of the app (Render: 1); 0 trusts no header.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)

    # Speech engine (see kokoro_tts/tts/engine/settings.py for what each means).
    TTS_BACKEND = os.environ.get("TTS_BACKEND", "onnx")
    TTS_ONNX_MODEL = os.environ.get("TTS_ONNX_MODEL") or None
    TTS_VOICES = os.environ.get("TTS_VOICES") or None
    TTS_TORCH_CONFIG = os.environ.get("TTS_TORCH_CONFIG") or None
    TTS_TORCH_WEIGHTS = os.environ.get("TTS_TORCH_WEIGHTS") or None
    TTS_TORCH_REPO = os.environ.get("TTS_TORCH_REPO", "hexgrad/Kokoro-82M")
    TTS_THREADS = _int("TTS_THREADS", None)
    TTS_MAX_CHARS = _int("TTS_MAX_CHARS", 5000)
    TTS_DEFAULT_VOICE = os.environ.get("TTS_DEFAULT_VOICE") or None
    TTS_CACHE_DIR = os.environ.get("TTS_CACHE_DIR") or None
    GENERATE_RATE_LIMIT = os.environ.get("GENERATE_RATE_LIMIT", "30 per minute")
    # Generated audio: a folder on local disk (default: instance/audio), pruned per user
    # beyond the newest N items or older than N days (0: keep all).
    TTS_AUDIO_DIR = os.environ.get("TTS_AUDIO_DIR") or None
    HISTORY_AUDIO_MAX_ITEMS = _int("HISTORY_AUDIO_MAX_ITEMS", 200)
    HISTORY_AUDIO_MAX_DAYS = _int("HISTORY_AUDIO_MAX_DAYS", 30)

    API_TITLE = "Kokoro TTS"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        }
    }
    # Production refuses to start with a missing, default or short SECRET_KEY.
    REQUIRE_STRONG_SECRET = False


class DevelopmentConfig(Config):
    # Without SECRET_KEY, the factory makes a random one in the instance folder: never a
    # published key, so a development server reached by mistake cannot be forged into.
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-0123456789"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    BCRYPT_LOG_ROUNDS = 4
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    ENV_NAME = "production"
    REQUIRE_STRONG_SECRET = True


def check_secret_key(key: str | None) -> None:
    """Stop start-up, saying how to make a key, unless `key` is fit for production."""
    how = (
        'generate one with: python -c "import secrets; '
        'print(secrets.token_urlsafe(32))" and set it as SECRET_KEY'
    )
    if not key:
        raise RuntimeError(f"SECRET_KEY is not set; {how}")
    if key == DEV_SECRET_KEY:
        raise RuntimeError(f"SECRET_KEY is the development default; {how}")
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes; {how}")


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def from_environment() -> type[Config]:
    """The configuration class that `APP_ENV` names (default: development)."""
    name = os.environ.get("APP_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(
            f"APP_ENV must be one of {', '.join(CONFIGS)}, got {name!r}"
        ) from exc
