"""Following the words: while a history item or a fresh generation plays, the word spoken is
highlighted and marked (aria-current) in its text; a click on a word (or Enter, after the arrow
keys) plays from there; a checkbox, remembered, turns it off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.app import set_credits
from tests.support.browser import EMAIL, register, serious_violations, wait_until

TEXT = (
    "The first sentence is short. The second one takes a little longer to say, word after word, "
    "so that the highlight has time to move along. And a third sentence ends it."
)
CURRENT = "[aria-current=true]"


def spoken_item(page: Page, site: str) -> None:
    """A history item with its audio and word timings, made through the API, then the page again."""
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["csrf_access_token"]
    body = {"text": TEXT, "voice": "jf_alpha", "lang": "en-us", "format": "wav"}
    answer = page.request.post(site + "/api/tts/generate", data=body, headers={"X-CSRF-TOKEN": csrf})
    assert answer.status == 200
    page.reload()


def current_index(page: Page, scope: str) -> int:
    return int(page.locator(f"{scope} {CURRENT}").get_attribute("data-index") or "-1")


def test_a_history_item_is_followed_word_by_word_and_a_click_plays_from_a_word(page: Page, site: str):
    register(page, site)
    spoken_item(page, site)
    item = page.get_by_role("region", name="History").get_by_role("listitem").first
    item.get_by_role("button", name="Play").click()
    words = item.get_by_role("group", name="The text, word by word")
    expect(words.locator(CURRENT)).to_have_count(1, timeout=10_000)
    first = current_index(page, "#history-list")
    wait_until(page, f"n => document.querySelector('#history-list {CURRENT}')?.dataset.index > n", first + 2)
    expect(words.locator(CURRENT)).to_have_count(1)  # one word at a time, it moved along
    expect(words.locator("button.current")).to_have_count(1)
    assert serious_violations(page) == []

    target = words.get_by_role("button", name="third", exact=True)
    start = float(target.get_attribute("data-start") or "0")
    target.click()  # seeks there, and plays on from it
    expect(target).to_have_attribute("aria-current", "true")
    at = page.evaluate("document.getElementById('player').currentTime")
    assert start - 0.05 <= at <= start + 1.0, (start, at)

    target.focus()  # the words are one tab stop; the arrows move, Enter plays from the word
    page.keyboard.press("ArrowLeft")
    before = words.get_by_role("button", name="a", exact=True).last
    expect(before).to_be_focused()
    page.keyboard.press("Enter")
    expect(before).to_have_attribute("aria-current", "true")
    assert words.locator("button.word[tabindex='0']").count() == 1


@pytest.mark.parametrize("fmt", ["wav", "mp3"])  # live through Web Audio; through MediaSource
def test_a_fresh_generation_is_followed_once_its_words_are_known(app, page: Page, site: str, fmt: str):
    register(page, site)
    set_credits(app, EMAIL, 10_000)
    page.reload()
    page.get_by_label("Format").select_option(fmt)
    page.get_by_label("Text", exact=True).fill(TEXT + " " + TEXT)
    page.get_by_role("button", name="Generate").click()
    reading = page.locator("#reading-text")
    expect(reading).to_contain_text("The first sentence is short.")  # shown while it is made
    expect(reading.locator(CURRENT)).to_have_count(1, timeout=60_000)  # then followed, word by word
    first = current_index(page, "#reading-text")
    wait_until(page, f"n => document.querySelector('#reading-text {CURRENT}')?.dataset.index > n", first)
    if fmt == "mp3":
        assert not page.evaluate("document.getElementById('player').paused")
    else:  # still live: a word clicked hands the sound over to the player, from that word
        word = reading.locator("button.word").nth(2)
        word.click()
        expect(page.locator("#player")).to_have_js_property("paused", False)
        start = float(word.get_attribute("data-start") or 0)
        assert start <= page.evaluate("document.getElementById('player').currentTime") < start + 5


def test_following_can_be_turned_off_and_stays_off(page: Page, site: str):
    register(page, site)
    spoken_item(page, site)
    box = page.get_by_label("Follow the words as they are read")
    expect(box).to_be_checked()
    box.uncheck()
    page.reload()
    expect(box).not_to_be_checked()  # remembered in this browser
    item = page.get_by_role("region", name="History").get_by_role("listitem").first
    item.get_by_role("button", name="Play").click()
    expect(page.locator("#player")).to_have_js_property("paused", False, timeout=10_000)
    page.wait_for_timeout(1000)
    expect(page.locator("button.word")).to_have_count(0)
    expect(item).to_contain_text("The first sentence is short.")


def test_ssml_in_the_text_box_is_recognised_and_its_words_followed(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, 1000)
    page.reload()
    document = ('<speak xml:lang="en-US">The first sentence is short. <break time="500ms"/> '
                '<prosody rate="slow">The <sub alias="second">2nd</sub> one is slower.</prosody></speak>')
    page.get_by_label("Text", exact=True).fill(document)
    expect(page.locator("#count")).to_contain_text("SSML recognised")
    page.get_by_role("button", name="Generate").click()
    reading = page.locator("#reading-text")
    expect(reading.locator(CURRENT)).to_have_count(1, timeout=90_000)  # followed word by word
    expect(reading).to_have_text("The first sentence is short. The second one is slower.")  # no tags
    spoken = "The first sentence is short. The second one is slower."
    expect(page.locator("#credits")).to_contain_text(str(1000 - len(spoken)))
