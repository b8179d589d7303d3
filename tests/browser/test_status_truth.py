"""The page says what holds: one message on its status line at a time, gone when it no longer
holds; a stopped generation says for how long it was heard and keeps that audio; what cannot be
undone is confirmed first; the text is never cut, its limit warned; a phone has no sideways
scroll; the welcome and the page's icon."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.app import credits_of, set_credits
from tests.support.browser import EMAIL, confirm, register, serious_violations, wait_until

LONG = (
    "Playback starts with the first sentence. Meanwhile the server keeps reading the rest of "
    "this text, chunk after chunk, and the page appends each piece to the player as it comes. "
) * 6


def test_one_message_at_a_time_each_gone_when_it_no_longer_holds(app, browser: Browser, site: str):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    register(page, site)
    status, alert = page.locator("#status"), page.locator("#alert")
    page.get_by_role("button", name="API keys").click()
    page.get_by_label("Key name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    page.get_by_role("button", name="Copy").click()
    expect(status).to_have_text("Copied.")
    expect(status).to_be_empty(timeout=8_000)  # it goes by itself

    set_credits(app, EMAIL, 5)
    page.get_by_label("Text", exact=True).fill("Far more than five characters.")
    page.get_by_role("button", name="Generate").click()
    expect(alert).to_contain_text("Not enough credits")
    expect(status).to_be_empty()  # "Generating…" does not stay beside the error that ended it

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(status).to_be_empty()  # nothing carried to the log-in screen
    expect(alert).to_be_empty()
    context.close()


@pytest.mark.parametrize("fmt", ["wav", "mp3"])  # live through Web Audio; through MediaSource
def test_stop_says_how_long_was_heard_and_keeps_that_audio(app, page: Page, site: str, fmt: str):
    register(page, site)
    set_credits(app, EMAIL, 10_000)
    page.reload()
    page.get_by_label("Format").select_option(fmt)
    page.get_by_label("Text", exact=True).fill(LONG)
    page.get_by_role("button", name="Generate").click()
    player = page.locator("#player")
    expect(page.locator("#status")).to_have_text("Playing while the rest is synthesised.", timeout=120_000)
    wait_until(page, "() => performance.now() > Number(document.getElementById('player').dataset.playingAt) + 1500",
               timeout=30)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#status")).to_have_text(
        re.compile(r"^Generation stopped after \d+\.\d\u00a0s: what was heard stays in the player\.$"))
    heard = player.evaluate("p => p.currentTime")
    kept = player.evaluate("p => p.duration")
    assert 1 <= heard <= kept < 1000, (heard, kept)  # the audio received stays, with an end
    player.evaluate("p => { p.currentTime = 0; return p.play(); }")
    expect(player).to_have_js_property("paused", False)

    item = page.get_by_role("region", name="History").get_by_role("listitem").first
    why = re.compile(r"Stopped after \d+\.\d\u00a0s: the audio of a stopped generation is not kept\.")
    expect(item).to_contain_text(why, timeout=30_000)
    expect(item.get_by_role("button", name="Play")).to_have_count(0)  # no greyed button without a word of why
    assert 10_000 - len(LONG) < credits_of(app, EMAIL) < 10_000


def test_delete_delete_all_and_revoke_are_confirmed_first(page: Page, site: str):
    register(page, site)
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["csrf_access_token"]
    for i in range(3):
        body = {"text": f"Item {i}.", "voice": "jm_kumo", "lang": "en-us", "format": "wav"}
        assert page.request.post(site + "/api/tts/generate", data=body, headers={"X-CSRF-TOKEN": csrf}).status == 200
    page.reload()
    history = page.get_by_role("region", name="History").get_by_role("listitem")
    expect(history).to_have_count(3)
    history.first.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("Delete this recording and its audio for good?")
    expect(page.get_by_role("dialog").get_by_role("button", name="Cancel")).to_be_focused()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")  # not deleted
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(history).to_have_count(3)
    history.first.get_by_role("button", name="Delete").click()
    confirm(page, "Delete")
    expect(history).to_have_count(2)
    page.get_by_role("button", name="Delete all").click()
    confirm(page, "Cancel")
    expect(history).to_have_count(2)
    page.get_by_role("button", name="Delete all").click()
    confirm(page, "Delete all")
    expect(history).to_have_count(0)
    expect(page.get_by_text("Nothing yet: your generations appear here.")).to_be_visible()

    page.get_by_role("button", name="API keys").click()
    page.get_by_label("Key name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_role("listitem").filter(has_text="laptop")
    key.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("dialog")).to_contain_text(
        "Revoke the key “laptop”? Programs that use it will stop working.")
    confirm(page, "Cancel")
    expect(key).to_have_count(1)
    expect(page.locator("#new-key-value")).to_be_visible()
    key.get_by_role("button", name="Revoke").click()
    confirm(page, "Revoke")
    expect(key).to_have_count(0)
    expect(page.locator("#new-key")).to_be_hidden()  # no longer shown as "your new key"


def test_the_count_warns_before_the_limit_and_pasted_text_is_never_cut(page: Page, site: str):
    register(page, site)
    text = page.get_by_label("Text", exact=True)
    count = page.locator("#count")
    text.fill("x" * 4_600)
    expect(count).to_have_text("4,600 characters, costs 4,600 credits · 400 characters left before the limit of 5,000")
    expect(count).to_have_attribute("data-level", "near")
    text.fill("y" * 20_000)  # pasted: kept whole
    assert text.evaluate("t => t.value.length") == 20_000
    expect(count).to_have_attribute("data-level", "over")
    expect(count).to_contain_text("20,000 characters: 15,000 over the limit of 5,000.")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/api/tts/generate") else None)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#text-error")).to_contain_text(
        "This text has 20,000 characters; one generation takes at most 5,000.")
    expect(text).to_have_attribute("aria-invalid", "true")
    assert sent == []


def test_a_phone_has_no_sideways_scroll(browser: Browser, site: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    page = context.new_page()
    page.goto(site + "/")
    expect(page.get_by_role("button", name="Aperçu\u202f: Kumo")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    register(page, site, email="a.person.with.a.rather.long.address@example.com", lang="fr")
    for name in ("Tâches longues", "Clés d’API", "Compte"):
        page.get_by_role("button", name=name, exact=True).click()
    page.get_by_label("Nom de la clé").fill("téléphone")
    page.get_by_role("button", name="Créer la clé").click()
    expect(page.locator("#sdk-snippet")).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
    context.close()


def test_the_welcome_says_what_the_page_does_and_the_icon_is_served(page: Page, site: str):
    page.goto(site + "/")
    intro = page.get_by_role("region", name="Hear your texts read aloud")
    expect(intro).to_contain_text("choose a voice and a speed")
    voices = intro.get_by_role("list", name="Voices on this server").get_by_role("listitem")
    expect(voices).to_have_count(5)
    with page.expect_response(lambda r: r.url.endswith("/api/tts/voices/jf_alpha/preview")) as preview:
        voices.first.get_by_role("button", name="Preview Alpha").click()  # no account needed
    assert preview.value.status in (200, 206)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href") or ""
    assert page.request.get(site + icon).headers["content-type"].startswith("image/svg+xml")
    favicon = page.request.get(site + "/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/svg+xml")
    assert serious_violations(page) == []


def test_the_form_appears_once_the_welcome_is_in_place_and_does_not_move(page: Page, site: str):
    """The welcome's voice list fills in above the form: were the form shown first, it would move
    under the visitor's pointer (a click on "Create account" then landed elsewhere). It waits for
    the list, 2 s at most."""
    held = []
    page.route("**/api/tts/voices", lambda route: held.append(route))  # answered when the test says
    page.goto(site + "/")
    wait_until(page, "() => !document.getElementById('intro').hidden")
    page.wait_for_timeout(500)
    assert held and page.locator("#auth").is_hidden()  # the list is not there yet: neither is the form
    expect(page.locator("#auth")).to_be_visible(timeout=5_000)  # past 2 s it comes anyway
    held[0].continue_()
    page.unroute("**/api/tts/voices")
    expect(page.locator("#intro-voices li")).to_have_count(5)

    page.goto(site + "/")  # answered at once: the list is there before the form, which stays put
    create = page.get_by_role("button", name="Create account")
    expect(create).to_be_visible()
    assert page.locator("#intro-voices li").count() == 5
    box = create.bounding_box()
    page.wait_for_timeout(500)
    assert create.bounding_box() == box
