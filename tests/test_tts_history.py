"""History: listing, reading, replay without charge, deletion, ownership, retention."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from kokoro_tts.extensions import db
from kokoro_tts.models import Generation, User
from kokoro_tts.services import ledger
from tests.support.app import PASSWORD, credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"


def _generate(client, headers, text: str = "Hi.") -> int:
    response = client.post("/api/tts/generate", json={"text": text, "lang": "en-us"}, headers=headers)
    assert response.status_code == 200, response.json
    return int(response.headers["X-Generation-Id"])


@pytest.mark.slow
def test_list_newest_first_and_paginated(auth, client):
    headers = auth.headers()
    ids = [_generate(client, headers, f"Number {n}.") for n in range(3)]
    page = client.get("/api/tts/history?per_page=2", headers=headers).json
    assert [item["id"] for item in page["items"]] == ids[::-1][:2]
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 2, 3, 2)
    item = page["items"][0]
    assert item["text"] == "Number 2." and item["has_audio"] is True
    assert {"voice", "speed", "lang", "format", "characters", "duration", "created_at"} <= set(item)
    second = client.get("/api/tts/history?per_page=2&page=2", headers=headers).json
    assert [item["id"] for item in second["items"]] == [ids[0]]
    assert client.get("/api/tts/history?per_page=500", headers=headers).status_code == 400


def test_replay_is_free_and_identical(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 100)
    original = client.post("/api/tts/generate", json={"text": "Hello.", "lang": "en-us", "format": "mp3"},
                           headers=headers)
    generation_id = original.headers["X-Generation-Id"]
    before = credits_of(app, EMAIL)
    replay = client.get(f"/api/tts/history/{generation_id}/audio", headers=headers)
    assert replay.status_code == 200 and replay.mimetype == "audio/mpeg"
    assert replay.data == original.data
    assert credits_of(app, EMAIL) == before
    assert client.get("/api/tts/history", headers=headers).json["total"] == 1


def test_other_users_items_are_404(auth, client):
    mine = auth.headers()
    generation_id = _generate(client, mine)
    theirs = auth.headers("eve@example.com")
    for method, path in [
        ("get", f"/api/tts/history/{generation_id}"),
        ("get", f"/api/tts/history/{generation_id}/audio"),
        ("delete", f"/api/tts/history/{generation_id}"),
    ]:
        response = getattr(client, method)(path, headers=theirs)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "generation_not_found"
    assert client.get(f"/api/tts/history/{generation_id}", headers=mine).status_code == 200
    assert client.delete("/api/tts/history", headers=theirs).json == {"deleted": 0}
    assert client.get("/api/tts/history", headers=mine).json["total"] == 1


def _audio_files(app) -> list:
    return sorted(Path(app.config["TTS_AUDIO_DIR"]).rglob("*.*"))


@pytest.mark.slow
def test_delete_one_and_all(app, auth, client):
    headers = auth.headers()
    first, second, _ = (_generate(client, headers) for _ in range(3))
    assert len(_audio_files(app)) == 3
    assert client.delete(f"/api/tts/history/{first}", headers=headers).json == {"deleted": 1}
    assert client.get(f"/api/tts/history/{first}", headers=headers).status_code == 404
    assert client.get(f"/api/tts/history/{first}/audio", headers=headers).status_code == 404
    assert len(_audio_files(app)) == 2
    assert client.delete("/api/tts/history", headers=headers).json == {"deleted": 2}
    assert _audio_files(app) == []
    assert client.get(f"/api/tts/history/{second}/audio", headers=headers).status_code == 404
    assert client.get("/api/tts/history", headers=headers).json["items"] == []


def test_retention_by_count_keeps_rows_and_drops_audio(app, auth, client):
    app.config["HISTORY_AUDIO_MAX_ITEMS"] = 1
    try:
        headers = auth.headers()
        old, new = _generate(client, headers), _generate(client, headers)
        expired = client.get(f"/api/tts/history/{old}/audio", headers=headers)
        assert expired.status_code == 404 and expired.json["error"]["code"] == "audio_not_found"
        assert client.get(f"/api/tts/history/{new}/audio", headers=headers).status_code == 200
        items = client.get("/api/tts/history", headers=headers).json["items"]
        assert [(i["id"], i["has_audio"]) for i in items] == [(new, True), (old, False)]
    finally:
        app.config["HISTORY_AUDIO_MAX_ITEMS"] = 200


def test_user_history_field_reads_the_table(auth, client):
    headers = auth.headers()
    _generate(client, headers, "Remember me.")
    history = client.get("/api/auth/me", headers=headers).json["history"]
    assert [entry["text"] for entry in history] == ["Remember me."]


def test_account_deletion_removes_its_audio(app, auth, client):
    headers = auth.headers()
    _generate(client, headers)
    other = auth.headers("eve@example.com")
    _generate(client, other)
    assert len(_audio_files(app)) == 2
    assert client.delete("/api/auth/me", json={"password": PASSWORD}, headers=headers).status_code == 200
    assert len(_audio_files(app)) == 1  # eve's stays


@pytest.mark.slow
def test_an_account_deleted_mid_stream_leaves_no_audio(app, auth, client, live_url):
    headers = auth.headers()
    text = " ".join(f"Sentence number {n} is here." for n in range(1, 9))
    body = json.dumps({"text": text, "lang": "en-us", "stream": True}).encode()
    request = urllib.request.Request(f"{live_url}/api/tts/generate", data=body, method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as stream:
        assert stream.read(4096)
        deleted = client.delete("/api/auth/me", json={"password": PASSWORD}, headers=headers)
        assert deleted.status_code == 200
        assert stream.read()  # the client hears it to the end; the audio is then stored, and removed
    deadline = time.monotonic() + 10
    while _audio_files(app) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _audio_files(app) == []


def test_the_sweep_removes_audio_no_row_points_at(app, auth, client, runner):
    headers = auth.headers()
    kept = _generate(client, headers)
    root = Path(app.config["TTS_AUDIO_DIR"])
    strays = [root / "1" / "999.wav", root / "1" / "job-7.mp3", root / "1" / "jobs" / "7" / "000000.npz",
              root / "42" / "5.wav"]
    for path in [*strays, root / "1" / "recent.wav", root / "1" / "998.wav"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"audio")
    for path in strays:
        os.utime(path, (time.time() - 7200, time.time() - 7200))  # two hours old
    result = runner.invoke(args=["audio", "sweep"])
    assert result.exit_code == 0 and "4 objects with no row removed" in result.output
    left = {p.relative_to(root).as_posix() for p in _audio_files(app)}
    # Kept: the item's audio, a key of another shape, and an orphan too young (its writer may be at work).
    assert left == {f"1/{kept}.wav", "1/recent.wav", "1/998.wav"}


def test_out_of_range_pages_and_ids(auth, client):
    headers = auth.headers()
    assert client.get("/api/tts/history?page=100000000000000000000", headers=headers).status_code == 400
    assert client.get("/api/tts/history?page=0", headers=headers).status_code == 400
    assert client.get("/api/tts/history?page=999999", headers=headers).json["items"] == []
    huge = 10**20
    assert client.get(f"/api/tts/history/{huge}", headers=headers).status_code == 404
    assert client.delete(f"/api/auth/api-keys/{huge}", headers=headers).status_code == 404


def test_ids_beyond_the_database_range_are_the_usual_404_after_authentication(auth, client):
    huge = 2**31
    headers = auth.headers()
    for method, path in (("GET", f"/api/tts/history/{huge}"), ("GET", f"/api/tts/history/{huge}/audio"),
                         ("DELETE", f"/api/tts/history/{huge}")):
        assert client.open(path, method=method).status_code == 401
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 404 and response.json["error"]["code"] == "generation_not_found"
    response = client.delete(f"/api/auth/api-keys/{huge}", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "api_key_not_found"


def _recorded(app, email: str, text: str) -> None:
    """A generation as the ledger records one (charged, then settled), without the minute of speech."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        row = Generation(user_id=user_id, text=text, voice="jf_alpha", speed=1.0, lang="en-us", format="wav",
                         characters=len(text))
        ledger.open_charge(row)
        ledger.settle(row.id, user_id, len(text), ledger.Outcome(len(text), 12.5))


def test_user_history_is_a_small_preview(app, auth, client):
    headers = auth.headers()
    long_text = "A long text to speak. " * 20
    for _ in range(6):
        _recorded(app, EMAIL, long_text)
    me = client.get("/api/auth/me", headers=headers)
    history = me.json["history"]
    assert len(history) == 5 and all(len(item["text"]) <= 100 for item in history)
    assert history[0]["text"].endswith("…") and "extra" not in history[0]
    assert len(me.data) < 5000
    full = client.get("/api/tts/history", headers=headers).json
    assert full["total"] == 6 and full["items"][0]["text"] == long_text
