"""The ledger: a charge always has its history row, is settled once, and what nobody settled
is settled by the service after PENDING_GENERATION_TIMEOUT (kept if stored, refunded if not)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from kokoro_tts.extensions import db
from kokoro_tts.models import DONE, PENDING, Generation, User
from kokoro_tts.services import audio_store, ledger
from tests.support.app import credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"


@pytest.fixture
def user_id(app, auth):
    auth.register()
    set_credits(app, EMAIL, 1000)
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == EMAIL))


@pytest.fixture
def quick_sweep(app):
    saved = app.config["PENDING_GENERATION_TIMEOUT"], app.config["PENDING_SWEEP_INTERVAL"]
    app.config["PENDING_GENERATION_TIMEOUT"], app.config["PENDING_SWEEP_INTERVAL"] = 1, 0
    yield
    app.config["PENDING_GENERATION_TIMEOUT"], app.config["PENDING_SWEEP_INTERVAL"] = saved


def pending(app, user_id: int, characters: int) -> int:
    """A charge as a generation makes it, left unsettled (as by a killed worker)."""
    with app.app_context():
        row = Generation(user_id=user_id, text="x" * characters, voice="jf_alpha", speed=1.0, lang="en-us",
                         format="wav", characters=characters)
        ledger.open_charge(row)
        return row.id


def ledger_holds(app, email: str = EMAIL, start: int = 1000) -> bool:
    """Credits spent equal the characters recorded in the history."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        recorded = db.session.scalar(
            select(func.coalesce(func.sum(Generation.characters), 0)).where(Generation.user_id == user.id)
        )
        return start - user.credits == recorded


def test_charge_and_pending_row_are_one(app, user_id):
    generation_id = pending(app, user_id, 40)
    assert credits_of(app, EMAIL) == 960
    with app.app_context():
        assert db.session.get(Generation, generation_id).status == PENDING
    assert ledger_holds(app)


def test_settle_keeps_the_spoken_part_once(app, user_id):
    generation_id = pending(app, user_id, 40)
    with app.app_context():
        assert ledger.settle(generation_id, user_id, 40, ledger.Outcome(kept=15, duration=1.0))
        assert not ledger.settle(generation_id, user_id, 40, ledger.Outcome(kept=0, duration=0.0))
        row = db.session.get(Generation, generation_id)
        assert (row.status, row.characters) == (DONE, 15)
    assert credits_of(app, EMAIL) == 985
    assert ledger_holds(app)


def test_unsettled_charge_is_refunded_by_the_next_request(app, client, auth, user_id, quick_sweep):
    pending(app, user_id, 40)
    young = client.get("/api/auth/me", headers=auth.headers_for_login())
    assert young.json["credits"] == 960  # not yet past the timeout
    time.sleep(1.2)
    assert client.get("/api/auth/me", headers=auth.headers_for_login()).json["credits"] == 1000
    assert client.get("/api/tts/history", headers=auth.headers_for_login()).json["total"] == 0
    assert ledger_holds(app)


def test_unsettled_charge_with_stored_audio_is_kept(app, client, auth, user_id, quick_sweep):
    generation_id = pending(app, user_id, 40)
    with app.app_context():
        path = audio_store.save(user_id, generation_id, "wav", b"RIFF....")
        db.session.execute(db.update(Generation).where(Generation.id == generation_id).values(audio_path=path))
        db.session.commit()
    time.sleep(1.2)
    client.get("/api/tts/voices")  # any request sweeps
    assert credits_of(app, EMAIL) == 960
    with app.app_context():
        assert db.session.get(Generation, generation_id).status == DONE
    assert ledger_holds(app)


def test_settle_pending_command(app, runner, user_id):
    pending(app, user_id, 30)
    pending(app, user_id, 20)
    assert "0 pending" in runner.invoke(args=["settle-pending"]).output  # younger than the timeout
    result = runner.invoke(args=["settle-pending", "--older-than", "0"])
    assert result.exit_code == 0 and "2 pending generations settled" in result.output
    assert credits_of(app, EMAIL) == 1000


# -- the invariant, through every path that moves credits --------------------------------------

START = 10_000
TEXT = "The ledger keeps every credit. It refunds what was not spoken."
LONG = " ".join(f"Sentence number {n} is here." for n in range(1, 13))
SAY = {"voice": "jf_alpha", "lang": "en-us"}


def _account(app, auth, email: str) -> dict[str, str]:
    headers = auth.headers(email)
    set_credits(app, email, START)
    return headers


def _spent_and_kept(app) -> dict[str, tuple[int, int]]:
    """For each account: credits spent, and characters kept in its history (nothing left pending)."""
    with app.app_context():
        kept = dict(db.session.execute(
            select(User.email, func.coalesce(func.sum(Generation.characters), 0))
            .join(Generation, Generation.user_id == User.id, isouter=True).group_by(User.email)
        ).all())
        assert not db.session.scalar(select(func.count()).where(Generation.status == PENDING))
        return {email: (START - credits, kept[email]) for email, credits in
                db.session.execute(select(User.email, User.credits)).all()}


def _wait_job(client, headers, job_id: int, statuses: set[str]) -> dict:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body = client.get(f"/api/tts/jobs/{job_id}", headers=headers).json
        if body["status"] in statuses:
            return body
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} never reached {statuses}")


@pytest.fixture
def web(app, database_url, tmp_path):
    """A server of its own with its jobs run in the process (no Redis), sharing the model."""
    from kokoro_tts.context import ENGINE_KEY, get_engine
    from kokoro_tts.services.jobs.queue import job_queue
    from tests.support.app import make_app

    made = []

    def build(**settings):
        other = make_app(SQLALCHEMY_DATABASE_URI=database_url, JOB_PART_CHARS=100, **settings)
        other.extensions[ENGINE_KEY] = get_engine(app)
        made.append(other)
        return other

    yield build
    for other in made:
        queue = job_queue(other)
        if queue.worker is not None:
            queue.worker.stop()
    make_app()  # put the shared extensions (the limiter) back


@pytest.mark.system
def test_credits_spent_equal_characters_kept_on_every_path(app, auth, web, tmp_path):
    good = web(TTS_AUDIO_DIR=str(tmp_path / "audio")).test_client()
    (tmp_path / "not-a-folder").write_text("a file where the audio folder should be")
    broken = web(TTS_AUDIO_DIR=str(tmp_path / "not-a-folder"), JOB_MAX_ATTEMPTS=1).test_client()

    # Generations: whole, streamed to the end, left part-way by the client, failed to store.
    headers = _account(app, auth, "whole@example.com")
    assert good.post("/api/tts/generate", json={**SAY, "text": TEXT}, headers=headers).status_code == 200
    headers = _account(app, auth, "stream@example.com")
    assert good.post("/api/tts/generate", json={**SAY, "text": TEXT, "stream": True}, headers=headers).data
    headers = _account(app, auth, "left@example.com")
    left = good.post("/api/tts/generate", json={**SAY, "text": LONG, "stream": True}, headers=headers,
                     buffered=False)
    chunks, received = iter(left.response), b""
    while len(received) < 44 + 4800:  # the header, then the first sentence's audio
        received += next(chunks)
    left.close()  # the client went away
    headers = _account(app, auth, "failed@example.com")
    assert broken.post("/api/tts/generate", json={**SAY, "text": TEXT}, headers=headers).status_code >= 500

    # A charge nobody settled (a killed worker), settled by the sweep.
    with app.app_context():
        _account(app, auth, "swept@example.com")
        row_user = db.session.scalar(select(User.id).where(User.email == "swept@example.com"))
        ledger.open_charge(Generation(user_id=row_user, text=TEXT, voice="jf_alpha", speed=1.0, lang="en-us",
                                      format="wav", characters=len(TEXT)))
        assert ledger.sweep(timeout=-1) == 1

    # Jobs: done, cancelled (queued or running: either way), failed.
    headers = _account(app, auth, "job@example.com")
    job = good.post("/api/tts/jobs", json={**SAY, "text": LONG}, headers=headers).json
    cancel_headers = _account(app, auth, "cancel@example.com")
    cancelled = good.post("/api/tts/jobs", json={**SAY, "text": LONG * 2}, headers=cancel_headers).json
    assert good.delete(f"/api/tts/jobs/{cancelled['id']}", headers=cancel_headers).status_code == 200
    assert _wait_job(good, headers, job["id"], {"done"})["status"] == "done"
    assert _wait_job(good, cancel_headers, cancelled["id"], {"cancelled"})["status"] == "cancelled"
    failed_headers = _account(app, auth, "jobfail@example.com")
    failing = broken.post("/api/tts/jobs", json={**SAY, "text": LONG}, headers=failed_headers).json
    assert _wait_job(broken, failed_headers, failing["id"], {"failed"})["status"] == "failed"

    books = _spent_and_kept(app)
    assert all(spent == kept for spent, kept in books.values()), books
    assert books["whole@example.com"][0] == books["stream@example.com"][0] == len(TEXT)
    assert 0 < books["left@example.com"][0] < len(LONG)
    assert books["failed@example.com"] == books["swept@example.com"] == books["jobfail@example.com"] == (0, 0)
    assert books["job@example.com"][0] == len(LONG)
