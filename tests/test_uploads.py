"""Uploads made to hurt: each is answered within 5 s, the process that reads it stays under
600 MB, and the web process never reads one itself (issue 24's findings, reproduced)."""

from __future__ import annotations

import io
import time

import pytest

from kokoro_tts.documents import Limits
from kokoro_tts.documents.isolated import read_isolated
from kokoro_tts.services.jobs.submission import upload_limits
from tests.support import hostile
from tests.support.app import set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
SECONDS = 5
PEAK_MB = 600
CASES = [  # name, file, status, code (when refused)
    ("bomb.epub", hostile.lying_zip_bomb, 400, "unreadable_file"),  # 1 GB of text, 1,000 bytes declared
    ("big.epub", hostile.big_epub, 413, "text_too_long"),  # 190 MB, truly declared
    ("headings.md", hostile.many_headings, 413, "file_too_large"),  # 100,000 headings
    ("nested.html", hostile.nested_divs, 202, None),  # 100,000 deep: no tree, read in linear time
    ("flat.html", hostile.flat_paragraphs, 402, "insufficient_credits"),  # 30,000 paragraphs, no credits
]


@pytest.fixture(scope="module")
def files():
    return {name: make() for name, make, *_ in CASES}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "status", "code"), [(n, s, c) for n, _, s, c in CASES])
def test_hostile_uploads_are_answered_at_once(app, auth, client, files, name, status, code):
    headers = auth.headers()
    set_credits(app, EMAIL, 0 if code == "insufficient_credits" else 1000)
    started = time.monotonic()
    answer = client.post("/api/tts/jobs", data={"voice": "jf_alpha", "lang": "en-us",
                                                "file": (io.BytesIO(files[name]), name)}, headers=headers)
    elapsed = time.monotonic() - started
    assert answer.status_code == status, answer.json
    assert code is None or answer.json["error"]["code"] == code
    assert elapsed < SECONDS, f"{name}: answered after {elapsed:.1f} s"


@pytest.mark.parametrize("name", [n for n, *_ in CASES])
def test_the_reading_process_stays_small(app, files, name):
    with app.app_context():
        limits = upload_limits()
    reading = read_isolated(name, files[name], limits, SECONDS, 1024 * 1024 * 1024)
    assert 0 < reading.peak_kb < PEAK_MB * 1024, reading


def test_a_job_of_pause_tags_is_refused_before_it_is_planned(auth, client):
    started = time.monotonic()
    text = hostile.pause_tags().decode()
    answer = client.post("/api/tts/jobs", json={"text": text, "voice": "jf_alpha"}, headers=auth.headers())
    assert answer.status_code == 413 and answer.json["error"]["code"] == "text_too_long"
    assert time.monotonic() - started < SECONDS


def test_a_nul_in_a_file_name_is_a_400(auth, client):
    answer = client.post("/api/tts/jobs", data={"file": (io.BytesIO(b"Hello."), "a\x00b.txt")}, headers=auth.headers())
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_characters"


def test_past_its_time_or_memory_the_reading_process_is_stopped(files):
    slow = read_isolated("flat.html", files["flat.html"], Limits(), 0.01, 1024 * 1024 * 1024)
    assert slow.outcome.code == "file_too_large" and "longer than" in str(slow.outcome)
    greedy = read_isolated("flat.html", files["flat.html"], Limits(), SECONDS, 64 * 1024 * 1024)
    assert greedy.outcome.code == "file_too_large" and "memory" in str(greedy.outcome)
