"""The ledger: a charge always has its history row, is settled once, and what nobody settled
is settled by the service after PENDING_GENERATION_TIMEOUT (kept if stored, refunded if not)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from kokoro_tts.extensions import db
from kokoro_tts.models import DONE, PENDING, Generation, User
from kokoro_tts.services import audio_store, ledger
from tests.helpers import credits_of, set_credits

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
