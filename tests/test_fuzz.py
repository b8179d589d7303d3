"""Schemathesis against the document the app serves: every operation of /api/openapi.json is called
with generated requests, valid and invalid, on a real HTTP server and the test PostgreSQL database,
as a registered account. Each answer must be documented (status code and content type), match its
documented schema, and never be a server error. Then the stateful phase: sequences of calls that
follow the document's links (a rule created, then deleted; a generation, then its history item,
audio and captions; a job, then followed and cancelled ...), with the ids the answers gave.

Bounded: texts are short (TTS_MAX_CHARS=12, JOB_MAX_CHARS=200; longer ones are refused before synthesis), speeds under 1
are spoken at 1, examples per operation are capped, the examples are the same on every run, and the
whole run and each operation have a time budget (cases past it are not sent, and a warning says so);
so does the stateful phase (scenarios and steps are capped too).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import redis
import requests
import schemathesis
from flask import Flask
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from werkzeug.serving import make_server

from kokoro_tts.engine import MIN_SPEED
from kokoro_tts.extensions import api, db
from tests.support.app import PASSWORD, make_app

pytestmark = pytest.mark.system

EMAIL = "fuzz@example.com"
MAX_CHARS = 12  # longer texts are refused (413) before any synthesis
MAX_EXAMPLES = 20  # per operation, for the random (fuzzing) phase
BUDGET_SECONDS = 150  # the whole run; cases past it are not sent (75 s left 21 of the 63 operations untried)
OPERATION_BUDGET_SECONDS = 15  # one operation (synthesis is slow on a busy machine): the others get their turn
STATEFUL_BUDGET_SECONDS = 60  # the stateful phase; steps past it are not sent
STATEFUL_SCENARIOS = 100  # sequences of linked calls
STATEFUL_STEPS = 6  # calls per sequence, at most
STATEFUL_RESTARTS = 3  # fresh runs after one that the server's moving state made inconsistent (see below)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
UNLIMITED = "100000 per minute"  # the rate limits are tested elsewhere; here they would only answer 429
#: Jobs go to a queue no worker reads: their submission is what is tested here (tests/test_jobs.py runs them).
JOBS_REDIS_URL = re.sub(r"/\d*$", "/4", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))


class Server:
    """The app behind a threaded HTTP server, the fuzzing account's token, and what was sent."""

    def __init__(self, app: Flask) -> None:
        self.http = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.session = requests.Session()
        self.token = ""
        self.started = time.monotonic()
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.spent: Counter[str] = Counter()  # seconds per operation
        self.skipped = 0
        self.stateful: Counter[str] = Counter()  # calls per operation in the stateful phase
        self.stateful_statuses: Counter[int] = Counter()
        self.stateful_skipped = 0
        self.stateful_restarts = 0

    def login(self) -> str:
        response = self.session.post(f"{self.url}/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def server(database_url: str, _migrated_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    app = make_app(
        SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path_factory.mktemp("fuzz")),
        TTS_MAX_CHARS=MAX_CHARS, LOGIN_RATE_LIMIT=UNLIMITED, REGISTER_RATE_LIMIT=UNLIMITED,
        GENERATE_RATE_LIMIT=UNLIMITED, JOB_MAX_CHARS=200, REDIS_URL=JOBS_REDIS_URL,
    )
    redis.Redis.from_url(JOBS_REDIS_URL).flushdb()  # jobs are queued there; no worker runs them
    server = Server(app)
    thread = threading.Thread(target=server.http.serve_forever, daemon=True)
    thread.start()
    try:
        response = server.session.post(f"{server.url}/api/auth/register", json={"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 201, response.text
        server.token = response.json()["access_token"]
        # Something to read back: one generation (with its audio) and one API key.
        auth = {"Authorization": f"Bearer {server.token}"}
        spoken = server.session.post(f"{server.url}/api/tts/generate", headers=auth,
                                     json={"text": "Hello.", "lang": "en-us"})
        assert spoken.status_code == 200, spoken.text
        assert server.session.post(f"{server.url}/api/auth/api-keys", headers=auth, json={"name": "fuzz"}).ok
        yield server
    finally:
        server.http.shutdown()
        _empty_database(app)
        print(f"\nfuzz: {sum(server.calls.values())} requests over {len(server.calls)} operations in "
              f"{time.monotonic() - server.started:.0f} s; statuses {dict(sorted(server.statuses.items()))}; "
              f"{server.skipped} cases past the budget")
        print(f"fuzz, stateful: {sum(server.stateful.values())} linked calls over {len(server.stateful)} operations; "
              f"statuses {dict(sorted(server.stateful_statuses.items()))}; {server.stateful_skipped} calls past "
              f"the budget; {server.stateful_restarts} restarts")
        if server.skipped:  # the test passed on fewer cases than it means to
            warnings.warn(f"fuzz: {server.skipped} cases not sent (time budgets: {BUDGET_SECONDS} s in all, "
                          f"{OPERATION_BUDGET_SECONDS} s per operation)", stacklevel=1)
        if server.stateful_skipped:
            warnings.warn(f"fuzz: {server.stateful_skipped} linked calls not sent (time budget: "
                          f"{STATEFUL_BUDGET_SECONDS} s)", stacklevel=1)


def _empty_database(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _document() -> dict[str, Any]:
    """The document the app serves, read at collection (schemathesis makes one test per operation
    from it); `test_the_server_serves_this_document` checks that the live server serves this one."""
    make_app()
    return json.loads(json.dumps(api.spec.to_dict()))


DOCUMENT = _document()
document = schemathesis.openapi.from_dict(DOCUMENT)
document.config.update(request_timeout=30)
document.config.generation.update(max_examples=MAX_EXAMPLES, database="none", deterministic=True)
# Linked scenarios with valid requests: a negative step (say, one without its Authorization header)
# answers 401 and ends its chain; invalid requests are the first phase's work.
document.config.phases.stateful.generation.update(modes=["positive"], database="none", deterministic=True)


def test_the_server_serves_this_document(server: Server) -> None:
    assert server.session.get(f"{server.url}/api/openapi.json").json() == DOCUMENT


def _no_slow_speech(case) -> None:
    """A valid speed under 1 makes synthesis up to 4 times longer (and slower): speak those at 1.
    Invalid speeds stay as they are, so that their refusal is still tested."""
    speed = case.body.get("speed") if isinstance(case.body, dict) else None
    if isinstance(speed, (int, float)) and not isinstance(speed, bool) and MIN_SPEED <= speed < 1:
        case.body["speed"] = 1.0


def _call_kwargs(case, server: Server) -> dict[str, Any]:
    """How a case is sent: to the live server, as the fuzzing account."""
    # Logging out ends the token it is sent with: give it one of its own.
    token = server.login() if case.path == "/api/auth/logout" else server.token
    return {"base_url": server.url, "session": server.session, "headers": {"Authorization": f"Bearer {token}"}}


@document.parametrize()
def test_the_api_answers_as_its_document_says(case, server: Server) -> None:
    label = case.operation.label
    if time.monotonic() - server.started > BUDGET_SECONDS or server.spent[label] > OPERATION_BUDGET_SECONDS:
        server.skipped += 1
        return
    started = time.monotonic()
    _no_slow_speech(case)
    response = case.call_and_validate(**_call_kwargs(case, server), checks=CHECKS)
    server.spent[label] += time.monotonic() - started
    server.calls[label] += 1
    server.statuses[response.status_code] += 1


def test_linked_operations_answer_as_the_document_says(server: Server) -> None:
    """The stateful phase: scenarios that follow the document's links, each answer checked like above."""
    deadline = time.monotonic() + STATEFUL_BUDGET_SECONDS
    failures: list[str] = []

    class Scenarios(document.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case) -> None:
            if time.monotonic() > deadline:
                server.stateful_skipped += 1
                hypothesis.reject()  # past the budget: this scenario ends here, unsent
            _no_slow_speech(case)

        def get_call_kwargs(self, case) -> dict[str, Any]:
            return _call_kwargs(case, server)

        def after_call(self, response, case) -> None:
            super().after_call(response, case)
            server.stateful[case.operation.label] += 1
            server.stateful_statuses[response.status_code] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs: Any) -> None:
            # Recorded, not raised: hypothesis would replay a failing scenario against a server whose
            # state has moved on, draw differently and report "flaky" instead of the failure itself.
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None,
                                       recorder=self.recorder)
            except FailureGroup as error:  # every failed check is reported after the run
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {error}")

    settings = hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, deadline=None, database=None,
        derandomize=True, phases=[hypothesis.Phase.generate], suppress_health_check=list(hypothesis.HealthCheck),
    )
    for _ in range(STATEFUL_RESTARTS + 1):
        try:
            Scenarios.run(settings=settings)
            break
        except hypothesis.errors.Flaky:
            # A later scenario drew differently from an earlier one with the same start, because the server's
            # state had moved (more history, other ids). Every answer sent was checked as it came (above), so
            # this ends the run, not the test; as schemathesis's own runner does, start a fresh one.
            server.stateful_restarts += 1
            if time.monotonic() > deadline:
                break
    assert sum(server.stateful.values()) > 0
    assert not failures, "\n\n".join(failures[:5])
