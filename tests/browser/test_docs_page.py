"""The API's docs page (/api/docs): Swagger UI served by the app, under a Content-Security-Policy
without inline scripts, framed by no page; in Chromium it renders and lists every operation (any
CSP refusal or script error fails the test: `page_errors`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

METHODS = ("get", "put", "post", "delete", "patch")


def _directive(policy: str, name: str) -> str:
    return next((d.strip() for d in policy.split(";") if d.strip().startswith(name + " ")), "")


def test_the_docs_page_lists_every_operation_under_its_csp(page: Page, site: str):
    response = page.goto(site + "/api/docs")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert _directive(policy, "script-src") == "script-src 'self'"  # no inline script, no eval
    assert _directive(policy, "frame-ancestors") == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"
    spec = page.request.get(site + "/api/openapi.json").json()
    operations = sum(1 for item in spec["paths"].values() for method in item if method in METHODS)
    expect(page.locator(".opblock")).to_have_count(operations, timeout=30_000)
    generate = page.locator("#operations-tts-post_api_tts_generate")
    generate.locator(".opblock-summary").click()  # opened: its body schema and responses render too
    expect(generate.locator(".responses-wrapper")).to_contain_text("402")


@pytest.fixture
def framer(site: str) -> Iterator[str]:
    """Another origin (its own server, on another port) whose page frames /api/docs."""
    page = f'<!DOCTYPE html><title>framer</title><iframe src="{site}/api/docs"></iframe>'.encode()

    class Framer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Framer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_no_page_can_frame_the_docs(page: Page, site: str, framer: str, page_errors: list[str]):
    """Another site frames /api/docs (clickjacking): the browser gets it, and shows its error page instead."""
    with page.expect_response(f"{site}/api/docs") as framed_answer:
        page.goto(framer)  # waits for the frame's load too
    assert framed_answer.value.status == 200
    framed = page.frames[1]
    framed.wait_for_load_state()
    assert framed.url.startswith("chrome-error://"), framed.url
    assert framed.locator("#swagger-ui-container").count() == 0
    # The browser says why, as a console error: here the outcome the test wants, not a fault of the page.
    refusals = [e for e in page_errors if "violates the following Content Security Policy directive: "
                "\"frame-ancestors 'none'\"" in e]
    assert refusals, page_errors
    page_errors[:] = [e for e in page_errors if e not in refusals]
