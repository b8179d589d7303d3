"""Take the README's screenshots from the real page: the app on a throw-away SQLite database
(embedded model and voices), driven by Debian's Chromium through Playwright.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only usage]

`--only usage` takes only the Usage and Administration screens (usage.png, admin.png), on a month
of generations seeded into the database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from config import DevelopmentConfig  # noqa: E402
from kokoro_tts import create_app  # noqa: E402

TEXT = (
    "Bonjour ! Kokoro lit ce texte à voix haute, phrase après phrase, pendant qu’il le synthétise. "
    "Le mot prononcé est surligné au fil de la lecture, et un clic sur un mot reprend la lecture à partir de lui."
)
CURRENT_WORD = "#reading-text [aria-current=true]"


def serve(folder: Path) -> tuple[str, Flask]:
    class Config(DevelopmentConfig):
        SECRET_KEY = "screenshots-only-" + "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/db.sqlite3"
        TTS_AUDIO_DIR = str(folder / "audio")

    app = create_app(Config)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", app


def register(page: Page, site: str, email: str, password: str = "correct horse battery") -> None:
    page.goto(site + "/")
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("textbox", name="Nom (facultatif)").fill("Ada")
    page.get_by_role("button", name="Créer un compte").click()


def speak_and_follow(page: Page) -> None:
    """Generate the French text and wait until its words are followed, a few words in."""
    page.get_by_label("Texte", exact=True).fill(TEXT)
    page.get_by_role("button", name="Générer").click()
    page.locator(CURRENT_WORD).wait_for(timeout=90_000)
    while int(page.locator(CURRENT_WORD).get_attribute("data-index") or 0) < 12:
        page.wait_for_timeout(100)
    page.locator("#player").evaluate("p => p.pause()")


def shoot_desktop(browser: Browser, site: str, out: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page.goto(site + "/")
    page.get_by_role("button", name="Aperçu\u202f: Kumo").wait_for()
    page.screenshot(path=out / "welcome.png", full_page=True)
    register(page, site, "ada@example.com", password="court")  # refused: too short
    page.locator("#auth-password-error").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=out / "register-error.png", full_page=True)
    page.get_by_label("Mot de passe", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Créer un compte").click()
    speak_and_follow(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=out / "studio.png", full_page=True)
    page.get_by_role("button", name="Clés d’API").click()
    page.get_by_label("Nom de la clé").fill("portable")
    page.get_by_role("button", name="Créer la clé").click()
    page.locator("#sdk-snippet").wait_for()
    page.locator("#keys").screenshot(path=out / "api-keys.png")
    page.close()


def shoot_phone(browser: Browser, site: str, out: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                  device_scale_factor=1)
    page = context.new_page()
    register(page, site, "bea@example.com")
    page.get_by_role("button", name="Générer").click()  # no text: said beside the text
    page.locator("#text-error").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=out / "phone-error.png")
    speak_and_follow(page)
    page.evaluate("document.getElementById('player').scrollIntoView({block: 'center'})")
    page.screenshot(path=out / "phone-studio.png")
    context.close()


def seed_month(app: Flask, email: str) -> None:
    """A month of generations from every source (usage is read from the generations table)."""
    from kokoro_tts.extensions import db
    from kokoro_tts.models import DONE, Generation, User

    chance = random.Random(23)
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.email == email))
        for day in range(30):
            for source in ("page", "api", "openai", "job"):
                if chance.random() < 0.55:
                    n = chance.randint(200, 4000) * (4 if source == "job" else 1)
                    db.session.add(Generation(user_id=user_id, text="…", voice="ff_siwis", speed=1.0, lang="fr",
                                              format="mp3", characters=n, duration=n / 15, source=source,
                                              status=DONE, created_at=now - timedelta(days=day, hours=1)))
        db.session.commit()


def shoot_admin(browser: Browser, site: str, app: Flask, out: Path) -> None:
    """The Usage screen of an account with a month of use, and the Administration screen after an
    operator added credits to it."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    register(page, site, "grace@example.com")
    page.get_by_role("button", name="Se déconnecter").wait_for()
    seed_month(app, "grace@example.com")
    page.get_by_role("button", name="Consommation").click()
    page.locator("#usage .chart canvas").wait_for()
    page.locator("#usage").screenshot(path=out / "usage.png")
    page.get_by_role("button", name="Se déconnecter").click()
    register(page, site, "root@example.com")
    page.get_by_role("button", name="Se déconnecter").wait_for()
    app.test_cli_runner().invoke(args=["users", "promote", "root@example.com"])
    page.reload()
    page.get_by_role("button", name="Administration").click()
    page.get_by_label("Trouver un compte (par adresse ou nom)").fill("grace")
    page.get_by_role("button", name="Rechercher").click()
    page.locator("#admin-accounts tbody tr").first.get_by_role("button").click()
    page.get_by_label("Modification").select_option("set")  # a new account's credits are unlimited here
    page.get_by_label("Crédits", exact=True).fill("5000")
    page.get_by_label("Motif", exact=True).fill("Facture 2026-12")
    page.get_by_role("button", name="Appliquer").click()
    page.locator("#admin-audit tbody tr").first.get_by_text("Facture 2026-12").wait_for()
    page.locator("#admin").screenshot(path=out / "admin.png")
    page.close()


def shoot(site: str, app: Flask, out: Path, only: str | None) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--mute-audio", "--autoplay-policy=no-user-gesture-required"])
        if only != "usage":
            shoot_desktop(browser, site, out)
            shoot_phone(browser, site, out)
        shoot_admin(browser, site, app, out)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=["usage"], default=None, help="only the Usage and Administration screens")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        site, app = serve(Path(folder))
        shoot(site, app, args.out, args.only)
    for png in sorted(args.out.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
