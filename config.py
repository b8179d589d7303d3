"""Configuration: the environment, read and typed in one place, and a class per kind of run.

`Environment` (pydantic-settings) reads every variable the service knows, with its type and
default; a bad value stops start-up with a message that names the variable. `APP_ENV` picks
the class: ``production`` (what gunicorn, Docker and Render use), ``development`` (the default
for ``flask`` commands run by hand) or ``testing``. What a class sets is fixed for that kind of
run and wins over the environment. Speech engine variables (`TTS_*`) left unset take the
engine's own defaults (`kokoro_tts/engine/settings.py`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

#: The example key of the original service's documentation: published, so refused in production.
DEV_SECRET_KEY = "dev-secret-key-change-in-production"
MIN_SECRET_KEY_BYTES = 32
#: Where links in emails point outside production without PUBLIC_URL: ./scripts/run.sh's address.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def normalize_database_url(url: str | None) -> str | None:
    """Send ``postgres://`` and ``postgresql://`` URLs through psycopg2.

    Heroku-style hosts hand out ``postgres://``, which SQLAlchemy refuses, and
    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which we do not ship.
    """
    if not url or not url.strip():
        return None
    parsed = make_url(url.strip())
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


class Environment(BaseSettings):
    """Every environment variable the service reads. Empty values count as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    APP_ENV: Literal["production", "development", "testing"] = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    TEST_DATABASE_URL: str = "postgresql://postgres@127.0.0.1:5432/test"
    #: Where the embedded SQLite file and the generated secret key live (a volume in Docker).
    INSTANCE_PATH: str | None = None
    ACCESS_TOKEN_DAYS: PositiveInt = 30
    #: Credits of a new account; unset: unlimited (NULL), as in the original service.
    DEFAULT_CREDITS: NonNegativeInt | None = None
    BCRYPT_LOG_ROUNDS: Annotated[int, Field(ge=4, le=31)] = 12
    MAX_CONTENT_LENGTH: PositiveInt = 1024 * 1024
    RATELIMIT_STORAGE_URI: str | None = None
    REDIS_URL: str | None = None
    LOGIN_RATE_LIMIT: str = "10 per minute"
    #: Failed logins per account, whatever the address (a correct password is then refused too).
    LOGIN_ACCOUNT_RATE_LIMIT: str = "20 per hour"
    REGISTER_RATE_LIMIT: str = "20 per hour"
    GENERATE_RATE_LIMIT: str = "30 per minute"
    #: How many proxies in front of the app append to X-Forwarded-For (Render: 2, its edge and its
    #: load balancer; docker-compose: 1, nginx); 0 trusts no forwarding header.
    PROXY_FIX_X_FOR: NonNegativeInt = 0
    # The speech engine; unset: the engine's default.
    TTS_BACKEND: Literal["onnx", "torch"] | None = None
    TTS_ONNX_MODEL: str | None = None
    TTS_VOICES: str | None = None
    TTS_TORCH_CONFIG: str | None = None
    TTS_TORCH_WEIGHTS: str | None = None
    TTS_TORCH_REPO: str | None = None
    TTS_THREADS: PositiveInt | None = None
    TTS_MAX_CHARS: PositiveInt | None = None
    TTS_MAX_AUDIO_SECONDS: Annotated[float, Field(gt=0)] | None = None
    #: A stream whose client does not read for this long is stopped, and settled like a client
    #: that left (what it heard is charged).
    STREAM_WRITE_TIMEOUT: Annotated[float, Field(gt=0)] = 60.0
    #: Stream-input WebSockets open at once in one worker process: each holds one of its threads
    #: for as long as it is open; beyond, 503 `busy` before the upgrade.
    STREAM_INPUT_SOCKETS: PositiveInt = 8
    TTS_DEFAULT_VOICE: str | None = None
    TTS_CACHE_DIR: str | None = None
    TTS_MAX_QUEUE: PositiveInt | None = None
    TTS_MAX_CONCURRENT_PER_USER: PositiveInt | None = None
    TTS_STREAM_QUEUE: NonNegativeInt | None = None
    TTS_MAX_CHUNK_SECONDS: Annotated[float, Field(gt=0)] | None = None
    TTS_BUSY_CHUNK_SECONDS: Annotated[float, Field(gt=0)] | None = None
    #: Generated audio: a folder on local disk (default: instance/audio), pruned per user beyond
    #: the newest N items or older than N days (0: keep all).
    TTS_AUDIO_DIR: str | None = None
    #: Or anywhere: file:///path, or s3://bucket/prefix (boto3, with the AWS_* settings and
    #: AWS_ENDPOINT_URL for S3-compatible stores). Unset: the folder above.
    AUDIO_STORAGE_URL: Annotated[str, Field(pattern=r"^(file://.+|s3://[^/]+.*)$")] | None = None
    #: A generation still pending this long (its worker died, or the database was away when it
    #: ended) is settled by the service: kept if its audio is stored, refunded otherwise.
    PENDING_GENERATION_TIMEOUT: PositiveInt = 900
    #: How often (seconds, per process) requests look for such generations.
    PENDING_SWEEP_INTERVAL: NonNegativeInt = 60
    #: Long-form jobs (POST /api/tts/jobs): the most characters a job may hold, the largest
    #: upload (JSON or file; other routes keep MAX_CONTENT_LENGTH), characters per part (what a
    #: killed worker may lose, and how soon a cancelled job stops).
    JOB_MAX_CHARS: PositiveInt = 500_000
    JOB_MAX_UPLOAD_BYTES: PositiveInt = 20 * 1024 * 1024
    JOB_PART_CHARS: Annotated[int, Field(ge=100)] = 1000
    #: Seconds without a heartbeat before a worker counts as dead and its job goes to another.
    JOB_HEARTBEAT_TIMEOUT: Annotated[float, Field(gt=0)] = 60.0
    #: Tries of a job whose trouble may pass (database or store away), seconds between them.
    JOB_MAX_ATTEMPTS: PositiveInt = 5
    JOB_RETRY_DELAY: Annotated[float, Field(ge=0)] = 30.0
    #: Seconds a stopping worker waits for its part in progress before it exits anyway.
    JOB_STOP_TIMEOUT: Annotated[float, Field(gt=0)] = 600.0
    #: An upload is read in a process of its own, given at most this many seconds and this much
    #: address space (MB); beyond, it is refused (413 `file_too_large`).
    DOCUMENT_READ_SECONDS: Annotated[float, Field(gt=0)] = 4.0
    DOCUMENT_READ_MEMORY_MB: Annotated[int, Field(ge=256)] = 1024
    #: How often (seconds) each job worker removes stored audio that no row points at (an account
    #: deleted while its audio was being made); also `flask --app wsgi audio sweep`.
    AUDIO_SWEEP_INTERVAL: Annotated[float, Field(gt=0)] = 3600.0
    #: Operators (the admin API): the accounts of these addresses, comma-separated, are promoted when
    #: the app starts (`flask users promote EMAIL` does it for one; nothing demotes them but `users demote`).
    ADMIN_EMAILS: str | None = None
    #: When set, GET /metrics requires it as a bearer token.
    METRICS_TOKEN: str | None = None
    HISTORY_AUDIO_MAX_ITEMS: NonNegativeInt = 200
    HISTORY_AUDIO_MAX_DAYS: NonNegativeInt = 30
    #: Email (Flask-Mail's settings). Without MAIL_SERVER, links are written to the log instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT: PositiveInt = 25
    MAIL_USE_TLS: bool = False
    MAIL_USE_SSL: bool = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER: str = "Kokoro TTS <no-reply@localhost>"
    #: The address links in emails point at: never the Host a request names (anyone can send one).
    #: Required in production; else RENDER_EXTERNAL_URL (Render sets it for web services), else
    #: DEFAULT_PUBLIC_URL outside production.
    PUBLIC_URL: Annotated[str, Field(pattern=r"^https?://[^/\s]+\S*$")] | None = None
    RENDER_EXTERNAL_URL: str | None = None
    FORGOT_PASSWORD_RATE_LIMIT: str = "5 per hour"
    FORGOT_PASSWORD_ACCOUNT_RATE_LIMIT: str = "3 per hour"

    @field_validator("APP_ENV", "TTS_BACKEND", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    def flask_config(self) -> dict[str, Any]:
        """The Flask config keys these variables set."""
        values = self.model_dump(exclude={"APP_ENV", "DATABASE_URL", "TEST_DATABASE_URL", "ACCESS_TOKEN_DAYS",
                                          "RENDER_EXTERNAL_URL"})
        values["PUBLIC_URL"] = self.PUBLIC_URL or self.RENDER_EXTERNAL_URL
        values["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(self.DATABASE_URL)
        values["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(days=self.ACCESS_TOKEN_DAYS)
        values["RATELIMIT_STORAGE_URI"] = self.RATELIMIT_STORAGE_URI or self.REDIS_URL or "memory://"
        return values


def read_environment() -> Environment:
    """The environment, checked; a bad value is a RuntimeError naming each variable at fault."""
    try:
        return Environment()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RuntimeError(f"invalid configuration: {problems}") from None


class Config:
    """What every kind of run shares; not read from the environment."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # API clients send `Authorization: Bearer`; the web page's token lives in an HttpOnly cookie,
    # with flask-jwt-extended's CSRF double submit (X-CSRF-TOKEN) on every write.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_COOKIE_SAMESITE = "Lax"
    JWT_COOKIE_SECURE = False
    JWT_COOKIE_CSRF_PROTECT = True
    # Kept across browser restarts for the token's lifetime (auth/routes.py gives the cookies the
    # token's max age; flask-jwt-extended's own would be a year).
    JWT_SESSION_COOKIE = False
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    # Off: kokoro_tts/openapi.py writes the X-RateLimit-* headers itself, with Retry-After only on a 429.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    # Redis away: limits are counted in this process's memory meanwhile (a warning is logged) and
    # Redis is tried again now and then; no request fails because of a counter, and none waits long.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}

    API_TITLE = "Kokoro TTS"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI's files, served by the app itself (kokoro_tts/openapi.py, from flask-swagger-ui).
    OPENAPI_SWAGGER_UI_URL = "/api/docs/assets/"
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}  # no call to swagger.io's online validator
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or API key"}
            }
        },
        # Every route needs a bearer token unless it says otherwise (rest.PUBLIC, rest.OPTIONAL_AUTH).
        "security": [{"bearerAuth": []}],
    }
    #: Production refuses to start with a missing, default or short SECRET_KEY, or without PUBLIC_URL.
    REQUIRE_STRONG_SECRET = False
    REQUIRE_PUBLIC_URL = False
    #: Sent on every answer when set: browsers then come back over HTTPS only.
    STRICT_TRANSPORT_SECURITY: str | None = None

    @classmethod
    def database_url(cls, env: Environment) -> str | None:
        """None: the factory puts an SQLite file in the instance folder."""
        return normalize_database_url(env.DATABASE_URL)


class DevelopmentConfig(Config):
    """Without SECRET_KEY, the factory makes a random one in the instance folder: never a
    published key, so a development server reached by mistake cannot be forged into."""


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-0123456789"
    BCRYPT_LOG_ROUNDS = 4
    RATELIMIT_STORAGE_URI = "memory://"

    @classmethod
    def database_url(cls, env: Environment) -> str | None:
        return normalize_database_url(env.TEST_DATABASE_URL)


class ProductionConfig(Config):
    REQUIRE_STRONG_SECRET = True
    REQUIRE_PUBLIC_URL = True
    JWT_COOKIE_SECURE = True  # the session cookie only over HTTPS
    # Production is served over HTTPS (Render, or the proxy in front): a year, subdomains too.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


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


def check_public_url(url: str | None) -> None:
    """Stop start-up, saying what to set, unless links in emails have an address to point at."""
    if not url:
        raise RuntimeError(
            "PUBLIC_URL is not set; links in emails (password reset, address verification) point at it, "
            "never at the host a request names: set it to the address people open the service at, "
            "e.g. PUBLIC_URL=https://tts.example.org"
        )


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}
