"""Time from clicking Generate to first sound on the web page: bench/README.md, "The web page: first sound"."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import harness
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(harness.ROOT / "scripts"))
from screenshots import serve

TEXT = (
    "The old lighthouse stood at the edge of the cliff, its white paint peeling after decades of "
    "salt and wind. Every evening the keeper climbed the narrow stairs, one hundred and twelve of "
    "them, to light the lamp that warned ships away from the rocks below. Nobody remembered when "
    "the last wreck had happened, and some people in the village said the light was no longer "
    "needed at all. The keeper did not argue with them. He simply kept climbing, night after night, "
    "because a promise made to his father mattered more to him than any opinion in the harbour. "
    "When the storm finally came that winter, it was his light that brought the fishing boats home. "
    "The captains never forgot it, and neither did the children who watched from the quay."
)


def measure(site: str, runs: int) -> list[dict[str, float]]:
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--autoplay-policy=no-user-gesture-required", "--mute-audio"]
        )
        page = browser.new_page()
        page.goto(site + "/")
        page.get_by_role("button", name="Create account").click()
        page.get_by_label("Email").fill("bench@example.com")
        page.get_by_label("Password", exact=True).fill("correct horse battery")
        page.get_by_role("button", name="Create account").click()
        page.get_by_label("Text", exact=True).fill(TEXT)
        page.get_by_label("Format").select_option("mp3")
        for _ in range(runs + 1):  # the first run warms the model up
            page.get_by_role("button", name="Generate").click()
            done = re.compile(r"\d")
            expect(page.locator("#player")).to_have_attribute("data-done-at", done, timeout=300_000)
            t = page.evaluate(
                "(() => { const d = document.getElementById('player').dataset;"
                " return [d.clickedAt, d.playingAt, d.receivedAt].map(Number); })()"
            )
            out.append({"first_sound": (t[1] - t[0]) / 1000, "last_byte": (t[2] - t[0]) / 1000})
        browser.close()
    return out[1:]


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = harness.Report("page", args.json, default_file=False, runs=measure(serve(Path(folder)), args.runs))
    report.finish(table)


def table(r: dict) -> str:
    rows = [(i, f"{row['first_sound']:.2f}", f"{row['last_byte']:.2f}") for i, row in enumerate(r["runs"], 1)]
    rows.append(("median", *(f"{harness.median(x[k] for x in r['runs']):.2f}" for k in ("first_sound", "last_byte"))))
    return "\n".join([f"{len(TEXT)} characters, MP3 streamed; seconds after the click:",
                      *harness.table(["run", "first sound", "last byte of the stream"], rows, "rrr")])


if __name__ == "__main__":
    main()
