"""Playback that never stalls, as a listener hears it on the page: a long text in WAV (the page's
default) plays live through Web Audio from its first bytes to its end without a stop (the page
counts the silences it had to leave between pieces), and a listener beyond what the server speaks
in real time is told their place in line, then hears their audio."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect
from prometheus_client.parser import text_string_to_metric_families

from kokoro_tts.context import get_engine
from tests.support.app import set_credits
from tests.support.browser import EMAIL, register, wait_until
from tests.support.workers import wait_for

pytestmark = pytest.mark.browser

#: About 1,500 characters of English: some 90 seconds of speech.
STORY = (
    "The harbour was quiet that morning, and the fishing boats rocked gently against the old stone "
    "wall. A few gulls circled above the market, waiting for the first crates of the day to be "
    "opened. Near the lighthouse, an old man sat on a wooden bench and watched the tide come in, as "
    "he had done every morning for more than forty years. He knew the names of every boat, and the "
    "names of the families who sailed them. When the bakery opened its doors, the smell of warm bread "
    "drifted down the hill and reached the water, and the sailors on the decks looked up and smiled. "
    "By nine o'clock the market was full. Children ran between the stalls, merchants called out their "
    "prices, and a woman in a blue coat argued cheerfully about the cost of a basket of mussels. The "
    "old man stood up, stretched his back, and walked slowly toward the café at the corner, where a "
    "cup of coffee was always waiting for him. The owner greeted him by name and asked about the "
    "weather, as she did every day, and he answered that the wind would turn before the evening. He "
    "was rarely wrong about the wind. In the afternoon the clouds gathered over the hills, the sea "
    "turned grey, and the boats came back early, one after another, into the shelter of the harbour. "
    "By the time the rain began to fall, every boat was tied up safely, and the old man was home, "
    "sitting by the window with a book he had read many times before."
)
#: Silence the page may add between pieces, in all, to what the server's delivery forced (the
#: benchmark gives the figures on a quiet machine: bench/page_bench.py).
STALL_BOUND_S = 1.0


def stream_metrics(site: str) -> dict[str, float]:
    """The server's stream metrics (/metrics, read with prometheus_client's own parser)."""
    with urllib.request.urlopen(f"{site}/metrics", timeout=30) as answer:
        return {sample.name: sample.value for family in text_string_to_metric_families(answer.read().decode())
                for sample in family.samples if sample.name.startswith("kokoro_stream")}


def shortfalls(site: str) -> tuple[float, float]:
    """How many streams the server has ended, and the seconds of silence their delivery forced on
    their listeners in all, as its pacing clocks say (`kokoro_stream_shortfall_seconds`): 0 on a
    machine that keeps up, more on a test machine loaded by other tests, whatever the page does.
    Read once no stream is being made or waiting (an earlier test's would add its own)."""
    def idle() -> dict[str, float] | None:
        metrics = stream_metrics(site)
        return None if metrics["kokoro_streams_listening"] + metrics["kokoro_streams_waiting"] else metrics

    now = wait_for(idle, 90, "no stream being made or waiting")
    return now["kokoro_stream_shortfall_seconds_count"], now["kokoro_stream_shortfall_seconds_sum"]


def forced_silence(site: str, before: tuple[float, float]) -> float:
    """The silence the server's delivery forced on the one stream ended since `before` (the test's own)."""
    after = shortfalls(site)
    assert after[0] == before[0] + 1, (before, after)
    return after[1] - before[1]


def player_marks(page: Page) -> dict[str, float]:
    return page.evaluate("""() => Object.fromEntries(Object.entries(document.getElementById('player').dataset)
                                          .map(([k, v]) => [k, Number(v)]))""")


def test_a_long_text_plays_from_its_first_bytes_to_its_end_without_a_stop(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, 10_000)
    page.reload()
    expect(page.get_by_label("Format")).to_have_value("wav")  # the page's default: it plays live
    before = shortfalls(site)
    page.get_by_label("Text", exact=True).fill(STORY)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#status")).to_have_text("Playing while the rest is synthesised.", timeout=120_000)
    expect(page.get_by_role("button", name="Stop")).to_be_disabled(timeout=300_000)  # heard to its end
    marks = player_marks(page)
    forced = forced_silence(site, before)
    print(f"first byte {(marks['firstByteAt'] - marks['clickedAt']) / 1000:.2f} s after the click, first sound "
          f"{marks['playingAt'] - marks['firstByteAt']:.0f} ms after it; last byte "
          f"{(marks['receivedAt'] - marks['clickedAt']) / 1000:.1f} s; {marks['stalls']:.0f} stalls, "
          f"{marks['stalledSeconds']:.2f} s; the server's delivery forced {forced:.2f} s")
    assert marks["playingAt"] - marks["firstByteAt"] < 250  # sound with the first bytes (no decoder to fill)
    assert marks["stalledSeconds"] <= forced + STALL_BOUND_S, (marks, forced)
    player = page.locator("#player")
    expect(player).to_be_visible()  # then the player holds it all: played again, sought, downloaded
    duration = player.evaluate("p => new Promise((ok) => p.readyState ? ok(p.duration) : "
                               "p.addEventListener('loadedmetadata', () => ok(p.duration)))")
    assert 60 < duration < 150, duration


@pytest.fixture
def one_listener(app):
    """The server speaks one live stream in real time (its measured speed made low)."""
    scheduler = get_engine(app).scheduler
    saved = scheduler._core_speed
    scheduler._core_speed = 0.5
    assert scheduler.capacity() == 1
    yield scheduler
    scheduler._core_speed = saved


def test_a_listener_in_line_is_told_their_place_then_hears_their_audio(app, auth, page: Page, site: str,
                                                                        one_listener):
    token = auth.token("bob@example.com")
    body = json.dumps({"text": STORY, "lang": "en-us", "format": "pcm", "stream": True}).encode()
    playing = urllib.request.urlopen(urllib.request.Request(
        f"{site}/api/tts/generate", data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}), timeout=120)
    assert playing.read(9600)  # another listener holds the one place
    register(page, site)
    page.get_by_label("Text", exact=True).fill("My turn will come.")
    page.get_by_role("button", name="Generate").click()
    status = page.locator("#status")
    expect(status).to_have_text(re.compile(r"^In line: you are next\. "), timeout=30_000)
    time.sleep(1)
    assert "playingAt" not in player_marks(page)
    playing.close()  # the other listener leaves
    expect(page.locator("#player")).to_have_attribute("data-playing-at", re.compile(r"\d"), timeout=60_000)
    expect(page.get_by_role("button", name="Stop")).to_be_disabled(timeout=60_000)
    assert player_marks(page)["stalls"] == 0
    wait_until(page, "() => !document.getElementById('status').textContent.startsWith('In line')")
