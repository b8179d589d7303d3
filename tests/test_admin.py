"""The operators' API: only operators (and their admin-scope keys) get in; credit changes reach the
balance, the generation headers and the audit log; a deactivated account stops at once; the audit
log is only read."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from kokoro_tts.extensions import db
from kokoro_tts.models import AuditEntry, User
from tests.support.admin import OPERATOR, account_id, browser_session, operator_headers
from tests.support.app import PASSWORD, bearer, make_app

pytestmark = pytest.mark.api

USER = "ada@example.com"


def _admin_requests(app):
    """Every (method, path) of the admin blueprint, its ids filled in, from the URL map."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


def test_every_admin_route_refuses_everyone_but_operators(app, auth, client):
    operator = operator_headers(app, auth)
    user = auth.headers(USER)
    user_key = client.post("/api/auth/api-keys", json={"name": "k"}, headers=operator).json["key"]
    requests = list(_admin_requests(app))
    assert len(requests) >= 13  # every (method, path) of /api/admin today; more may come
    for method, path in requests:
        body = {"json": {}} if method in ("POST", "PUT", "DELETE") else {}
        for headers in (user, bearer(user_key)):
            answer = client.open(path, method=method, headers=headers, **body)
            assert answer.status_code == 403, (method, path, answer.json)
            assert answer.json["error"]["code"] == "forbidden"
        assert client.open(path, method=method, **body).status_code == 401, (method, path)


def test_admin_scope_keys_are_made_by_operators_only_and_end_with_the_role(app, auth, client):
    user = auth.headers(USER)
    refused = client.post("/api/auth/api-keys", json={"name": "k", "scope": "admin"}, headers=user)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"

    operator = operator_headers(app, auth)
    made = client.post("/api/auth/api-keys", json={"name": "ops", "scope": "admin"}, headers=operator)
    assert made.status_code == 201 and made.json["scope"] == "admin"
    key = bearer(made.json["key"])
    assert client.get("/api/admin/accounts", headers=key).status_code == 200
    assert app.test_cli_runner().invoke(args=["users", "demote", OPERATOR]).exit_code == 0
    assert client.get("/api/admin/accounts", headers=key).status_code == 403
    assert client.get("/api/auth/me", headers=operator).json["is_admin"] is False


def test_list_search_and_page_accounts(app, auth, client):
    operator = operator_headers(app, auth)
    for n in range(3):
        auth.register(f"user{n}@example.com", name=f"Reader {n}")
    page = client.get("/api/admin/accounts?per_page=2", headers=operator).json
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    first = page["items"][0]
    assert first["email"] == OPERATOR and first["is_admin"] is True
    assert {"credits", "last_login", "characters_this_month", "is_active", "name"} <= set(first)
    found = client.get("/api/admin/accounts?q=READER 1", headers=operator).json["items"]
    assert [a["email"] for a in found] == ["user1@example.com"]
    assert client.get("/api/admin/accounts?q=%25", headers=operator).json["total"] == 0  # % is a character
    admins = client.get("/api/admin/accounts?status=admin", headers=operator).json["items"]
    assert [a["email"] for a in admins] == [OPERATOR]
    assert client.get("/api/admin/accounts?status=nope", headers=operator).status_code == 400
    assert client.get("/api/admin/accounts/999999", headers=operator).json["error"]["code"] == "account_not_found"


@pytest.mark.slow
def test_credits_changed_by_an_operator_reach_the_balance_the_header_and_the_audit_log(app, auth, client):
    operator = operator_headers(app, auth)
    user = auth.headers(USER)
    target = account_id(app, USER)
    no_reason = client.put(f"/api/admin/accounts/{target}/credits", json={"credits": 10}, headers=operator)
    assert no_reason.status_code == 400
    set_to = client.put(f"/api/admin/accounts/{target}/credits", json={"credits": 10, "reason": "trial"},
                        headers=operator)
    assert set_to.status_code == 200 and set_to.json["credits"] == 10
    added = client.post(f"/api/admin/accounts/{target}/credits", json={"amount": 90, "reason": "paid invoice 7"},
                        headers=operator)
    assert added.status_code == 200 and added.json["credits"] == 100
    assert client.get("/api/auth/me", headers=user).json["credits"] == 100

    spoken = client.post("/api/tts/generate", json={"text": "Hi.", "lang": "en-us"}, headers=user)
    assert spoken.status_code == 200 and spoken.headers["X-Credits-Remaining"] == "97"

    entries = client.get(f"/api/admin/audit?account={target}", headers=operator).json["items"]
    assert [(e["action"], e["before"], e["after"], e["reason"], e["actor"]) for e in entries] == [
        ("credits_added", {"credits": 10}, {"credits": 100, "amount": 90}, "paid invoice 7", OPERATOR),
        ("credits_set", {"credits": None}, {"credits": 10}, "trial", OPERATOR),
    ]
    taken = client.post(f"/api/admin/accounts/{target}/credits", json={"amount": -500, "reason": "refund"},
                        headers=operator)
    assert taken.json["credits"] == 0
    unlimited = client.put(f"/api/admin/accounts/{target}/credits", json={"credits": None, "reason": "staff"},
                           headers=operator)
    assert unlimited.json["credits"] is None
    refused = client.post(f"/api/admin/accounts/{target}/credits", json={"amount": 1, "reason": "x"}, headers=operator)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "credits_unlimited"


def test_a_deactivated_accounts_session_token_and_key_fail_on_their_next_request(app, auth, client):
    operator = operator_headers(app, auth)
    token = auth.headers(USER)
    key = bearer(client.post("/api/auth/api-keys", json={"name": "k"}, headers=token).json["key"])
    browser, _ = browser_session(app, USER)
    for credentials in (token, key):
        assert client.get("/api/tts/history", headers=credentials).status_code == 200
    assert browser.get("/api/auth/me").status_code == 200

    target = account_id(app, USER)
    off = client.post(f"/api/admin/accounts/{target}/deactivate", json={"reason": "abuse"}, headers=operator)
    assert off.status_code == 200 and off.json["is_active"] is False
    for answer in (client.get("/api/tts/history", headers=token), client.get("/api/tts/history", headers=key),
                   browser.get("/api/auth/me")):
        assert answer.status_code == 401 and answer.json["error"]["code"] == "account_inactive"
    assert auth.login(USER).status_code == 403

    assert client.post(f"/api/admin/accounts/{target}/activate", headers=operator).json["is_active"] is True
    assert client.get("/api/tts/history", headers=key).status_code == 200
    mine = account_id(app, OPERATOR)
    refused = client.post(f"/api/admin/accounts/{mine}/deactivate", headers=operator)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "own_account"


def test_verify_resend_delete_and_detail(app, auth, client):
    operator = operator_headers(app, auth)
    auth.register(USER)
    target = account_id(app, USER)
    detail = client.get(f"/api/admin/accounts/{target}", headers=operator).json
    assert detail["is_verified"] is False and detail["api_keys"] == [] and detail["this_month"]["characters"] == 0
    assert client.post(f"/api/admin/accounts/{target}/verification", headers=operator).status_code == 204
    assert client.post(f"/api/admin/accounts/{target}/verify", json={}, headers=operator).json["is_verified"] is True
    again = client.post(f"/api/admin/accounts/{target}/verification", headers=operator)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_verified"
    gone = client.delete(f"/api/admin/accounts/{target}", json={"reason": "asked by email"}, headers=operator)
    assert gone.status_code == 204
    assert client.get(f"/api/admin/accounts/{target}", headers=operator).status_code == 404
    entries = client.get("/api/admin/audit", headers=operator).json["items"]
    assert [e["action"] for e in entries] == ["deleted", "verified", "verification_sent", "promoted"]
    assert entries[0]["target"] == USER and entries[0]["target_id"] is None and entries[0]["reason"] == "asked by email"
    assert entries[-1]["actor"] == "cli"


def test_the_audit_log_is_read_only_and_exports_as_csv(app, auth, client):
    operator = operator_headers(app, auth)
    auth.register(USER)
    target = account_id(app, USER)
    client.put(f"/api/admin/accounts/{target}/credits", json={"credits": 5, "reason": "=HYPERLINK(1)"},
               headers=operator)
    methods = {m for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/admin/audit")
               for m in rule.methods}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    exported = client.get("/api/admin/audit.csv", headers=operator)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["credits_set", "promoted"]
    assert rows[0]["before"] == '{"credits": null}' and rows[0]["reason"] == "'=HYPERLINK(1)"
    assert rows[0]["target"] == USER and rows[0]["actor"] == OPERATOR


def test_cli_credits_and_activation_are_audited(app, auth, runner):
    auth.register(USER)
    assert runner.invoke(args=["users", "credits", USER, "42", "--reason", "support ticket"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", USER]).exit_code == 0
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert [(e.actor, e.action, e.before, e.after, e.reason) for e in entries] == [
            ("cli", "credits_set", {"credits": None}, {"credits": 42}, "support ticket"),
            ("cli", "deactivated", {"is_active": True}, {"is_active": False}, None),
        ]


def test_admin_emails_promote_at_start(app, auth, database_url):
    auth.register(USER)
    started = make_app(SQLALCHEMY_DATABASE_URI=database_url, ADMIN_EMAILS=f" {USER.upper()} , nobody@example.com")
    with started.app_context():
        db.engine.dispose()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == USER))
        assert user.is_admin is True
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.actor, entry.action, entry.target) == ("ADMIN_EMAILS", "promoted", USER)


def test_the_api_never_grants_the_role(app, auth, client):
    headers = auth.headers(USER)
    refused = client.put("/api/auth/preferences", json={"is_admin": True}, headers=headers)
    assert refused.status_code == 400
    assert client.get("/api/auth/me", headers=headers).json["is_admin"] is False
    assert client.post("/api/auth/register", json={"email": "x@example.com", "password": PASSWORD,
                                                   "is_admin": True}).status_code == 400
