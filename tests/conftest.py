"""Fixtures only: an app on a real PostgreSQL database (migrated once per session, emptied
after every test), its client and CLI runner, the `auth` actions, and a live HTTP server.
Shared helpers are in tests/support/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from moto.server import ThreadedMotoServer
from sqlalchemy import text

from kokoro_tts.extensions import db, limiter
from tests.support.app import AuthActions, make_app
from tests.support.mail import Inbox
from tests.support.net import free_port
from tests.support.pg import temporary_database
from tests.support.s3 import BUCKET

TIERS = ("unit", "api", "system", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests are the `browser` tier; every other test must say its tier."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            raise pytest.UsageError(f"{item.nodeid} has no tier marker ({', '.join(TIERS)}): add pytestmark")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(
        SQLALCHEMY_DATABASE_URI=database_url,
        TTS_AUDIO_DIR=str(tmp_path_factory.mktemp("audio")),
        TTS_CACHE_DIR=str(tmp_path_factory.mktemp("cache")),  # the model assembled, voice previews
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    with _migrated_app.app_context():
        limiter.reset()
    yield _migrated_app
    with _migrated_app.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    # Ids restart, so the audio files of this test must go with its rows.
    audio = Path(_migrated_app.config["TTS_AUDIO_DIR"])
    shutil.rmtree(audio, ignore_errors=True)
    audio.mkdir()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def live_url(_migrated_app: Flask) -> Iterator[str]:
    """The session app behind a real threaded HTTP server, for concurrent requests and SDKs."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _migrated_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated database of its own, for servers started by the test (gunicorn)."""
    with temporary_database("kokoro_faults") as url:
        app = make_app(SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) for the test; what it receives is in the inbox."""
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """moto's S3 over HTTP at AWS_ENDPOINT_URL, with a bucket; the AWS settings boto3 reads."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    yield settings["AWS_ENDPOINT_URL"]
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
