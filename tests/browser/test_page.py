"""The web page, as a person uses it: register, speak, hear it while it is made, find it in the
history, save defaults, make an API key; in English and French; its security."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.support.app import PASSWORD, credits_of, make_app, set_credits
from tests.support.browser import EMAIL, confirm, register, serious_violations
from tests.support.mail import Inbox

TEXT = "Hello there. This page speaks while the rest of the text is still being made."


def speak(page: Page, text: str = TEXT) -> None:
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_role("button", name="Generate").click()


def test_register_speak_and_find_it_in_the_history(page: Page, site: str):
    register(page, site)
    expect(page.locator("#credits")).to_have_text("Unlimited")
    page.get_by_label("Text", exact=True).fill(TEXT)
    expect(page.locator("#count")).to_contain_text(f"{len(TEXT)} characters")
    page.get_by_role("button", name="Generate").click()
    history = page.get_by_role("region", name="History")
    item = history.get_by_role("listitem").first
    expect(item).to_contain_text("Hello there.", timeout=60_000)
    expect(item.get_by_role("button", name="Play")).to_be_enabled()
    download = item.get_by_role("link", name="Download")
    expect(download).to_have_attribute("href", re.compile(r"/api/tts/history/\d+/audio"))
    played = page.locator("#player")
    expect(played).to_have_attribute("data-playing-at", re.compile(r"\d"), timeout=30_000)
    expect(played).to_have_attribute("data-done-at", re.compile(r"\d"), timeout=60_000)
    page.reload()  # the history as it is now that the generation is settled, with its word timings
    captions = item.get_by_role("link", name="Captions")
    expect(captions).to_have_attribute("href", re.compile(r"/api/tts/history/\d+/captions\?format=vtt"))
    vtt = page.request.get(site + captions.get_attribute("href")).text()  # the page's session cookie
    assert vtt.startswith("WEBVTT") and "Hello there." in vtt
    item.get_by_role("button", name="Delete").click()
    confirm(page, "Delete")
    expect(history.get_by_role("listitem")).to_have_count(0)


def test_log_out_and_in_again(page: Page, site: str):
    register(page, site)
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Generate")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect email or password", ignore_case=True)


def test_the_token_is_out_of_reach_of_scripts_and_writes_need_the_csrf_header(page: Page, site: str):
    register(page, site)
    cookies = {c["name"]: c for c in page.context.cookies()}
    token = cookies["access_token_cookie"]
    assert token["httpOnly"] and token["sameSite"] == "Lax"
    assert "access_token_cookie" not in page.evaluate("document.cookie")
    assert page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
    status = page.evaluate(
        """fetch('/api/auth/preferences', {method: 'PUT', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({default_speed: 2})}).then(r => r.status)"""
    )
    assert status == 403


def test_defaults_saved_open_the_page_with_them(page: Page, site: str):
    register(page, site)
    page.get_by_label("Voice", exact=True).select_option("jm_kumo")
    page.get_by_label("Speed").fill("1.5")
    page.get_by_role("button", name="Save as default").click()
    expect(page.locator("#status")).to_contain_text("Saved")
    page.get_by_role("button", name="Favourite").click()
    expect(page.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.get_by_label("Voice", exact=True)).to_have_value("jm_kumo")
    expect(page.get_by_label("Speed")).to_have_value("1.5")
    expect(page.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")


def test_too_few_credits_is_said_plainly(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, 5)
    page.reload()
    expect(page.locator("#credits")).to_have_text("5")
    speak(page)
    expect(page.get_by_role("alert")).to_contain_text(f"this text needs {len(TEXT)}, you have 5")


def test_api_keys_create_use_and_revoke(page: Page, site: str):
    register(page, site)
    page.get_by_role("button", name="API keys").click()
    page.get_by_label("Key name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key-value")
    expect(key).to_have_text(re.compile(r"\S{20,}"))
    expect(page.locator("#sdk-snippet")).to_contain_text("OpenAI(base_url=")
    secret = key.text_content()
    answer = page.request.get(site + "/api/tts/history", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    listed = page.get_by_role("listitem").filter(has_text="laptop")
    listed.get_by_role("button", name="Revoke").click()
    confirm(page, "Revoke")
    expect(listed).to_have_count(0)
    expect(key).to_be_hidden()  # a revoked key is no longer shown as the new one
    answer = page.request.get(site + "/api/tts/history", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 401


def test_french_from_the_browser_and_the_switch(browser, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(site + "/")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    for name in ("Générer", "Se déconnecter"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    expect(page.get_by_label("Texte", exact=True)).to_be_visible()
    expect(page.get_by_label("Voix", exact=True)).to_be_visible()
    expect(page.get_by_label("Vitesse")).to_be_visible()
    expect(page.get_by_role("heading", name="Historique")).to_be_visible()
    page.get_by_label("Langue", exact=True).select_option("en")
    expect(page.get_by_role("button", name="Generate")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Generate")).to_be_visible()  # the switch is remembered
    context.close()


def test_security_headers_on_the_page(page: Page, site: str):
    response = page.goto(site + "/")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin" and headers["x-frame-options"] == "DENY"
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0


def test_no_serious_accessibility_violations_on_any_screen(page: Page, site: str):
    page.goto(site + "/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    found = {"log in": serious_violations(page)}
    page.get_by_role("button", name="Forgot password?").click()
    found["forgot password"] = serious_violations(page)
    page.get_by_role("button", name="Back to log in").click()
    page.get_by_role("button", name="Create account").click()
    found["create account"] = serious_violations(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    speak(page, "Hello.")
    expect(page.get_by_role("region", name="History").get_by_role("listitem")).to_have_count(1, timeout=60_000)
    found["studio and history"] = serious_violations(page)
    page.get_by_role("button", name="API keys").click()
    page.get_by_label("Key name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key-value")).not_to_be_empty()
    found["API keys"] = serious_violations(page)
    page.get_by_role("button", name="Account").click()
    found["account"] = serious_violations(page)
    assert found == {screen: [] for screen in found}


def test_the_keyboard_alone_reaches_generate(page: Page, site: str):
    register(page, site)
    page.get_by_label("Text", exact=True).fill("Hello.")
    page.get_by_label("Text", exact=True).focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "generate":
            break
    assert page.evaluate("document.activeElement.id") == "generate"
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="History").get_by_role("listitem")).to_have_count(1, timeout=60_000)


LONGER = (
    "Playback starts with the first sentence. Meanwhile the server keeps reading the rest of "
    "this text, chunk after chunk, and the page appends each piece to the player as it comes. "
    "By the time this third sentence is spoken, the first one has long been heard, which is the "
    "whole point of streaming the audio instead of waiting for the file."
)


def test_playback_starts_before_the_generation_ends(page: Page, site: str):
    register(page, site)
    page.get_by_label("Format").select_option("mp3")
    speak(page, LONGER)
    player = page.locator("#player")
    expect(player).to_have_attribute("data-done-at", re.compile(r"\d"), timeout=90_000)
    timings = player.evaluate("p => [p.dataset.clickedAt, p.dataset.playingAt, p.dataset.receivedAt].map(Number)")
    clicked, playing, last_byte = timings
    assert clicked < playing < last_byte, timings  # heard while the server was still synthesising


@pytest.fixture
def mail_site(app, inbox: Inbox) -> Iterator[str]:
    """A live server whose app mails through the test's SMTP server (its PUBLIC_URL: itself)."""
    mailing = make_app(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TTS_AUDIO_DIR=app.config["TTS_AUDIO_DIR"],
        MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SUPPRESS_SEND=False,
    )
    server = make_server("127.0.0.1", 0, mailing, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    mailing.config["PUBLIC_URL"] = url  # known once the server has its port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()


def test_verify_the_address_and_reset_a_forgotten_password_by_email(page: Page, mail_site: str, inbox: Inbox):
    register(page, mail_site)
    page.goto(f"{mail_site}/?verify={inbox.token(EMAIL, 'verify', base=mail_site)}")
    expect(page.locator("#status")).to_contain_text("verified")
    page.get_by_role("button", name="Log out").click()

    page.get_by_role("button", name="Forgot password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator("#status")).to_contain_text("on its way")
    page.goto(f"{mail_site}/?reset={inbox.token(EMAIL, 'reset', base=mail_site)}")
    page.get_by_role("region", name="Reset your password").get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("#status")).to_contain_text("Password changed")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("a brand new passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Generate")).to_be_visible()


def test_change_the_password_then_delete_the_account(page: Page, site: str):
    register(page, site)
    page.get_by_role("button", name="Account").click()
    account = page.get_by_role("region", name="Account")
    account.get_by_label("Current password").fill(PASSWORD)
    account.get_by_label("New password").fill("a brand new passphrase")
    account.get_by_role("button", name="Change password").click()
    expect(page.locator("#status")).to_contain_text("Password changed")
    expect(page.get_by_role("button", name="Generate")).to_be_visible()  # this session goes on
    assert page.request.get(site + "/api/auth/me").status == 200

    account.get_by_label("Confirm with your password").fill("a brand new passphrase")
    account.get_by_role("button", name="Delete account").click()
    confirm(page, "Delete account")
    expect(page.locator("#status")).to_contain_text("Account deleted")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    login = page.request.post(site + "/api/auth/session", data={"email": EMAIL, "password": "a brand new passphrase"})
    assert login.status == 401


def test_pick_a_voice_by_filters_hear_its_preview_and_speak_a_blend(page: Page, site: str):
    register(page, site)
    page.get_by_label("Voice gender").select_option("male")
    voice = page.get_by_label("Voice", exact=True)
    expect(voice).to_have_value("jm_kumo")  # the one male voice this server speaks
    assert "af_heart" not in voice.locator("option:not([disabled])").all_inner_texts()
    with page.expect_response(lambda r: r.url.endswith("/api/tts/voices/jm_kumo/preview")) as preview:
        page.get_by_role("button", name="Preview").click()
    assert preview.value.status in (200, 206) and preview.value.headers["content-type"] == "audio/mpeg"  # ranges
    page.get_by_label("Blend").fill("jf_alpha(2)+jm_kumo(1)")
    with page.expect_response(lambda r: r.url.endswith("/api/tts/generate")) as spoken:
        speak(page, "Two voices in one.")
    assert spoken.value.status == 200
    item = page.get_by_role("region", name="History").get_by_role("listitem").first
    expect(item).to_contain_text("jf_alpha(2)+jm_kumo(1)", timeout=60_000)


def test_too_many_requests_says_when_to_retry(app, page: Page, site: str):
    register(page, site)
    limit = app.config["GENERATE_RATE_LIMIT"]
    app.config["GENERATE_RATE_LIMIT"] = "1 per hour"  # the second comes within it, however slow the first
    try:
        with page.expect_response(lambda r: r.url.endswith("/api/tts/generate"), timeout=120_000) as once:
            speak(page, "Once.")
        assert once.value.status == 200  # counted: its head came with its first audio
        page.locator("#stop").evaluate("stop => stop.click()")  # done with it (nothing, once it has ended)
        expect(page.get_by_role("button", name="Generate")).to_be_enabled()
        speak(page, "Twice.")
        expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Too many requests: try again in \d+ s"))
    finally:
        app.config["GENERATE_RATE_LIMIT"] = limit


def test_the_same_in_french_register_speak_history_keys(browser, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    expect(page.locator("#credits")).to_have_text("Illimités")
    page.get_by_label("Texte", exact=True).fill("Bonjour tout le monde.")
    expect(page.locator("#count")).to_contain_text("22 caractères, coûte 22 crédits")
    page.get_by_role("button", name="Générer").click()
    item = page.get_by_role("region", name="Historique").get_by_role("listitem").first
    expect(item).to_contain_text("Bonjour tout le monde.", timeout=60_000)
    expect(item.get_by_role("button", name="Écouter")).to_be_enabled()
    expect(item.get_by_role("link", name="Télécharger")).to_be_visible()
    page.get_by_role("button", name="Enregistrer par défaut").click()
    expect(page.locator("#status")).to_contain_text("Enregistré")
    page.get_by_role("button", name="Clés d’API").click()
    page.get_by_label("Nom de la clé").fill("portable")
    page.get_by_role("button", name="Créer la clé").click()
    key = page.get_by_role("listitem").filter(has_text="portable")
    expect(key.get_by_role("button", name="Révoquer")).to_be_visible()
    item.get_by_role("button", name="Supprimer").click()
    confirm(page, "Supprimer")
    expect(page.get_by_role("region", name="Historique").get_by_role("listitem")).to_have_count(0)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.get_by_role("button", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("button", name="Envoyer le lien")).to_be_visible()
    context.close()


def test_history_pages_and_re_run_fills_the_form(page: Page, site: str):
    register(page, site)
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["csrf_access_token"]
    for i in range(11):
        body = {"text": f"Item {i}.", "voice": "jm_kumo", "speed": 1.25, "lang": "en-us", "format": "wav"}
        answer = page.request.post(site + "/api/tts/generate", data=body, headers={"X-CSRF-TOKEN": csrf})
        assert answer.status == 200
    page.reload()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem")).to_have_count(10)
    expect(history.get_by_role("listitem").first).to_contain_text("Item 10.")  # newest first
    page.get_by_role("button", name="More").click()
    expect(history.get_by_role("listitem")).to_have_count(11)
    expect(page.get_by_role("button", name="More")).to_be_hidden()
    page.get_by_label("Voice gender").select_option("female")  # a filter that hides the item's voice
    page.get_by_label("Text language").select_option("ja")
    history.get_by_role("listitem").last.get_by_role("button", name="Re-run").click()
    expect(page.get_by_label("Text", exact=True)).to_have_value("Item 0.")
    expect(page.get_by_label("Voice", exact=True)).to_have_value("jm_kumo")
    expect(page.get_by_label("Blend")).to_have_value("")
    expect(page.get_by_label("Text language")).to_have_value("en-us")
    expect(page.get_by_label("Speed")).to_have_value("1.25")
    expect(page.get_by_label("Format")).to_have_value("wav")


def test_stop_ends_playback_and_the_unspoken_part_is_refunded(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, 10_000)
    page.reload()
    page.get_by_label("Format").select_option("mp3")
    speak(page, LONGER * 3)
    expect(page.locator("#player")).to_have_attribute("data-playing-at", re.compile(r"\d"), timeout=60_000)
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Generate")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    assert page.evaluate("document.getElementById('player').paused")
    deadline = time.monotonic() + 30
    while credits_of(app, EMAIL) == 10_000 - len(LONGER * 3) and time.monotonic() < deadline:
        time.sleep(0.2)  # the server notices the closed stream after the chunk in progress
    assert 10_000 - len(LONGER * 3) < credits_of(app, EMAIL) < 10_000
