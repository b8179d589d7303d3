"""Time from clicking Generate to first sound on the web page: bench/README.md, "The web page: first sound"."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

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


FORMATS = ("wav", "mp3")  # WAV plays live through Web Audio; MP3 through MediaSource
MARKS = ("clickedAt", "firstByteAt", "playingAt", "receivedAt", "stalls", "stalledSeconds")


def sign_up(page: Any, site: str, text: str) -> None:
    page.goto(site + "/")
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Email").fill("bench@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Text", exact=True).fill(text)


def generate(page: Any, fmt: str) -> dict[str, float]:
    """One generation in `fmt`, heard to its end: seconds after the click, and its stalls."""
    page.get_by_label("Format").select_option(fmt)
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled(timeout=300_000)  # heard to its end
    read = "(marks) => marks.map((m) => Number(document.getElementById('player').dataset[m] ?? 0))"
    t = dict(zip(MARKS, page.evaluate(read, list(MARKS)), strict=True))
    return {"format": fmt, "first_byte": (t["firstByteAt"] - t["clickedAt"]) / 1000,
            "first_sound": (t["playingAt"] - t["clickedAt"]) / 1000,
            "last_byte": (t["receivedAt"] - t["clickedAt"]) / 1000,
            "stalls": t["stalls"], "stalled": t["stalledSeconds"]}


def measure(site: str, runs: int, text: str) -> list[dict[str, Any]]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--autoplay-policy=no-user-gesture-required", "--mute-audio"]
        )
        page = browser.new_page()
        sign_up(page, site, text)
        generate(page, "wav")  # warms the model up
        out = [generate(page, fmt) for _ in range(runs) for fmt in FORMATS]  # interleaved
        browser.close()
    return out


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="a 1,457-character text (issue 20's target) instead")
    args = parser.parse_args()
    text = harness.LONGS[0] if args.long else TEXT
    with tempfile.TemporaryDirectory() as folder:
        report = harness.Report("page", args.json, default_file=False, chars=len(text),
                                runs=measure(serve(Path(folder)), args.runs, text))
    report.finish(table)


def table(r: dict) -> str:
    keys = ("first_byte", "first_sound", "last_byte", "stalls", "stalled")
    rows = []
    for fmt in FORMATS:
        runs = [x for x in r["runs"] if x["format"] == fmt]
        rows += [(fmt, i, *(f"{x[k]:.2f}" for k in keys)) for i, x in enumerate(runs, 1)]
        rows.append((fmt, "median", *(f"{harness.median(x[k] for x in runs):.2f}" for k in keys)))
    return "\n".join([f"{r.get('chars', len(TEXT))} characters streamed, heard to the end; seconds after the click:",
                      *harness.table(["format", "run", "first byte", "first sound", "last byte", "stalls",
                                      "stalled s"], rows, "llrrrrr")])


if __name__ == "__main__":
    main()
