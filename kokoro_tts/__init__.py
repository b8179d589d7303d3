"""Kokoro TTS: a multi-user text-to-speech web service on Kokoro-82M."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module

from .extensions import api, babel, bcrypt, db, jwt, limiter, mail, migrate

# The parts are imported by the register_* steps that need them, so that importing a library
# part (`kokoro_tts.engine`) does not load every route of the app.

ConfigSource = type[config_module.Config] | Mapping[str, Any] | None


def create_app(config: ConfigSource = None) -> Flask:
    """Build the app. `config`: a config class, or a mapping of overrides on the
    class that `APP_ENV` names."""
    env = config_module.read_environment()
    app = Flask(__name__, instance_path=env.INSTANCE_PATH, instance_relative_config=True)
    register_config(app, env, config)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    register_operators(app)
    return app


def register_config(app: Flask, env: config_module.Environment, config: ConfigSource) -> None:
    """The environment, then what the config class fixes, then explicit overrides."""
    if isinstance(config, type):
        cls, overrides = config, {}
    else:
        cls, overrides = config_module.CONFIGS[env.APP_ENV], dict(config or {})
    app.config.from_mapping(env.flask_config())
    app.config["SQLALCHEMY_DATABASE_URI"] = cls.database_url(env)
    app.config.from_object(cls)
    app.config.update(overrides)
    _secret_key(app)
    _public_url(app)
    _database_uri(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _secret_key(app: Flask) -> None:
    if app.config["REQUIRE_STRONG_SECRET"]:
        config_module.check_secret_key(app.config.get("SECRET_KEY"))
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    if not app.config.get("JWT_SECRET_KEY"):
        app.config["JWT_SECRET_KEY"] = app.config["SECRET_KEY"]


def _public_url(app: Flask) -> None:
    """Where links in emails point: required in production, `DEFAULT_PUBLIC_URL` elsewhere."""
    url = app.config.get("PUBLIC_URL")
    if app.config["REQUIRE_PUBLIC_URL"]:
        config_module.check_public_url(url)
    app.config["PUBLIC_URL"] = str(url or config_module.DEFAULT_PUBLIC_URL).rstrip("/")


def _database_uri(app: Flask) -> None:
    """The configured database, else an SQLite file in the instance folder."""
    uri = config_module.normalize_database_url(app.config.get("SQLALCHEMY_DATABASE_URI"))
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        uri = f"sqlite:///{os.path.join(app.instance_path, 'kokoro_tts.sqlite3')}"
    app.config["SQLALCHEMY_DATABASE_URI"] = uri


def _instance_secret_key(app: Flask) -> str:
    """A random key kept in the instance folder, shared by every process that uses it."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    for _ in range(50):  # another process may be writing it this instant
        with open(path) as f:
            key = f.read().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it, or set SECRET_KEY")


def register_extensions(app: Flask) -> None:
    from .locales import select_locale
    from .openapi import AnswersOfEveryRoute, register_openapi
    from .security import register_jwt_callbacks

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    bcrypt.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    register_openapi(app)  # before api.init_app: the document's error responses
    api.init_app(app, spec_kwargs={"extra_plugins": [AnswersOfEveryRoute()]})
    register_jwt_callbacks(app)


def register_blueprints(app: Flask) -> None:
    from . import admin, auth, elevenlabs_api, health, openai_api, tts, web
    from .metrics import register_metrics
    from .rest import limit_query_string, require_json_body
    from .services import ledger

    app.before_request(limit_query_string)
    app.before_request(require_json_body)
    app.before_request(lambda: ledger.sweep_now_and_then(app))
    app.register_blueprint(health.bp)
    app.register_blueprint(web.bp)
    register_metrics(app)
    api.register_blueprint(auth.bp)
    api.register_blueprint(tts.bp)
    api.register_blueprint(openai_api.bp)
    api.register_blueprint(elevenlabs_api.bp)
    app.register_blueprint(elevenlabs_api.ws_bp)  # the WebSocket: outside the OpenAPI document (the README has it)
    api.register_blueprint(admin.bp)


def register_errors(app: Flask) -> None:
    from .errors import register_error_handlers

    # After api.init_app: these replace flask-smorest's own HTTPException handler.
    register_error_handlers(app)


def register_operators(app: Flask) -> None:
    """ADMIN_EMAILS: promote those accounts now. Never stops the start: a database not migrated yet
    (`flask db upgrade` itself starts the app) or away is logged, and the next start tries again."""
    emails = [e.strip().lower() for e in (app.config.get("ADMIN_EMAILS") or "").split(",") if e.strip()]
    if not emails:
        return
    from .services.operators import promote_listed

    with app.app_context():
        try:
            missing = promote_listed(emails)
        except Exception as exc:
            db.session.rollback()
            logging.getLogger(__name__).warning("ADMIN_EMAILS not applied: %s", str(exc).splitlines()[0])
            return
        finally:
            db.session.remove()
    if missing:
        logging.getLogger(__name__).warning("ADMIN_EMAILS: no account yet for %s (promoted at the next start, "
                                            "or with flask users promote)", ", ".join(missing))


def register_commands(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores ON DELETE CASCADE unless asked on every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
