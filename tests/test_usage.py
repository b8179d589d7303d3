"""Usage per day and per source, read from the generations table: its sums equal the history's
characters, in any time zone; the page's own generations count as `page`."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.admin import account_id, browser_session, operator_headers, seed

pytestmark = pytest.mark.api

USER = "ada@example.com"
SOURCES = ("page", "api", "openai", "job")
ZONES = ("UTC", "Europe/Paris", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kathmandu")


def _seeded_month(app, email: str) -> list[tuple[datetime, str, int, float]]:
    """Generations through March 2026 and a day either side, many near midnight somewhere."""
    chance = random.Random(23)
    rows = []
    start = datetime(2026, 2, 27)
    for n in range(240):
        at = start + timedelta(days=chance.uniform(0, 35), minutes=chance.choice((0, 1, 59, 0, 30)))
        seconds = round(chance.uniform(0, 30), 3)
        rows.append((at.replace(microsecond=0), SOURCES[n % 4], chance.randint(1, 400), seconds))
    seed(app, email, rows)
    return rows


def _history(client, headers) -> list[dict]:
    items, page = [], 1
    while True:
        answer = client.get(f"/api/tts/history?page={page}&per_page=100", headers=headers).json
        items += answer["items"]
        if page >= answer["pages"]:
            return items
        page += 1


@pytest.mark.parametrize("tz", ZONES)
def test_usage_sums_equal_the_historys_characters(app, auth, client, tz):
    headers = auth.headers(USER)
    _seeded_month(app, USER)
    zone = ZoneInfo(tz)
    history = _history(client, headers)
    assert len(history) == 240

    def local_day(item):
        return datetime.fromisoformat(item["created_at"]).astimezone(zone).date()

    march = [h for h in history if date(2026, 3, 1) <= local_day(h) <= date(2026, 3, 31)]
    answer = client.get(f"/api/auth/me/usage?from=2026-03-01&to=2026-03-31&tz={tz}", headers=headers)
    assert answer.status_code == 200, answer.json
    usage = answer.json
    assert (usage["from"], usage["to"], usage["tz"], len(usage["days"])) == ("2026-03-01", "2026-03-31", tz, 31)
    assert usage["totals"]["characters"] == sum(h["characters"] for h in march)
    assert usage["totals"]["generations"] == len(march)
    assert usage["totals"]["seconds"] == pytest.approx(sum(h["duration"] for h in march), abs=0.01)
    for source in SOURCES:
        expected = sum(h["characters"] for h in march if h["source"] == source)
        assert usage["sources"][source]["characters"] == expected
    for day in usage["days"]:
        that_day = [h for h in march if local_day(h).isoformat() == day["date"]]
        assert day["characters"] == sum(h["characters"] for h in that_day), day["date"]
        assert sum(s["characters"] for s in day["sources"].values()) == day["characters"]


def test_the_service_usage_is_every_accounts(app, auth, client):
    operator = operator_headers(app, auth)
    auth.register(USER)
    auth.register("eve@example.com")
    rows = _seeded_month(app, USER)
    seed(app, "eve@example.com", [(datetime(2026, 3, 10, 12), "api", 7, 1.0)])
    march = [r for r in rows if r[0].month == 3]
    everyone = client.get("/api/admin/usage?from=2026-03-01&to=2026-03-31", headers=operator).json
    assert everyone["totals"]["characters"] == sum(r[2] for r in march) + 7
    theirs = client.get(f"/api/admin/accounts/{account_id(app, USER)}/usage?from=2026-03-01&to=2026-03-31",
                        headers=operator).json
    assert theirs["totals"]["characters"] == sum(r[2] for r in march)


def test_characters_this_month_in_the_accounts_list(app, auth, client):
    operator = operator_headers(app, auth)
    auth.register(USER)
    now = datetime.now(UTC).replace(tzinfo=None)
    seed(app, USER, [(now, "api", 11, 1.0), (now.replace(day=1) - timedelta(days=1), "api", 1000, 1.0)])
    items = client.get(f"/api/admin/accounts?q={USER}", headers=operator).json["items"]
    assert items[0]["characters_this_month"] == 11


@pytest.mark.slow
def test_the_pages_generations_count_as_page(app, auth, client):
    headers = auth.headers(USER)
    browser, csrf = browser_session(app, USER)
    assert browser.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=csrf).status_code == 200
    spoken = client.post("/api/tts/generate", json={"text": "Hello.", "lang": "en-us"}, headers=headers)
    assert spoken.status_code == 200
    usage = client.get("/api/auth/me/usage", headers=headers).json
    assert usage["sources"]["page"]["characters"] == 3 and usage["sources"]["api"]["characters"] == 6
    assert len(usage["days"]) == 30 and usage["days"][-1]["generations"] == 2
    assert usage["days"][-1]["seconds"] > 0


@pytest.mark.parametrize("query, code", [
    ("tz=Mars/Olympus", "invalid_time_zone"), ("tz=../etc", "invalid_time_zone"),
    ("from=2026-03-02&to=2026-03-01", "invalid_range"), ("from=2024-01-01&to=2026-01-01", "invalid_range"),
    ("from=0001-01-01", "invalid_range"), ("to=9999-12-31", "invalid_range"), ("from=yesterday", "validation_error"),
])
def test_bad_ranges_and_zones_are_400(auth, client, query, code):
    answer = client.get(f"/api/auth/me/usage?{query}", headers=auth.headers(USER))
    assert answer.status_code == 400 and answer.json["error"]["code"] == code


@pytest.mark.slow
def test_on_sqlite_the_days_are_counted_in_python_alike(tmp_path):
    """The embedded default (SQLite knows no time zones): each row is placed in its day in Python."""
    from flask_migrate import upgrade

    from kokoro_tts.extensions import db
    from kokoro_tts.services import usage
    from tests.support.app import AuthActions, make_app

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/db.sqlite3", TTS_AUDIO_DIR=str(tmp_path / "audio"))
    with app.app_context():
        upgrade()
    AuthActions(app.test_client()).register(USER)
    # 23:30 UTC on 1 March is 2 March in Paris.
    seed(app, USER, [(datetime(2026, 3, 1, 23, 30), "job", 50, 2.5), (datetime(2026, 3, 1, 12), "api", 5, 0.5)])
    with app.app_context():
        paris = usage.usage(usage.span(date(2026, 3, 1), date(2026, 3, 2), "Europe/Paris"))
        db.engine.dispose()
    assert [(d["date"], d["characters"]) for d in paris["days"]] == [(date(2026, 3, 1), 5), (date(2026, 3, 2), 50)]
    assert paris["sources"]["job"] == {"characters": 50, "seconds": 2.5, "generations": 1}
