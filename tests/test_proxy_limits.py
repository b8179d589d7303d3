"""Rate limits behind Render's proxy (two hops: `X-Forwarded-For: client, edge`, from Render's
load balancer) and reached directly with forged headers: one address cannot lock everyone out,
and a changing address cannot escape the account's limit."""

from __future__ import annotations

import pytest

from tests.support.app import PASSWORD, make_app

pytestmark = pytest.mark.api

LOAD_BALANCER = "10.0.0.9"  # the TCP peer on Render
EDGE = "172.70.1.2"  # what Render's edge appends


@pytest.fixture
def behind_render(app, database_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=database_url, PROXY_FIX_X_FOR=2)
    yield app
    make_app()


def _from(address: str) -> dict:
    """Request options for a client at `address`, as Render's proxies deliver it."""
    return {"headers": {"X-Forwarded-For": f"{address}, {EDGE}"}, "environ_base": {"REMOTE_ADDR": LOAD_BALANCER}}


def _login(client, email: str, password: str, **options):
    return client.post("/api/auth/login", json={"email": email, "password": password}, **options).status_code


def _register(client, email: str, **options):
    return client.post("/api/auth/register", json={"email": email, "password": PASSWORD}, **options).status_code


def test_one_clients_failed_logins_lock_out_no_one_else(behind_render):
    client = behind_render.test_client()
    for n in range(5):
        assert _register(client, f"user{n}@example.com", **_from(f"203.0.113.{n}")) == 201
    attempts = [_login(client, "user0@example.com", "wrong password!", **_from("198.51.100.7")) for _ in range(11)]
    assert attempts[:10] == [401] * 10 and attempts[10] == 429  # the attacker's address is limited
    others = [_login(client, f"user{n}@example.com", PASSWORD, **_from(f"203.0.113.{n}")) for n in range(1, 5)]
    assert others == [200] * 4


def test_one_clients_resets_and_sign_ups_block_no_one_else(behind_render):
    client = behind_render.test_client()
    assert _register(client, "ada@example.com", **_from("203.0.113.1")) == 201
    forgot = [client.post("/api/auth/password/forgot", json={"email": f"x{n}@example.com"},
                          **_from("198.51.100.7")).status_code for n in range(6)]
    assert forgot[:5] == [202] * 5 and forgot[5] == 429
    assert client.post("/api/auth/password/forgot", json={"email": "ada@example.com"},
                       **_from("203.0.113.1")).status_code == 202
    sign_ups = [_register(client, f"bot{n}@example.com", **_from("198.51.100.7")) for n in range(21)]
    assert sign_ups[:20] == [201] * 20 and sign_ups[20] == 429
    assert _register(client, "grace@example.com", **_from("203.0.113.2")) == 201


def test_forged_addresses_do_not_escape_the_accounts_limit(behind_render):
    """Reached directly, a client can write any X-Forwarded-For; the account's limit still holds."""
    client = behind_render.test_client()
    assert _register(client, "ada@example.com", **_from("203.0.113.1")) == 201
    forged = [_login(client, "ada@example.com", "wrong password!",
                     headers={"X-Forwarded-For": f"192.0.2.{n}, 192.0.2.{n + 100}"}) for n in range(25)]
    assert 429 in forged and forged.index(429) == 20 and set(forged[:20]) == {401}
    # The account's limit counts failures: its own owner, elsewhere, is refused too until it resets
    # (OWASP's trade-off); other accounts are not.
    assert _login(client, "ada@example.com", PASSWORD, **_from("203.0.113.1")) == 429
    assert _register(client, "grace@example.com", **_from("203.0.113.2")) == 201
    assert _login(client, "grace@example.com", PASSWORD, **_from("203.0.113.2")) == 200


def test_resets_are_limited_per_account_whatever_the_address(behind_render):
    client = behind_render.test_client()
    answers = [client.post("/api/auth/password/forgot", json={"email": "ada@example.com"},
                           **_from(f"198.51.100.{n}")).status_code for n in range(4)]
    assert answers == [202, 202, 202, 429]


def test_without_proxy_settings_forwarding_headers_are_ignored(client):
    forged = [_login(client, "nobody@example.com", "wrong password!",
                     headers={"X-Forwarded-For": f"192.0.2.{n}"}) for n in range(11)]
    assert forged[10] == 429  # one address (the TCP peer), whatever the header says
