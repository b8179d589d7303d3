"""Take the README's screenshots from the real page: the app on a throw-away SQLite database
(embedded model and voices), driven by Debian's Chromium through Playwright.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

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


def serve(folder: Path) -> str:
    class Config(DevelopmentConfig):
        SECRET_KEY = "screenshots-only-" + "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/db.sqlite3"
        TTS_AUDIO_DIR = str(folder / "audio")

    app = create_app(Config)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


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


def shoot(site: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--mute-audio", "--autoplay-policy=no-user-gesture-required"])
        shoot_desktop(browser, site, out)
        shoot_phone(browser, site, out)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        shoot(serve(Path(folder)), args.out)
    for png in sorted(args.out.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
