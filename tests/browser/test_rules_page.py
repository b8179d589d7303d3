"""Pronunciation rules on the page: a PLS lexicon imported from a file (or refused, beside the
file, with nothing added) and the rules exported as one; in French too."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import register, serious_violations
from tests.support.pls import ALIASES, lexicon

BAD = lexicon("<lexeme><grapheme>ok</grapheme><alias>okay</alias></lexeme>"
              "<lexeme><grapheme>click</grapheme><phoneme>ǃa</phoneme></lexeme>")


def _import(page: Page, name: str, data: bytes, button: str = "Import PLS") -> None:
    page.locator("#pls-file").set_input_files({"name": name, "mimeType": "application/pls+xml", "buffer": data})
    page.get_by_role("button", name=button).click()


def test_import_a_lexicon_refuse_a_bad_one_and_export(page: Page, site: str):
    register(page, site)
    page.get_by_role("button", name="Pronunciation").click()
    region = page.get_by_role("region", name="Pronunciation rules")
    expect(region).to_contain_text("0 rules (at most 500)")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Import PLS").click()
    expect(page.get_by_role("alert")).to_have_text("Choose a PLS lexicon to import.")
    _import(page, "terms.pls", ALIASES)
    expect(page.locator("#status")).to_have_text("2 rules added.")
    expect(region).to_contain_text("2 rules (at most 500)")

    _import(page, "bad.pls", BAD)
    expect(page.get_by_role("alert")).to_contain_text("Nothing was added. Lexemes refused: 2 (click).")
    expect(page.get_by_label("PLS lexicon (.pls, .xml)")).to_have_attribute("aria-invalid", "true")
    expect(region).to_contain_text("2 rules (at most 500)")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export PLS").click()
    assert download.value.suggested_filename == "pronunciations.pls"
    exported = open(download.value.path(), encoding="utf-8").read()
    assert "<grapheme>W3C</grapheme>" in exported and "<alias>World Wide Web Consortium</alias>" in exported


def test_in_french(browser, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    register(page, site, lang="fr")
    page.get_by_role("button", name="Prononciation").click()
    expect(page.get_by_role("region", name="Règles de prononciation")).to_contain_text("0 règle (au plus 500)")
    _import(page, "bad.pls", BAD, button="Importer le PLS")
    expect(page.get_by_role("alert")).to_contain_text("Rien n’a été ajouté. Lexèmes refusés\u202f: 2 (click).")
    _import(page, "terms.pls", ALIASES, button="Importer le PLS")
    expect(page.locator("#status")).to_have_text("2 règles ajoutées.")
    context.close()
