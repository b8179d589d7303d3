"""The request line under the real gunicorn (gunicorn.conf.py): a long query string reaches the app,
which refuses it in JSON (414 `uri_too_long`), as the document says; only a line over gunicorn's own
maximum (8190 bytes) gets gunicorn's HTML page, before the app runs."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from kokoro_tts.rest import MAX_QUERY_BYTES
from tests.support.faults import Gunicorn

pytestmark = pytest.mark.system


def get(url: str, path: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET sent as is."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn({"DATABASE_URL": database_url, "WEB_CONCURRENCY": "1"}, log) as server:
        yield server


def test_a_4_kb_query_string_is_the_apps_json_414(server):
    """Finding 10: with gunicorn's default limit (4094) this line got its HTML 414, undocumented."""
    status, content_type, body = get(server.url, "/api/tts/voices?language=" + "a" * (MAX_QUERY_BYTES + 1))
    assert status == 414 and content_type == "application/json"
    assert json.loads(body)["error"]["code"] == "uri_too_long"
    status, _, body = get(server.url, "/api/tts/voices?language=" + "a" * (MAX_QUERY_BYTES - len("language=")))
    assert status == 200 and json.loads(body)["voices"] == []


def test_a_line_over_gunicorns_maximum_is_refused_by_gunicorn(server):
    status, content_type, _ = get(server.url, "/api/tts/voices?language=" + "a" * 8200)
    assert status == 414 and "json" not in content_type  # before the app: what README says
