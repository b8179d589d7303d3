"""The Live panel: what is typed goes to the stream-input socket as it is typed, each sentence
ended is spoken and heard on the page (its words marked as the audio clock reaches them), "Speak
the rest" says the last one; each sentence is an item of the history, charged its characters, and
the header's credits follow. In French too, and axe finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.app import credits_of, set_credits
from tests.support.browser import EMAIL, register, serious_violations, wait_until

pytestmark = pytest.mark.browser

CREDITS = 1000
FIRST, SECOND = "Hi there.", "Good night."

#: Every text the status line says, kept (a sentence's "Speaking" goes once its sound is over).
RECORD_STATUS = """() => {
  window.said = [];
  new MutationObserver(() => window.said.push(document.getElementById('status').textContent))
    .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
}"""


def history_texts(page: Page, site: str) -> list[str]:
    answer = page.request.get(site + "/api/tts/history")
    assert answer.status == 200
    return [item["text"] for item in answer.json()["items"]]


def test_typed_sentences_are_spoken_as_they_end_heard_charged_and_in_the_history(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, CREDITS)
    page.reload()
    expect(page.locator("#credits")).to_have_text("1,000")
    page.get_by_role("button", name="Live", exact=True).click()
    panel = page.get_by_role("region", name="Live: spoken as you type")
    expect(panel).to_be_visible()
    box = panel.get_by_label("Text spoken as you type")
    expect(box).to_be_focused()
    page.evaluate(RECORD_STATUS)

    page.keyboard.type(f"{FIRST} {SECOND}", delay=40)  # the first sentence is spoken as the second is typed
    panel.get_by_role("button", name="Speak the rest").click()
    said = wait_until(page, "(text) => window.said.includes(text) && window.said",
                      f"Speaking: “{FIRST}”", timeout=90)
    # Heard: the words are marked as the audio clock reaches them.
    expect(panel.locator("#live-spoken mark")).not_to_be_empty()
    said = wait_until(page, "(text) => window.said.includes(text) && window.said",
                      f"Speaking: “{SECOND}”", timeout=90)
    assert said.index(f"Speaking: “{FIRST}”") < said.index(f"Speaking: “{SECOND}”")
    expect(page.locator("#alert")).to_be_empty()

    # Each sentence one generation of the history, charged its characters; the header follows.
    texts = []
    for _ in range(300):
        texts = history_texts(page, site)
        if len(texts) == 2:
            break
        page.wait_for_timeout(100)
    assert sorted(t.strip() for t in texts) == sorted([FIRST, SECOND]), texts
    spent = CREDITS - credits_of(app, EMAIL)
    assert spent == sum(len(t) for t in texts)
    expect(page.locator("#credits")).to_have_text(f"{CREDITS - spent:,}")
    expect(page.get_by_role("region", name="History").get_by_role("listitem")).to_have_count(2)

    # Stop closes the socket; typing opens another, which says only what is new.
    stop = panel.get_by_role("button", name="Stop")
    expect(stop).to_be_enabled()
    stop.click()
    expect(page.locator("#status")).to_have_text("Live speech stopped.")
    expect(stop).to_be_disabled()
    assert serious_violations(page) == []
    box.press("End")
    page.keyboard.type(" Bye. ", delay=40)
    wait_until(page, "(text) => window.said.includes(text)", "Speaking: “Bye.”", timeout=60)
    for _ in range(300):
        texts = history_texts(page, site)
        if len(texts) == 3:
            break
        page.wait_for_timeout(100)
    assert texts[0].strip() == "Bye.", texts  # newest first: only the new sentence
    assert CREDITS - credits_of(app, EMAIL) == sum(len(t) for t in texts)
    print(f"status said: {[t for t in said if t]}; history: {texts}")


def test_the_live_panel_in_french(browser, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    register(page, site, lang="fr")
    page.get_by_role("button", name="En direct", exact=True).click()
    panel = page.get_by_role("region", name="En direct\u202f: lu à mesure que vous écrivez")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Texte lu à mesure que vous écrivez")).to_be_focused()
    expect(panel.get_by_role("button", name="Lire la suite")).to_be_visible()
    expect(panel.get_by_role("button", name="Arrêter")).to_be_disabled()
    expect(panel).to_contain_text("Chaque phrase est lue dès que vous la terminez")
    assert serious_violations(page) == []
    context.close()
