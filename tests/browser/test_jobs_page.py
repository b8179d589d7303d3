"""The Jobs screen: a document or a long text spoken in the background, followed until it is
done (then heard and downloaded, and in the history) or cancelled (the credits following)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.app import PASSWORD, credits_of, set_credits
from tests.support.browser import EMAIL, register, serious_violations

DOCUMENT = """## The harbour

The boats came in at dusk, one after the other.

## The lighthouse

Its lamp turned all night long.
"""
#: About 1,000 characters: ten parts or so once JOB_PART_CHARS is 100, so it is cancelled mid-way.
LONG = " ".join(f"This is sentence {i} of the long text." for i in range(26))


def open_jobs(page: Page):
    page.get_by_role("button", name="Jobs").click()
    jobs = page.get_by_role("region", name="Jobs")
    expect(jobs.get_by_role("heading", name="Jobs")).to_be_visible()
    return jobs


def start_job(page: Page, title: str, text: str | None = None, document: Path | None = None):
    """Fill the form and start the job; its item in the list."""
    jobs = page.get_by_role("region", name="Jobs")
    if document is not None:
        jobs.get_by_label("Document (.txt, .md, .html, .epub)").set_input_files(document)
    if text is not None:
        jobs.get_by_label("Long text").fill(text)
    jobs.get_by_label("Title (optional)").fill(title)
    jobs.get_by_role("button", name="Start job").click()
    return jobs.get_by_role("listitem").filter(has=page.get_by_text(title, exact=True))


def test_a_document_becomes_a_job_heard_downloaded_and_in_the_history(page: Page, site: str, tmp_path: Path):
    register(page, site)
    jobs = open_jobs(page)
    expect(jobs.get_by_text("No jobs yet.")).to_be_visible()
    document = tmp_path / "evening.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if re.search(r"/api/tts/jobs/\d+$", r.url) else None)

    expect(jobs.get_by_label("Saved as")).to_have_value("mp3")  # a book is kept, not heard live: not WAV
    item = start_job(page, "An evening", document=document)
    expect(page.locator("#status")).to_contain_text("Job started: An evening.")
    expect(item).to_contain_text("Done", timeout=45_000)
    expect(page.locator("#status")).to_contain_text("An evening: Done.")
    progress = item.get_by_role("progressbar", name="Progress of An evening")
    expect(progress).to_have_js_property("value", 1)
    expect(item).to_contain_text("100%")
    expect(item).to_contain_text("chapters 2 of 2")
    expect(item.get_by_role("button", name="Cancel")).to_have_count(0)
    download = item.get_by_role("link", name="Download")
    href = download.get_attribute("href") or ""
    assert re.fullmatch(r"/api/tts/history/\d+/audio", href), href
    expect(item.get_by_label("Audio of An evening")).to_have_attribute("src", href)
    audio = page.request.get(site + href)  # the page's session cookie
    assert audio.status == 200 and audio.headers["content-type"].startswith("audio/mpeg")
    assert len(audio.body()) > 1000
    history = page.get_by_role("region", name="History").get_by_role("listitem")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("The boats came in at dusk")

    asked = len(polls)
    assert asked > 0  # it was followed while it ran...
    page.wait_for_timeout(2500)
    assert len(polls) == asked  # ...and no longer once nothing is queued or running
    assert serious_violations(page) == []


def test_cancel_a_queued_and_a_running_job_and_the_credits_follow(app, page: Page, site: str):
    register(page, site)
    set_credits(app, EMAIL, 10_000)
    page.reload()
    expect(page.locator("#credits")).to_have_text("10,000")  # as English writes numbers
    part_chars = app.config["JOB_PART_CHARS"]
    app.config["JOB_PART_CHARS"] = 100  # short parts: a running job stops soon after its cancel
    try:
        open_jobs(page)
        running = start_job(page, "The long one", text=LONG)
        expect(running).to_contain_text("Running", timeout=20_000)
        waiting = start_job(page, "The next one", text=LONG)  # one worker thread: it waits its turn
        expect(waiting).to_contain_text("Queued")
        charged = {job["title"]: job["characters"] for job in page.request.get(site + "/api/tts/jobs").json()["items"]}
        expect(page.locator("#credits")).to_have_text(f"{10_000 - sum(charged.values()):,}")

        waiting.get_by_role("button", name="Cancel").click()
        expect(waiting).to_contain_text("Cancelled")  # queued: at once, refunded in full
        expect(waiting.get_by_role("button", name="Cancel")).to_have_count(0)
        expect(waiting.get_by_role("link", name="Download")).to_have_count(0)
        expect(page.locator("#credits")).to_have_text(f"{10_000 - charged['The long one']:,}")

        expect(running.get_by_role("progressbar")).not_to_have_js_property("value", 0, timeout=20_000)
        running.get_by_role("button", name="Cancel").click()
        expect(running).to_contain_text("Cancelled", timeout=30_000)  # after the part in progress
        expect(running.get_by_role("link", name="Download")).to_be_visible()
        job = next(j for j in page.request.get(site + "/api/tts/jobs").json()["items"] if j["title"] == "The long one")
        assert job["status"] == "cancelled" and 0 < job["characters_done"] < job["characters"], job
        kept = job["characters_done"]  # what was spoken is kept (a history item), the rest refunded
        expect(page.locator("#credits")).to_have_text(f"{10_000 - kept:,}")
        assert credits_of(app, EMAIL) == 10_000 - kept
        expect(page.get_by_role("region", name="History").get_by_role("listitem")).to_have_count(1)
        assert page.request.get(f"{site}/api/tts/history/{job['generation_id']}/audio").status == 200
        assert serious_violations(page) == []
    finally:
        app.config["JOB_PART_CHARS"] = part_chars


def test_the_jobs_screen_in_french(browser, site: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Créer un compte").click()
    page.get_by_role("button", name="Tâches longues").click()
    jobs = page.get_by_role("region", name="Tâches longues")
    expect(jobs.get_by_role("heading", name="Tâches longues")).to_be_visible()
    expect(jobs.get_by_label("Document (.txt, .md, .html, .epub)")).to_be_visible()
    expect(jobs.get_by_label("Titre (facultatif)")).to_be_visible()
    jobs.get_by_role("button", name="Lancer la tâche").click()
    expect(page.get_by_role("alert")).to_have_text("Choisissez un document ou saisissez un texte long.")
    jobs.get_by_label("Texte long").fill("Bonjour.")
    jobs.get_by_role("button", name="Lancer la tâche").click()
    item = jobs.get_by_role("listitem").first
    expect(item).to_contain_text("Terminée", timeout=45_000)
    expect(item.get_by_role("progressbar", name="Avancement de Bonjour.")).to_have_js_property("value", 1)
    expect(item.get_by_role("link", name="Télécharger")).to_be_visible()
    context.close()
