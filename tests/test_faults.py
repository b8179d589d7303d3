"""Real faults against the real service under gunicorn: a worker killed with SIGKILL in the
middle of a generation (whole and streamed), and the database cut off under traffic. After
each, every account's ledger holds: credits spent equal the characters in its history."""

from __future__ import annotations

import http.client
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.faults import Gunicorn, PgProxy
from tests.support.pg import SERVER_URL
from tests.support.served import CREDITS, LONG, TIMEOUT, Ledger, account, call, in_background, server_env

pytestmark = pytest.mark.system

def test_worker_killed_mid_generation_loses_no_credit(database, tmp_path):
    ledger = Ledger(database)
    with Gunicorn(server_env(database, tmp_path / "audio"), tmp_path / "gunicorn.log") as server:
        email = "killed@example.com"
        token = account(server.url, ledger, email)
        for stream in (False, True):
            def generate(stream: bool = stream) -> None:
                body = {"text": LONG, "lang": "en-us", "stream": stream}
                try:
                    call(server.url, "POST", "/api/tts/generate", body, token, timeout=120)
                except (OSError, http.client.HTTPException):
                    pass  # the worker died under it (the stream cut short: IncompleteRead)

            thread = in_background(generate)
            ledger.wait_for_pending(email)
            time.sleep(1.5 if not stream else 4)  # inside the synthesis (streamed: some audio sent)
            spent, recorded, pending = ledger.state(email)
            assert pending == 1 and spent == recorded  # charged, and recorded, together
            server.kill_workers()
            thread.join(timeout=60)
            time.sleep(TIMEOUT + 0.5)  # the dead worker settled nothing; the sweep will
            status, me, _ = call(server.url, "GET", "/api/auth/me", token=token)  # any request sweeps
            assert status == 200
            spent, recorded, pending = ledger.state(email)
            print(f"ledger after a kill (stream={stream}): spent {spent}, recorded {recorded}, pending {pending}")
            assert (spent, pending) == (recorded, 0), f"stream={stream}: spent {spent}, recorded {recorded}"
            assert me["credits"] == CREDITS - recorded


def test_database_cut_off_under_traffic(database, tmp_path):
    url = make_url(SERVER_URL)
    proxy = PgProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = make_url(database).set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    ledger = Ledger(database)
    statuses: list[tuple[int, dict, dict]] = []
    try:
        with Gunicorn(server_env(through_proxy, tmp_path / "audio"), tmp_path / "gunicorn.log") as server:
            email = "outage@example.com"
            token = account(server.url, ledger, email)
            generation: list[tuple[int, dict, dict]] = []
            thread = in_background(lambda: generation.append(
                call(server.url, "POST", "/api/tts/generate", {"text": LONG[:300], "lang": "en-us"}, token, 120)))
            ledger.wait_for_pending(email)
            stop = time.monotonic() + 12
            cut_at, restore_at = time.monotonic() + 1, time.monotonic() + 8
            while time.monotonic() < stop:
                if proxy.accepting and cut_at <= time.monotonic() < restore_at:
                    proxy.cut()
                elif not proxy.accepting and time.monotonic() >= restore_at:
                    proxy.restore()
                for path in ("/api/auth/me", "/api/tts/history"):
                    statuses.append(call(server.url, "GET", path, token=token, timeout=30))
                time.sleep(0.1)
            thread.join(timeout=120)
            codes = [status for status, _, _ in statuses]
            assert set(codes) <= {200, 503}, codes
            assert 503 in codes and codes[-4:] == [200] * 4  # the cut was felt, and healed by itself
            for status, body, headers in statuses:
                if status == 503:
                    assert body["error"]["code"] == "database_unavailable" and headers["Retry-After"]
            # The generation ended while the database was away: answered 503 or 200, never 500.
            assert generation and generation[0][0] in (200, 503), generation
            time.sleep(TIMEOUT + 0.5)
            assert call(server.url, "GET", "/api/auth/me", token=token)[0] == 200  # sweeps
            spent, recorded, pending = ledger.state(email)
            print(f"ledger after the outage: spent {spent}, recorded {recorded}, pending {pending}; "
                  f"statuses {sorted(set(codes))} ({codes.count(503)} x 503 of {len(codes)}); "
                  f"the generation across it: {generation[0][0]}")
            assert (spent, pending) == (recorded, 0), f"spent {spent}, recorded {recorded}"
    finally:
        proxy.close()


def test_dropped_connections_recover_by_themselves(app, auth, client):
    """pg_terminate_backend of every connection of the app: the next request still answers."""
    headers = auth.headers()
    with app.app_context():
        from kokoro_tts.extensions import db

        name = db.engine.url.database
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).scalar()
    admin.dispose()
    assert killed >= 1
    assert client.get("/api/auth/me", headers=headers).status_code == 200
