"""What the browser tests share: registering through the page (in English or French), the page's
confirmation dialog, what a person reads on the page, and axe-core's serious findings."""

from __future__ import annotations

import time
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .app import PASSWORD

EMAIL = "ada@example.com"

#: The visible text of the page, and every attribute a person reads or hears (labels of option
#: groups, accessible names, placeholders, titles), one line each.
READ_TEXT = """() => [
  document.title,
  document.body.innerText,
  ...[...document.querySelectorAll("[aria-label], [placeholder], [title], optgroup[label]")].flatMap(
    (e) => ["aria-label", "placeholder", "title", "label"].map((a) => e.getAttribute(a) || "")),
].join("\\n")"""

#: The words of the page a test clicks and fills, in each language.
WORDS = {
    "en": {"create": "Create account", "email": "Email", "password": "Password", "name": "Name (optional)",
           "log_out": "Log out"},
    "fr": {"create": "Créer un compte", "email": "Adresse e-mail", "password": "Mot de passe",
           "name": "Nom (facultatif)", "log_out": "Se déconnecter"},
}


def register(page: Page, site: str, email: str = EMAIL, lang: str = "en", password: str = PASSWORD) -> None:
    """Create an account on the page in `lang` (the page as the browser's language opens it)."""
    words = WORDS[lang]
    page.goto(site + "/")
    page.get_by_role("button", name=words["create"]).click()
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"], exact=True).fill(password)
    page.get_by_role("textbox", name=words["name"]).fill("Ada")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.get_by_role("button", name=words["log_out"])).to_be_visible()


def confirm(page: Page, action: str) -> None:
    """Answer the page's confirmation dialog with its button `action` ("Delete", "Cancel"...)."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=action, exact=True).click()
    expect(dialog).to_be_hidden()


def wait_until(page: Page, script: str, arg: Any = None, timeout: float = 15.0) -> Any:
    """`script` (a function of `arg`) evaluated every 100 ms until it is truthy; its value. The
    page's CSP has no 'unsafe-eval', which Playwright's own wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(script, arg)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {script} ({arg!r})")
        page.wait_for_timeout(100)
    return value


def read_text(page: Page) -> str:
    return page.evaluate(READ_TEXT)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
