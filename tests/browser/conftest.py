"""Browser tests: Playwright (pytest-playwright's fixtures) driving Debian's Chromium against the
session app behind a real HTTP server (`live_url`); every test starts with empty tables, and fails
on any script error of the page (`page_errors`) rather than only timing out after it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, WebError

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: What a test may drive the browser with; `page_errors` watches every context they open.
BROWSER_FIXTURES = {"page", "context", "new_context", "browser"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (Playwright's own download cannot be fetched here); audio may start
    without a click of the user's own (the test clicks, but a fetch comes between)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--autoplay-policy=no-user-gesture-required", "--mute-audio"],
    }


@pytest.fixture
def site(app, live_url: str) -> str:
    """The live server's address, with the tables emptied after the test (the `app` fixture)."""
    return live_url


def console_error(message: ConsoleMessage) -> str | None:
    """A console error worth failing for: a CSP refusal, a module that cannot load, a failed load
    of the page's own files; not an API answer the page handles (401, 402, 429...) nor the
    browser's own favicon.ico, which the browser logs as failed loads too."""
    if message.type != "error":
        return None
    path = urlparse(message.location.get("url", "")).path
    if message.text.startswith("Failed to load resource") and not path.startswith("/assets/"):
        return None
    return f"console error: {message.text} ({message.location.get('url')}:{message.location.get('lineNumber')})"


@pytest.fixture(autouse=True)
def page_errors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every uncaught script error and console error of every page the test opens (the page also
    reports its own bugs as uncaught: page.mjs `warn`); the test fails with them listed."""
    errors: list[str] = []
    if not BROWSER_FIXTURES & set(request.fixturenames):
        yield errors
        return
    browser: Browser = request.getfixturevalue("browser")
    opened = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> BrowserContext:
        context = opened(*args, **kwargs)
        context.on("weberror", lambda error: errors.append(uncaught(error)))
        context.on("console", lambda message: errors.append(found) if (found := console_error(message)) else None)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield errors
    if errors:
        pytest.fail("the page had script errors:\n" + "\n".join(errors), pytrace=False)


def uncaught(error: WebError) -> str:
    where = error.page.url if error.page else "?"
    return f"uncaught at {where}: {error.error.stack or error.error.message}"
