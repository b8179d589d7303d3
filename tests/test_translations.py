"""Every message a person can read, in French too: the page's strings, the API's messages (the
engine's, the services', the documents', field messages) and the emails; errors keep their codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
FRENCH = ROOT / "kokoro_tts" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def _extracted(tmp_path: Path):
    """What `scripts/translations.sh extract` would write: every message the code holds."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "-q", "extract", "-F", "babel.cfg", "--no-location",
         "-k", "Message", "-k", "N_", "-k", "ServiceError:2", "-k", "CredentialsRefused:2",
         "-k", "DocumentError:2", "-k", "_refused:2", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    return read_po(pot.open("rb"))


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)[^}]*\}", text))


@pytest.mark.slow
def test_every_message_has_its_french(tmp_path):
    extracted = _extracted(tmp_path)
    french = read_po(FRENCH.open("rb"), locale="fr")
    assert len(extracted) > 200  # the page's strings and the API's messages were found
    untranslated = [m.id for m in extracted if m.id and not (french.get(m.id) and french.get(m.id).string)]
    assert untranslated == [], "run scripts/translations.sh extract, then translate these"
    for message in french:
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert _placeholders(text) == _placeholders(ids[-1]), (message.id, text)


def test_french_typography_in_the_catalogue():
    """A narrow no-break space before : ; ? ! and a typographic apostrophe, as French writes them."""
    for message in read_po(FRENCH.open("rb"), locale="fr"):
        if not message.id:
            continue  # the header
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            code_free = text.replace("Authorization:", "")  # a header named as it is written
            assert not re.search(r"[^\s\u202f][:;?!](\s|$)", code_free), text
            assert " :" not in text and "'" not in text, text
