"""Redis away mid-traffic: no 500 anywhere. Rate limits fall back to the process's memory, job
submissions are refused with 503 `queue_unavailable` (nothing charged), /readyz says `degraded`
and stays 200 (the database answers), and Redis coming back is used again."""

from __future__ import annotations

import uuid

import pytest

from kokoro_tts.context import ENGINE_KEY, get_engine
from tests.support.app import PASSWORD, credits_of, make_app, set_credits
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.system

SAY = {"text": "Redis or not.", "voice": "jf_alpha", "lang": "en-us"}


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def web(app, redis_server, database_url, tmp_path):
    other = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path),
                     REDIS_URL=redis_server.url, RATELIMIT_STORAGE_URI=redis_server.url,
                     RATELIMIT_KEY_PREFIX=f"outage-{uuid.uuid4().hex}")
    other.extensions[ENGINE_KEY] = get_engine(app)
    yield other
    make_app()  # put the shared extensions (the limiter) back


def _traffic(client, n: int) -> dict[str, int]:
    """One request of each kind that Redis touched; their statuses."""
    email = f"user{n}@example.com"
    statuses = {"register": client.post("/api/auth/register", json={"email": email, "password": PASSWORD})}
    token = statuses["register"].json.get("access_token", "")
    headers = {"Authorization": f"Bearer {token}"}
    statuses["login"] = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    statuses["wrong login"] = client.post("/api/auth/login", json={"email": email, "password": "not it at all"})
    statuses["session"] = client.post("/api/auth/session", json={"email": email, "password": PASSWORD})
    statuses["forgot"] = client.post("/api/auth/password/forgot", json={"email": email})
    statuses["generate"] = client.post("/api/tts/generate", json=SAY, headers=headers)
    statuses["captioned"] = client.post("/api/tts/captioned", json=SAY, headers=headers)
    statuses["job"] = client.post("/api/tts/jobs", json=SAY, headers=headers)
    statuses["readyz"] = client.get("/readyz")
    return {name: response.status_code for name, response in statuses.items()} | {"_job": statuses["job"]}


def test_redis_stopped_mid_traffic_gives_no_500(app, web, redis_server):
    client = web.test_client()
    before = _traffic(client, 1)
    before.pop("_job")
    assert before == {"register": 201, "login": 200, "wrong login": 401, "session": 200, "forgot": 202,
                      "generate": 200, "captioned": 200, "job": 202, "readyz": 200}
    assert client.get("/readyz").json["redis"] == "ok"

    redis_server.stop()
    during = _traffic(client, 2)
    job = during.pop("_job")
    assert during == {"register": 201, "login": 200, "wrong login": 401, "session": 200, "forgot": 202,
                      "generate": 200, "captioned": 200, "job": 503, "readyz": 200}
    assert job.json["error"]["code"] == "queue_unavailable"
    set_credits(app, "user2@example.com", None)
    assert credits_of(app, "user2@example.com") is None  # the account stands; nothing was half-written
    ready = client.get("/readyz").json
    assert ready["status"] == "degraded" and ready["redis"] == "unavailable" and ready["database"] == "ok"

    # Limits still hold meanwhile, counted in this process.
    web.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [client.post("/api/auth/login", json={"email": "x@example.com", "password": "wrong one!"}).status_code
             for _ in range(5)]
    assert codes[-1] == 429 and 500 not in codes
