"""No Python (or JavaScript) object ever shows as the page's text: the template reads its strings
from a Catalogue, which only ever answers strings, and the page says every word in both languages
with every panel open."""

from __future__ import annotations

import re

import pytest
from jinja2 import Environment
from playwright.sync_api import Page, expect

from kokoro_tts.web.i18n import Catalogue, MissingString
from tests.support.app import PASSWORD
from tests.support.browser import EMAIL, READ_TEXT

#: What a leaked object looks like: a Python repr, a JavaScript object, a value never set, a
#: placeholder never filled.
LEAKS = re.compile(r"<built-in|object at 0x|\[object |\bundefined\b|\bNaN\b|\{[a-z_]+\}")

SCREENS = {
    "en": {"create": "Create account", "email": "Email", "password": "Password", "generate": "Generate",
           "jobs": "Jobs", "keys": "API keys", "key_name": "Key name", "create_key": "Create key",
           "account": "Account", "copy": "Copy", "history": "History", "rules": "Pronunciation",
           "rules_title": "Pronunciation rules", "live": "Live", "live_title": "Live: spoken as you type"},
    "fr": {"create": "Créer un compte", "email": "Adresse e-mail", "password": "Mot de passe",
           "generate": "Générer", "jobs": "Tâches longues", "keys": "Clés d’API", "key_name": "Nom de la clé",
           "create_key": "Créer la clé", "account": "Compte", "copy": "Copier", "history": "Historique",
           "rules": "Prononciation", "rules_title": "Règles de prononciation", "live": "En direct",
           "live_title": "En direct\u202f: lu à mesure que vous écrivez"},
}


def test_the_catalogue_only_ever_answers_strings():
    strings = Catalogue({"copy": "Copy", "items": "Items", "keys": "Keys"})
    assert (strings.copy, strings["copy"], strings.items, strings.keys) == ("Copy", "Copy", "Items", "Keys")
    with pytest.raises(MissingString, match="'get'"):
        _ = strings.get
    with pytest.raises(MissingString, match="'nope'"):
        _ = strings["nope"]
    template = Environment(autoescape=True).from_string('{{ strings.copy }} / {{ strings["items"] }}')
    assert template.render(strings=strings) == "Copy / Items"
    with pytest.raises(MissingString):  # a typo in the template fails it, never renders empty
        Environment().from_string("{{ strings.cpoy }}").render(strings=strings)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_as_served_has_no_python_object_in_it(client, lang: str):
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert "<built-in" not in html and "object at 0x" not in html
    assert f'id="copy-key">{SCREENS[lang]["copy"]}</button>' in html


def open_every_panel(page: Page, words: dict[str, str]) -> None:
    page.get_by_role("button", name=words["live"], exact=True).click()
    expect(page.get_by_role("region", name=words["live_title"])).to_be_visible()
    page.get_by_role("button", name=words["jobs"], exact=True).click()
    expect(page.get_by_role("region", name=words["jobs"])).to_be_visible()
    page.get_by_role("button", name=words["rules"], exact=True).click()
    expect(page.get_by_role("region", name=words["rules_title"])).to_contain_text("500")
    page.get_by_role("button", name=words["keys"]).click()
    page.get_by_label(words["key_name"]).fill("laptop")
    page.get_by_role("button", name=words["create_key"]).click()
    expect(page.locator("#sdk-snippet")).to_contain_text("OpenAI(base_url=")
    expect(page.get_by_role("listitem").filter(has_text="laptop")).to_be_visible()
    page.get_by_role("button", name=words["account"], exact=True).click()
    expect(page.get_by_role("region", name=words["account"])).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_word_of_the_page_is_a_word(browser, site: str, lang: str):
    words = SCREENS[lang]
    context = browser.new_context(locale={"en": "en-US", "fr": "fr-FR"}[lang])
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("button", name=words["create"]).click()
    assert not LEAKS.search(page.evaluate(READ_TEXT))  # the create-account form
    page.get_by_label(words["email"]).fill(EMAIL)
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_role("button", name=words["generate"])).to_be_visible()
    csrf = {c["name"]: c["value"] for c in context.cookies()}["csrf_access_token"]
    spoken = page.request.post(site + "/api/tts/generate", data={"text": "Hello.", "format": "wav"},
                               headers={"X-CSRF-TOKEN": csrf})
    assert spoken.status == 200
    page.reload()  # the history with its item, and its buttons
    expect(page.get_by_role("region", name=words["history"]).get_by_role("listitem")).to_have_count(1)
    open_every_panel(page, words)

    text = page.evaluate(READ_TEXT)
    assert not LEAKS.search(text), [line for line in text.splitlines() if LEAKS.search(line)]
    copy = page.get_by_role("button", name=words["copy"], exact=True)
    expect(copy).to_be_visible()
    expect(copy).to_have_text(words["copy"])
    context.close()
