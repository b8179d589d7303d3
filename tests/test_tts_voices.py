"""GET /api/tts/voices and the favourites."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.support.app import bearer
from tests.support.audio import decode

pytestmark = pytest.mark.api

EMBEDDED = {"jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"}


def test_catalogue_with_availability(client):
    voices = client.get("/api/tts/voices").json["voices"]
    assert len(voices) == 54
    heart = next(v for v in voices if v["id"] == "af_heart")
    assert heart == {"id": "af_heart", "name": "Heart", "language": "en-us", "gender": "female",
                     "grade": "A", "available": False, "favorite": False}
    assert {v["id"] for v in voices if v["available"]} == EMBEDDED


def test_filters(client):
    french = client.get("/api/tts/voices?language=fr").json["voices"]
    assert [v["id"] for v in french] == ["ff_siwis"]
    available = client.get("/api/tts/voices?available=true").json["voices"]
    assert {v["id"] for v in available} == EMBEDDED
    both = client.get("/api/tts/voices?language=ja&available=false").json["voices"]
    assert both == []
    assert client.get("/api/tts/voices?available=maybe").status_code == 400


def test_favourites(auth, client):
    headers = auth.headers()
    response = client.put("/api/tts/voices/jf_alpha/favorite", headers=headers)
    assert response.status_code == 200 and response.json == {"favorite_voices": ["jf_alpha"]}
    client.put("/api/tts/voices/af_heart/favorite", headers=headers)  # catalogue voice, not loaded
    client.put("/api/tts/voices/jf_alpha/favorite", headers=headers)  # idempotent
    me = client.get("/api/auth/me", headers=headers).json
    assert me["favorite_voices"] == ["af_heart", "jf_alpha"]
    marked = {v["id"] for v in client.get("/api/tts/voices", headers=headers).json["voices"] if v["favorite"]}
    assert marked == {"af_heart", "jf_alpha"}
    removed = client.delete("/api/tts/voices/af_heart/favorite", headers=headers)
    assert removed.json == {"favorite_voices": ["jf_alpha"]}


def test_unknown_voice_is_404(auth, client):
    response = client.put("/api/tts/voices/xx_nobody/favorite", headers=auth.headers())
    assert response.status_code == 404
    assert response.json["error"]["code"] == "voice_not_found"
    assert client.put("/api/tts/voices/jf_alpha/favorite").status_code == 401


def test_concurrent_favourites_lose_nothing(auth, client, live_url):
    token = auth.token()
    voices = [v["id"] for v in client.get("/api/tts/voices").json["voices"]][:16]

    def add(voice: str) -> None:
        request = urllib.request.Request(
            f"{live_url}/api/tts/voices/{voice}/favorite", method="PUT", headers=bearer(token)
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            json.load(response)

    threads = [threading.Thread(target=add, args=(v,)) for v in voices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(client.get("/api/auth/me", headers=bearer(token)).json["favorite_voices"]) == sorted(voices)


def test_preferences_check_default_voice_against_catalogue(auth, client):
    headers = auth.headers()
    assert client.put("/api/auth/preferences", json={"default_voice": "ff_siwis"}, headers=headers).status_code == 200
    bad = client.put("/api/auth/preferences", json={"default_voice": "xx_nobody"}, headers=headers)
    assert bad.status_code == 400
    assert "default_voice" in bad.json["error"]["details"]["fields"]
    blend = client.put("/api/auth/preferences", json={"default_voice": "jf_alpha(2)+jm_kumo(1)"}, headers=headers)
    assert blend.status_code == 200


@pytest.mark.slow
def test_a_voice_preview_is_made_once_then_served_from_its_file(app, client):
    first = client.get("/api/tts/voices/jm_kumo/preview")
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    audio, rate = decode(first.data)
    assert rate == 24000 and 1.0 < len(audio) / rate < 10 and float(np.sqrt(np.mean(audio**2))) > 0.01
    made = Path(app.config["TTS_CACHE_DIR"]) / "previews" / "jm_kumo.mp3"
    stamp = made.stat().st_mtime_ns
    again = client.get("/api/tts/voices/jm_kumo/preview")
    assert again.data == first.data and made.stat().st_mtime_ns == stamp
    assert not list(made.parent.glob("*.part"))


@pytest.mark.parametrize(
    ("voice", "status", "code"), [("af_heart", 400, "voice_unavailable"), ("zz_nobody", 404, "voice_not_found")]
)
def test_a_preview_of_a_voice_not_here_is_refused(client, voice, status, code):
    answer = client.get(f"/api/tts/voices/{voice}/preview")
    assert answer.status_code == status and answer.json["error"]["code"] == code
