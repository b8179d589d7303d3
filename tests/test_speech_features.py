"""Captions, pronunciation rules, markup, AAC and OpenAI's SSE, through the API with the real model."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import openai
import pytest
import soundfile as sf
import srt
import webvtt

from kokoro_tts.engine.aac import decode as decode_aac
from kokoro_tts.extensions import db
from kokoro_tts.models import PronunciationRule, User
from kokoro_tts.services.pronunciations import MAX_RULES
from tests.support.app import credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL, OTHER = "ada@example.com", "bob@example.com"
TEXT = "Dr. Smith paid $5.50 at 10:30 am."
BODY = {"text": TEXT, "voice": "jf_alpha", "lang": "en-us"}


def wav_samples(data: bytes) -> np.ndarray:
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert rate == 24000
    return samples


@pytest.mark.slow
def test_captioned_answers_audio_and_words_and_is_charged(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    response = client.post("/api/tts/captioned", json=BODY, headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    samples = wav_samples(base64.b64decode(body["audio"]))
    assert body["format"] == "wav" and abs(body["duration"] - len(samples) / 24000) < 0.01
    assert [w["word"] for w in body["words"]] == TEXT.split()
    assert all(0 <= w["start"] < w["end"] <= body["duration"] for w in body["words"])
    assert credits_of(app, EMAIL) == 1000 - len(TEXT)
    item = client.get(f"/api/tts/history/{body['generation_id']}", headers=headers).json
    assert item["text"] == TEXT and item["characters"] == len(TEXT)
    stored = client.get(f"/api/tts/history/{body['generation_id']}/captions", headers=headers).json
    assert stored["words"] == body["words"]


def test_captioned_refuses_stream_and_bad_input_without_charge(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    assert client.post("/api/tts/captioned", json={**BODY, "stream": True}, headers=headers).status_code == 400
    bad = client.post("/api/tts/captioned", json={**BODY, "text": "Hi [pause:30s]"}, headers=headers)
    assert bad.status_code == 400 and "[pause:30s]" in bad.json["error"]["message"]
    assert credits_of(app, EMAIL) == 1000


@pytest.mark.slow
def test_every_generation_has_captions_in_three_formats(app, auth, client):
    headers = auth.headers()
    text = "Hello there, my friend. How are you today? I am fine, thank you."
    response = client.post("/api/tts/generate", json={**BODY, "text": text, "stream": True, "format": "mp3"},
                           headers=headers)
    assert response.status_code == 200 and len(response.data) > 1000  # the stream read to its end
    gid = int(response.headers["X-Generation-Id"])
    url = f"/api/tts/history/{gid}/captions"
    words = client.get(url, headers=headers).json["words"]
    assert [w["word"] for w in words] == text.split()
    vtt = client.get(f"{url}?format=vtt", headers=headers)
    assert vtt.headers["Content-Type"].startswith("text/vtt")
    cues = webvtt.from_buffer(io.StringIO(vtt.get_data(as_text=True)))
    assert " ".join(c.text for c in cues).split() == text.split() and len(cues) >= 3
    sub = client.get(f"{url}?format=srt", headers=headers)
    assert sub.headers["Content-Type"].startswith("application/x-subrip")
    subs = list(srt.parse(sub.get_data(as_text=True)))
    assert [s.content for s in subs] == [c.text for c in cues]
    assert abs(subs[0].start.total_seconds() - words[0]["start"]) < 0.002
    assert client.get(f"{url}?format=txt", headers=headers).status_code == 400
    other = auth.headers(OTHER)
    assert client.get(url, headers=other).status_code == 404


@pytest.mark.slow
def test_pause_and_voice_tags_through_the_api(auth, client):
    headers = auth.headers()
    text = "Hello there, my friend. [pause:2s] [voice:jm_kumo] Hello there, my friend."
    response = client.post("/api/tts/generate", json={**BODY, "text": text}, headers=headers)
    assert response.status_code == 200, response.json
    samples = wav_samples(response.data)
    quiet = np.abs(samples) < 0.01
    runs, run = [], 0
    for q in quiet:
        run = run + 1 if q else 0
        runs.append(run)
    assert 2.0 <= max(runs) / 24000 <= 2.12


@pytest.mark.slow
def test_aac_from_generate_decodes_back(auth, client):
    headers = auth.headers()
    response = client.post("/api/tts/generate", json={**BODY, "format": "aac"}, headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"] == "audio/aac"
    samples = decode_aac(response.data)
    assert abs(len(samples) / 24000 - float(response.headers["X-Audio-Duration"])) < 0.15
    assert np.sqrt(np.mean(samples**2)) > 0.02
    streamed = client.post("/api/tts/generate", json={**BODY, "format": "aac", "stream": True}, headers=headers)
    assert streamed.status_code == 200 and len(decode_aac(streamed.data)) > 24000


# -- pronunciation rules ---------------------------------------------------------------------------


def test_rules_crud_and_refusals(app, auth, client):
    headers = auth.headers()
    url = "/api/tts/pronunciations"
    made = client.post(url, json={"text": "Kokoro", "phonemes": "kˈOkəɹO"}, headers=headers)
    assert made.status_code == 201 and made.json["phonemes"] == "kˈOkəɹO" and made.json["case_sensitive"] is True
    assert client.post(url, json={"text": "Kokoro", "alias": "cocoa"}, headers=headers).json["error"]["code"] == (
        "duplicate_rule"
    )
    bad = client.post(url, json={"text": "snow", "phonemes": "sn☃w"}, headers=headers)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_phonemes"
    assert "☃" in bad.json["error"]["message"]
    both = client.post(url, json={"text": "x", "alias": "y", "phonemes": "k"}, headers=headers)
    assert both.status_code == 400 and both.json["error"]["code"] == "invalid_rule"
    assert client.post(url, json={"text": "x"}, headers=headers).status_code == 400
    assert client.post(url, json={"text": "", "alias": "y"}, headers=headers).status_code == 400
    listed = client.get(url, headers=headers).json
    assert [r["text"] for r in listed["rules"]] == ["Kokoro"] and listed["limit"] == MAX_RULES
    other = auth.headers(OTHER)
    assert client.get(url, headers=other).json["rules"] == []
    assert client.delete(f"{url}/{made.json['id']}", headers=other).status_code == 404
    assert client.delete(f"{url}/{made.json['id']}", headers=headers).json == {"deleted": 1}
    assert client.get(url, headers=headers).json["rules"] == []


def test_rules_are_capped(app, auth, client):
    headers = auth.headers()
    with app.app_context():
        user = db.session.query(User).filter_by(email=EMAIL).one()
        db.session.add_all(PronunciationRule(user_id=user.id, text=f"w{i}", alias="x") for i in range(MAX_RULES))
        db.session.commit()
    response = client.post("/api/tts/pronunciations", json={"text": "one more", "alias": "x"}, headers=headers)
    assert response.status_code == 409 and response.json["error"]["code"] == "too_many_rules"


@pytest.mark.slow
def test_a_rule_changes_its_owners_speech_only(auth, client):
    mine, theirs = auth.headers(), auth.headers(OTHER)
    body = {**BODY, "text": "I read the SQL book."}
    before = client.post("/api/tts/captioned", json=body, headers=theirs).json
    rule = client.post("/api/tts/pronunciations", json={"text": "SQL", "alias": "sequel"}, headers=mine)
    assert rule.status_code == 201
    with_rule = client.post("/api/tts/captioned", json=body, headers=mine).json
    other = client.post("/api/tts/captioned", json=body, headers=theirs).json
    assert other["audio"] == before["audio"]  # untouched
    assert with_rule["audio"] != before["audio"]
    # "sequel" is two syllables where S-Q-L is three letters: the word is shorter.
    length = {r["word"]: r["end"] - r["start"] for r in with_rule["words"]}["SQL"]
    assert length < {r["word"]: r["end"] - r["start"] for r in before["words"]}["SQL"]
    assert [w["word"] for w in with_rule["words"]] == body["text"].split()


# -- OpenAI: SSE, aac, instructions ------------------------------------------------------------------


@pytest.fixture
def sdk(auth, client, live_url):
    key = client.post("/api/auth/api-keys", json={"name": "sdk"}, headers=auth.headers()).json["key"]
    return openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0)


def parse_sse(text: str) -> list[dict]:
    events = []
    for block in text.split("\n\n"):
        if block.strip():
            assert block.startswith("data: "), block
            events.append(json.loads(block[len("data: "):]))
    return events


@pytest.mark.slow
def test_sse_events_through_the_sdk(app, sdk):
    set_credits(app, EMAIL, 1000)
    text = "Streaming as events. One piece, then another."
    with sdk.audio.speech.with_streaming_response.create(
        model="tts-1", voice="jf_alpha", input=text, response_format="wav", stream_format="sse",
        instructions="Speak cheerfully.",
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.text())
    assert [e["type"] for e in events[:-1]] == ["speech.audio.delta"] * (len(events) - 1) and len(events) > 2
    done = events[-1]
    audio = b"".join(base64.b64decode(e["audio"]) for e in events[:-1])
    samples = np.frombuffer(audio[44:], "<i2")  # a streamed wav: header, then PCM
    assert done["type"] == "speech.audio.done"
    assert done["usage"]["input_tokens"] == len(text)
    assert abs(done["usage"]["output_tokens"] - len(samples) / 24000 * 40) <= 2
    assert done["usage"]["total_tokens"] == done["usage"]["input_tokens"] + done["usage"]["output_tokens"]
    assert credits_of(app, EMAIL) == 1000 - len(text)


@pytest.mark.slow
def test_aac_and_instructions_through_the_sdk(sdk):
    audio = sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="Hello in AAC.", response_format="aac",
                                    instructions="Whisper.")
    samples = decode_aac(audio.content)
    assert len(samples) > 24000 * 0.4 and np.sqrt(np.mean(samples**2)) > 0.02
    plain = sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="Same voice.", response_format="wav")
    told = sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="Same voice.", response_format="wav",
                                   instructions="Sound like a pirate.")
    assert plain.content == told.content  # documented: instructions change nothing


@pytest.mark.slow
def test_tags_in_openai_input(sdk):
    with pytest.raises(openai.BadRequestError) as info:
        sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="Hi [voice:zz_nobody] there.")
    assert info.value.body["code"] == "unknown_voice"
    audio = sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="One. [pause:1s] Two.",
                                    response_format="wav")
    samples = wav_samples(audio.content)
    assert len(samples) > 24000 * 1.5
