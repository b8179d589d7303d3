"""Audio in S3: a real HTTP S3 endpoint (moto's server mode) shared by two app servers.

Each app below is a server of its own (its own config, store and clients) on the same
PostgreSQL; they share one speech engine only to spare loading the model twice.
"""

from __future__ import annotations

import hashlib
import os

import boto3
import pytest

from kokoro_tts.context import ENGINE_KEY, get_engine
from kokoro_tts.storage import open_store
from tests.support.app import credits_of, make_app, set_credits
from tests.support.s3 import BUCKET

pytestmark = pytest.mark.system

EMAIL = "ada@example.com"
BODY = {"text": "Stored in a bucket.", "voice": "jf_alpha", "lang": "en-us", "format": "mp3"}


def objects(prefix: str = "") -> dict[str, bytes]:
    client = boto3.client("s3")
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


@pytest.fixture
def servers(app, s3, database_url, tmp_path):
    """Two servers storing audio under s3://kokoro-audio/<test>."""
    prefix = f"t{os.getpid()}-{tmp_path.name}"
    made = []
    for name in ("one", "two"):
        other = make_app(SQLALCHEMY_DATABASE_URI=database_url, AUDIO_STORAGE_URL=f"s3://{BUCKET}/{prefix}",
                         TTS_AUDIO_DIR=str(tmp_path / name), TTS_CACHE_DIR=app.config["TTS_CACHE_DIR"])
        other.extensions[ENGINE_KEY] = get_engine(app)
        made.append(other)
    yield prefix, made[0].test_client(), made[1].test_client()
    make_app()  # put the shared extensions (the limiter) back


def test_two_servers_share_the_audio(auth, servers):
    prefix, one, two = servers
    headers = auth.headers()
    made = one.post("/api/tts/generate", json=BODY, headers=headers)
    assert made.status_code == 200
    gid = made.headers["X-Generation-Id"]
    stored = objects(prefix)
    assert list(stored) == [f"{prefix}/1/{gid}.mp3"] and stored[f"{prefix}/1/{gid}.mp3"] == made.data
    replay = two.get(f"/api/tts/history/{gid}/audio", headers=headers)
    assert replay.status_code == 200 and replay.data == made.data
    assert replay.headers["Content-Type"] == "audio/mpeg" and replay.headers["Content-Length"] == str(len(made.data))


def test_streamed_audio_is_stored_whole_and_deleted_with_its_item(auth, servers):
    prefix, one, two = servers
    headers = auth.headers()
    made = one.post("/api/tts/generate", json={**BODY, "stream": True}, headers=headers)
    data = made.data
    gid = made.headers["X-Generation-Id"]
    stored = objects(prefix)[f"{prefix}/1/{gid}.mp3"]
    # what was sent, after the info frame a stream could not fill in (the file kept gives its length)
    head = stored[: len(stored) - len(data)]
    assert stored.endswith(data) and b"Info" in head and len(head) < 1000
    assert two.delete(f"/api/tts/history/{gid}", headers=headers).status_code == 200
    assert objects(prefix) == {}


def test_account_deletion_removes_its_objects(auth, servers):
    prefix, one, _ = servers
    headers = auth.headers()
    keep = auth.headers("bob@example.com")
    for who in (headers, headers, keep):
        assert one.post("/api/tts/generate", json=BODY, headers=who).status_code == 200
    assert len(objects(prefix)) == 3
    gone = one.delete("/api/auth/me", json={"password": "correct horse battery"}, headers=headers)
    assert gone.status_code in (200, 204), gone.json
    assert [k.split("/")[1] for k in objects(prefix)] == ["2"]  # bob's only


def test_a_store_that_fails_refunds_and_keeps_nothing(app, auth, s3, database_url, tmp_path):
    broken = make_app(SQLALCHEMY_DATABASE_URI=database_url, AUDIO_STORAGE_URL="s3://no-such-bucket/x",
                      TTS_CACHE_DIR=app.config["TTS_CACHE_DIR"])
    broken.extensions[ENGINE_KEY] = get_engine(app)
    try:
        headers = auth.headers()
        set_credits(app, EMAIL, 100)
        response = broken.test_client().post("/api/tts/generate", json=BODY, headers=headers)
        assert response.status_code == 503 and response.json["error"]["code"] == "storage_unavailable"
        assert credits_of(app, EMAIL) == 100
        assert app.test_client().get("/api/tts/history", headers=headers).json["items"] == []
    finally:
        make_app()


def test_migrate_copies_verified_and_resumes(app, auth, client, runner, s3):
    headers = auth.headers()
    ids = [client.post("/api/tts/generate", json=BODY, headers=headers).headers["X-Generation-Id"] for _ in range(3)]
    target = f"s3://{BUCKET}/migrated-{os.getpid()}"
    before = {p: hashlib.sha256(open(p, "rb").read()).hexdigest()
              for p in (os.path.join(app.config["TTS_AUDIO_DIR"], "1", f"{i}.mp3") for i in ids)}
    result = runner.invoke(args=["audio", "migrate", "--to", target])
    assert result.exit_code == 0, result.output
    assert "3 copied, 0 already there" in result.output
    copied = objects(f"migrated-{os.getpid()}/")
    assert sorted(copied) == sorted(f"migrated-{os.getpid()}/1/{i}.mp3" for i in ids)
    for key, data in copied.items():
        local = os.path.join(app.config["TTS_AUDIO_DIR"], *key.split("/")[1:])
        assert hashlib.sha256(data).hexdigest() == before[local]  # the same bytes; the source untouched
    assert {p: hashlib.sha256(open(p, "rb").read()).hexdigest() for p in before} == before
    # One object lost on the way: a second run copies it alone.
    store = open_store(target)
    store.delete(f"1/{ids[1]}.mp3")
    again = runner.invoke(args=["audio", "migrate", "--to", target, "-v"])
    assert again.exit_code == 0 and "1 copied, 2 already there" in again.output
    assert runner.invoke(args=["audio", "migrate", "--to", "ftp://x"]).exit_code != 0
