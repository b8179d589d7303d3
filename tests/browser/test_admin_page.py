"""The Usage and Administration screens, as people use them: an operator finds an account, adds
credits with a reason and sees the audit entry (English and French); a user sees their usage chart
after three generations; axe finds nothing serious on either screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from tests.support.admin import OPERATOR, seed
from tests.support.app import AuthActions, credits_of
from tests.support.browser import register, serious_violations

USER = "grace@example.com"
WORDS = {
    "en": {"admin": "Administration", "search": "Find an account (by address or name)", "find": "Search",
           "change": "Change",
           "add": "Add (negative: take)", "amount": "Credits", "reason": "Reason", "apply": "Apply",
           "done": "Credits changed; the audit log has it.", "added": "Credits added", "audit": "Audit log"},
    "fr": {"admin": "Administration", "search": "Trouver un compte (par adresse ou nom)", "find": "Rechercher",
           "change": "Modification",
           "add": "Ajouter (négatif\u202f: retirer)", "amount": "Crédits", "reason": "Motif", "apply": "Appliquer",
           "done": "Crédits modifiés\u202f; le journal d’audit l’enregistre.", "added": "Crédits ajoutés",
           "audit": "Journal d’audit"},
}


def _chart_data(page: Page, container: str) -> dict:
    """What Chart.js drew in `container` (its own record of the chart, Chart being global): today's
    bar as {source's label: value} for the sources it has, and the legend's labels in order."""
    expect(page.locator(f"{container} .chart[role=img] canvas")).to_be_visible()
    return page.evaluate(
        """(selector) => {
            const { data } = Chart.getChart(document.querySelector(`${selector} canvas`));
            const last = data.labels.length - 1;
            const drawn = data.datasets.filter((d) => d.data[last]);
            const today = Object.fromEntries(drawn.map((d) => [d.label, d.data[last]]));
            return { today, legend: data.datasets.map((d) => d.label) };
        }""",
        container,
    )


def _operator_on_the_page(page: Page, app, site: str, lang: str) -> None:
    AuthActions(app.test_client()).register(USER, name="Grace Hopper")
    app.test_cli_runner().invoke(args=["users", "credits", USER, "100"])
    register(page, site, email=OPERATOR, lang=lang)
    assert app.test_cli_runner().invoke(args=["users", "promote", OPERATOR]).exit_code == 0
    page.reload()


def _add_credits(page: Page, app, lang: str) -> None:
    words = WORDS[lang]
    page.get_by_role("button", name=words["admin"]).click()
    admin = page.get_by_role("region", name=words["admin"])
    admin.get_by_label(words["search"]).fill("grace")
    admin.get_by_role("button", name=words["find"]).click()
    accounts = page.locator("#admin-accounts tbody tr")
    expect(accounts).to_have_count(1)
    accounts.get_by_role("button", name=USER).click()
    expect(page.locator("#admin-account-title")).to_be_focused()
    assert serious_violations(page) == []
    page.get_by_label(words["change"]).select_option(label=words["add"])
    page.get_by_label(words["amount"], exact=True).fill("250")
    page.get_by_label(words["reason"], exact=True).fill("Invoice 12")
    page.get_by_role("button", name=words["apply"]).click()
    expect(page.locator("#status")).to_have_text(words["done"])
    entry = page.locator("#admin-audit tbody tr").first
    expect(entry).to_contain_text(words["added"])
    expect(entry).to_contain_text("Invoice 12")
    expect(entry).to_contain_text(USER)
    expect(entry).to_contain_text(OPERATOR)
    expect(page.locator("#admin-facts")).to_contain_text("350")
    assert credits_of(app, USER) == 350


def test_an_operator_finds_an_account_adds_credits_and_sees_the_audit_entry(page: Page, app, site: str):
    _operator_on_the_page(page, app, site, "en")
    _add_credits(page, app, "en")
    assert serious_violations(page) == []


def test_in_french(browser, app, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    _operator_on_the_page(page, app, site, "fr")
    _add_credits(page, app, "fr")
    assert serious_violations(page) == []
    context.close()


def test_the_administration_button_is_for_operators_only(page: Page, site: str):
    register(page, site)
    expect(page.get_by_role("button", name="Usage")).to_be_visible()
    expect(page.get_by_role("button", name="Administration")).to_be_hidden()


def test_a_user_sees_their_usage_chart_after_three_generations(page: Page, site: str):
    register(page, site)
    for n, text in enumerate(("Hi.", "Hello.", "Good day."), start=1):
        page.get_by_label("Text", exact=True).fill(text)
        page.get_by_role("button", name="Generate").click()
        expect(page.locator("#history-list > li")).to_have_count(n, timeout=60_000)
        expect(page.get_by_role("button", name="Generate")).to_be_enabled(timeout=60_000)
    page.get_by_role("button", name="Usage").click()
    usage = page.get_by_role("region", name="Usage")
    expect(usage.locator("#usage-month")).to_contain_text("3 generations")
    expect(usage.locator("#usage-month")).to_contain_text("18 characters")
    chart = usage.get_by_role("img")
    expect(chart).to_have_attribute("aria-label", re.compile("18 in all"))
    drawn = _chart_data(page, "#usage-chart")
    assert drawn["today"] == {"This page": 18}  # today's bar: one source, the page
    assert drawn["legend"] == ["This page", "API", "OpenAI route", "Long-form jobs", "Older history"]
    usage.get_by_text("The numbers, day by day").first.click()
    today = usage.locator("table tbody tr").last
    expect(today).to_contain_text("18")
    expect(today).to_contain_text("This page 18")
    assert serious_violations(page) == []


def test_the_usage_screen_in_french(browser, app, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    register(page, site, email=USER, lang="fr")
    now = datetime.now(UTC).replace(tzinfo=None)
    seed(app, USER, [(now, "api", 1200, 61.5), (now, "job", 300, 20.0)])
    page.get_by_role("button", name="Consommation").click()
    usage = page.get_by_role("region", name="Consommation")
    expect(usage.locator("#usage-month")).to_contain_text("1\u202f500 caractères")
    expect(usage.locator("#usage-month")).to_contain_text("2 générations")
    drawn = _chart_data(page, "#usage-chart")
    assert drawn["today"] == {"API": 1200, "Tâches longues": 300}
    assert "Tâches longues" in drawn["legend"]
    assert serious_violations(page) == []
    context.close()
