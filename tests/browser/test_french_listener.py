"""Issue 19, "A French listener": Chromium in fr-FR meets no English on the page, field messages
beside their fields, a voice picker that offers only what the server speaks and is never blank,
and a default voice that follows the text's language; the page follows the account's language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from kokoro_tts.web.i18n import english, strings
from tests.support.app import PASSWORD
from tests.support.browser import EMAIL, read_text, register, serious_violations

NNBSP = "\u202f"
#: English words that French never uses: one of them on the French page is English left over.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|is|are|not|must|least|with|for|this|that|of|to|password|characters?|voice|"
    r"text|email|error|wrong|unknown|empty|please|file|send|link|verification|something|went|generating|"
    r"playing|credits?|history|account|log|preview|delete|installed)\b",
    re.IGNORECASE,
)


@pytest.fixture
def french(browser: Browser, site: str) -> Iterator[Page]:
    """A page in Chromium set to French (fr-FR), as the issue's listener had it."""
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.fixture
def english_phrases(app) -> list[str]:
    """The page's English strings that French says otherwise (a leftover would be one of them)."""
    with app.test_request_context():
        french_strings = strings("fr")
    return [text for key, text in english().items()
            if isinstance(text, str) and " " in text and french_strings[key] != text]


def assert_no_english(page: Page, phrases: list[str], where: str) -> None:
    text = read_text(page)
    found = [line for line in text.splitlines() if ENGLISH_WORDS.search(line)]
    found += [phrase for phrase in phrases if phrase in text]
    assert found == [], f"English on the French page ({where}): {found}"


def test_no_english_on_the_french_page_from_log_in_to_a_refused_upload(
        french: Page, site: str, english_phrases: list[str], tmp_path: Path):
    page = french
    page.goto(site + "/")
    intro = page.get_by_role("region", name="Écoutez vos textes lus à voix haute")
    expect(intro.get_by_role("button", name=f"Aperçu{NNBSP}: Kumo")).to_be_visible()
    assert_no_english(page, english_phrases, "welcome")

    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    assert_no_english(page, english_phrases, "log in refused")

    page.get_by_role("button", name="Créer un compte").click()
    password = page.get_by_label("Mot de passe", exact=True)
    expect(password).to_have_accessible_description(re.compile("Au moins 8 caractères"))  # the hint, before
    password.fill("court")
    page.get_by_role("button", name="Créer un compte").click()
    said = "Le mot de passe doit compter au moins 8 caractères."
    expect(page.locator("#auth-password-error")).to_have_text(said)  # beside the field it concerns
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(re.escape(said)))
    expect(page.get_by_role("alert")).to_have_text(said)  # it names its field: no "Mot de passe : " before
    assert_no_english(page, english_phrases, "short password")
    assert serious_violations(page) == []
    password.fill(PASSWORD)
    expect(password).not_to_have_attribute("aria-invalid", "true")  # edited: no longer marked
    expect(page.locator("#auth-password-error")).to_have_count(0)
    page.get_by_role("button", name="Créer un compte").click()
    expect(page.get_by_role("button", name="Générer")).to_be_visible()
    expect(page.locator("#alert")).to_be_empty()

    page.get_by_role("button", name="Générer").click()  # no text
    text = page.get_by_label("Texte", exact=True)
    expect(page.locator("#text-error")).to_have_text("Le texte est vide.")
    expect(text).to_have_attribute("aria-invalid", "true")
    assert_no_english(page, english_phrases, "empty text")

    text.fill("Bonjour tout le monde.")
    blend = page.get_by_label("Mélange")
    blend.fill("jf_alpha(1)+xx_inconnue(1)")
    page.get_by_role("button", name="Générer").click()
    expect(page.locator("#blend-error")).to_contain_text("xx_inconnue")
    expect(blend).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text(f"Mélange{NNBSP}: Voix inconnue")
    assert_no_english(page, english_phrases, "unknown voice")
    blend.fill("")

    page.get_by_role("button", name="Compte", exact=True).click()
    account = page.get_by_role("region", name="Compte")
    account.get_by_label("Mot de passe actuel").fill("pas le bon")
    account.get_by_label("Nouveau mot de passe").fill("un tout nouveau")
    account.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.locator("#current-password-error")).to_have_text("Le mot de passe n’est pas correct.")
    assert_no_english(page, english_phrases, "wrong current password")

    account.get_by_role("button", name="Renvoyer le lien").click()
    expect(page.locator("#status")).to_contain_text("Un nouveau lien est en route")
    expect(page.locator("#alert")).to_be_empty()  # one message at a time
    assert_no_english(page, english_phrases, "resend verification")

    page.get_by_role("button", name="Tâches longues").click()
    jobs = page.get_by_role("region", name="Tâches longues")
    document = tmp_path / "rapport.pdf"
    document.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    jobs.get_by_label("Document (.txt, .md, .html, .epub)").set_input_files(document)
    jobs.get_by_role("button", name="Lancer la tâche").click()
    expect(page.locator("#job-file-error")).to_contain_text("rapport.pdf")
    expect(page.locator("#job-file-error")).to_contain_text("envoyez un fichier .txt, .md, .html ou .epub")
    assert_no_english(page, english_phrases, "unsupported upload")
    assert serious_violations(page) == []


def test_the_french_page_writes_numbers_dates_and_colons_as_french_does(french: Page, site: str):
    page = french
    register(page, site, lang="fr")
    expect(page.locator("#account-bar")).to_contain_text(f"Crédits{NNBSP}: Illimités")
    expect(page.locator("#speed-value")).to_have_text("1,00×")
    page.get_by_label("Vitesse").fill("1.25")
    expect(page.locator("#speed-value")).to_have_text("1,25×")
    expect(page.get_by_label("Langue de la voix").locator("option")).to_have_text(["Toutes", "Japonais"])
    expect(page.get_by_label("Langue du texte").locator("option:checked")).to_have_text("Français")
    options = page.get_by_label("Voix", exact=True).locator("option")
    expect(options.first).to_have_text("Alpha (jf_alpha) · Japonais, voix féminine")
    page.get_by_label("Texte", exact=True).fill("Bonjour.")
    page.get_by_role("button", name="Générer").click()
    item = page.get_by_role("region", name="Historique").get_by_role("listitem").first
    expect(item.locator(".meta")).to_have_text(
        re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d · jf_alpha · 1,25× · wav · \d+,\d\u00a0s$"), timeout=60_000)


def test_only_installed_voices_are_offered_and_the_picker_is_never_blank(french: Page, site: str):
    page = french
    register(page, site, lang="fr")
    voice = page.get_by_label("Voix", exact=True)
    expect(voice.locator("option")).to_have_count(5)  # the five installed, none greyed out
    expect(voice.locator("option[disabled]")).to_have_count(0)
    assert "flask" not in read_text(page)
    expect(page.locator("#more-voices")).to_have_text(
        "D’autres voix peuvent être installées par la personne qui gère ce serveur.")
    page.get_by_label("Genre de la voix").select_option("male")
    expect(voice).to_have_value("jm_kumo")
    expect(voice.locator("option")).to_have_count(1)
    page.get_by_label("Langue de la voix").select_option("ja")
    expect(voice).to_have_value("jm_kumo")
    with page.expect_response(lambda r: r.url.endswith("/api/tts/voices/jm_kumo/preview")) as preview:
        page.get_by_role("button", name="Aperçu", exact=True).click()
    assert preview.value.status in (200, 206)


def catalogue_with(page: Page, installed: set[str]) -> None:
    """The page's catalogue as a server with `installed` (and the embedded voices) would list it."""
    def fulfil(route: Route) -> None:
        answer = route.fetch()
        voices = answer.json()["voices"]
        for v in voices:
            v["available"] = v["available"] or v["id"] in installed
        route.fulfill(response=answer, body=json.dumps({"voices": voices}))
    page.route(re.compile(r"/api/tts/voices(\?.*)?$"), fulfil)


def test_a_filter_that_matches_nothing_says_so_and_keeps_a_voice(french: Page, site: str):
    page = french
    catalogue_with(page, {"ff_siwis"})  # the one French voice, female
    register(page, site, lang="fr")
    page.get_by_label("Langue de la voix").select_option("fr")
    voice = page.get_by_label("Voix", exact=True)
    expect(voice).to_have_value("ff_siwis")
    page.get_by_label("Genre de la voix").select_option("male")  # no French male voice
    expect(page.locator("#filter-note")).to_have_text(
        f"Aucune voix ne correspond à ces filtres{NNBSP}: toutes les voix sont listées.")
    expect(voice).to_have_value("ff_siwis")  # still a voice, never a blank picker
    expect(voice.locator("option")).to_have_count(6)
    with page.expect_request(lambda r: "/preview" in r.url) as preview:
        page.get_by_role("button", name="Aperçu", exact=True).click()
    assert preview.value.url.endswith("/api/tts/voices/ff_siwis/preview")


def test_the_default_voice_follows_the_text_language(french: Page, site: str):
    page = french
    register(page, site, lang="fr")
    voice = page.get_by_label("Voix", exact=True)
    expect(page.get_by_label("Langue du texte")).to_have_value("fr")
    expect(voice).to_have_value("jf_alpha")  # the best installed voice, none being French
    note = page.locator("#voice-note")
    expect(note).to_have_text("Aucune voix de cette langue (français) n’est installée sur ce serveur"
                              f"{NNBSP}: Alpha (japonais) lira le texte.")
    expect(voice).to_have_accessible_description(re.compile("Alpha \\(japonais\\) lira le texte"))
    page.get_by_label("Texte", exact=True).fill("Bonjour tout le monde.")
    with page.expect_request(lambda r: r.url.endswith("/api/tts/generate")) as sent:
        page.get_by_role("button", name="Générer").click()
    assert json.loads(sent.value.post_data or "{}")["voice"] == "jf_alpha"  # never an empty voice
    item = page.get_by_role("region", name="Historique").get_by_role("listitem").first
    expect(item).to_contain_text("Bonjour tout le monde.", timeout=60_000)  # generation goes on
    page.get_by_label("Langue du texte").select_option("ja")
    expect(note).to_be_empty()
    expect(note).to_be_hidden()


def test_with_the_french_voice_installed_french_text_gets_it(french: Page, site: str):
    page = french
    catalogue_with(page, {"ff_siwis", "af_heart", "af_bella"})
    register(page, site, lang="fr")
    voice = page.get_by_label("Voix", exact=True)
    expect(voice).to_have_value("ff_siwis")
    expect(page.locator("#voice-note")).to_be_empty()
    page.get_by_label("Langue du texte").select_option("en-us")
    expect(voice).to_have_value("af_heart")  # grade A, before af_bella's A-
    voice.select_option("af_bella")  # picked by hand: the text's language no longer picks
    page.get_by_label("Langue du texte").select_option("fr")
    expect(voice).to_have_value("af_bella")


def test_api_messages_follow_the_page_and_the_page_follows_the_account(browser: Browser, site: str):
    context: BrowserContext = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(site + "/?lang=fr")  # the switch: French, whatever the browser says
    asked: list[str | None] = []
    page.on("request", lambda r: asked.append(r.headers.get("accept-language")) if "/api/" in r.url else None)
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    assert asked and set(asked) == {"fr"}, asked

    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    expect(page.get_by_role("button", name="Générer")).to_be_visible()
    me = page.request.get(site + "/api/auth/me").json()
    assert me["preferences"]["language"] == "fr"  # the account speaks the page's language
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.get_by_label("Langue", exact=True).select_option("en")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Générer")).to_be_visible()  # the account's language

    page.get_by_label("Langue", exact=True).select_option("en")  # the switch, signed in: saved
    expect(page.get_by_role("button", name="Generate")).to_be_visible()
    assert page.request.get(site + "/api/auth/me").json()["preferences"]["language"] == "en"
    page.reload()
    expect(page.get_by_role("button", name="Generate")).to_be_visible()
    context.close()
