"""Browser tests: Playwright (pytest-playwright's fixtures) driving Debian's Chromium against the
session app behind a real HTTP server (`live_url`); every test starts with empty tables."""

from __future__ import annotations

import os
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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
