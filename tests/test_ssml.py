"""SSML through the API: charged for the words it speaks, marks timed, bad or hostile documents a
clean 400 with nothing charged; the OpenAI route and the SDK read it too."""

from __future__ import annotations

import base64
import io

import openai
import pytest
import soundfile as sf

from kokoro_tts.engine.ssml import parse
from tests.support.app import credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
DOC = ('<?xml version="1.0"?>\n<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">\n'
       '  <p>The <sub alias="World Wide Web Consortium">W3C</sub> met on '
       '<say-as interpret-as="date" format="mdy">12/25/2024</say-as>. <break time="700ms"/>\n'
       '  Then <mark name="cheer"/>everyone cheered.</p>\n</speak>')
SPOKEN = parse(DOC).text
HOSTILE = [
    '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    "<speak>&b;</speak>",
    '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY x SYSTEM "file:///etc/passwd">]><speak>&x;</speak>',
    "<speak>" + "<s>" * 10_000 + "deep" + "</s>" * 10_000 + "</speak>",
    "<speak>Hello <audio src='http://169.254.169.254/latest'/> there</speak>",
]


def test_captioned_ssml_is_charged_for_its_words_with_marks_timed(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    response = client.post("/api/tts/captioned", json={"text": DOC, "voice": "jf_alpha"}, headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert SPOKEN == "The World Wide Web Consortium met on 12/25/2024. Then everyone cheered."
    assert credits_of(app, EMAIL) == 1000 - len(SPOKEN)
    assert [w["word"] for w in body["words"]] == SPOKEN.split()
    (mark,) = body["marks"]
    everyone = next(w for w in body["words"] if w["word"] == "everyone")
    assert mark["name"] == "cheer" and abs(mark["time"] - everyone["start"]) <= 0.05
    samples, _ = sf.read(io.BytesIO(base64.b64decode(body["audio"])), dtype="float32")
    assert abs(len(samples) / 24000 - body["duration"]) < 0.01
    item = client.get(f"/api/tts/history/{body['generation_id']}", headers=headers).json
    assert item["text"] == SPOKEN and item["characters"] == len(SPOKEN)


def test_text_type_text_reads_markup_as_words(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    text = "<speak>Hello</speak>"
    response = client.post("/api/tts/generate", json={"text": text, "voice": "jf_alpha", "lang": "en-us",
                                                      "text_type": "text"}, headers=headers)
    assert response.status_code == 200, response.json
    assert credits_of(app, EMAIL) == 1000 - len(text)
    bad = client.post("/api/tts/generate", json={"text": "Hi", "text_type": "html"}, headers=headers)
    assert bad.status_code == 400 and "text_type" in bad.json["error"]["details"]["fields"]


def test_malformed_ssml_is_a_400_that_says_where_and_charges_nothing(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    response = client.post("/api/tts/generate", json={"text": "<speak>\n  Hi <break>\n</speak>"}, headers=headers)
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid_ssml" and error["details"] == {"line": 3, "column": 3}
    assert credits_of(app, EMAIL) == 1000
    assert client.get("/api/tts/history", headers=headers).json["total"] == 0


@pytest.mark.parametrize("document", HOSTILE, ids=["billion-laughs", "external-entity", "10000-deep", "audio"])
def test_hostile_ssml_is_refused_and_nothing_charged(app, auth, client, document):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    response = client.post("/api/tts/captioned", json={"text": document}, headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_ssml"
    assert credits_of(app, EMAIL) == 1000
    assert client.get("/api/tts/history", headers=headers).json["total"] == 0


def test_french_message_for_bad_ssml(auth, client):
    headers = {**auth.headers(), "Accept-Language": "fr"}
    response = client.post("/api/tts/generate", json={"text": "<speak><audio src='x'/></speak>"}, headers=headers)
    assert response.status_code == 400 and "URL" in response.json["error"]["message"]
    assert "not supported" not in response.json["error"]["message"]


def test_a_job_refuses_ssml_plainly(auth, client):
    response = client.post("/api/tts/jobs", json={"text": DOC, "voice": "jf_alpha"}, headers=auth.headers())
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_ssml"


def test_the_openai_sdk_sends_ssml(app, auth, client, live_url):
    key = client.post("/api/auth/api-keys", json={"name": "sdk"}, headers=auth.headers()).json["key"]
    set_credits(app, EMAIL, 1000)
    sdk = openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0)
    audio = sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input=DOC, response_format="wav")
    samples, rate = sf.read(io.BytesIO(audio.content), dtype="float32")
    assert rate == 24000 and len(samples) > 24000 * 3
    assert credits_of(app, EMAIL) == 1000 - len(SPOKEN)
    with pytest.raises(openai.BadRequestError) as info:
        sdk.audio.speech.create(model="tts-1", voice="jf_alpha", input="<speak>Hi <b></speak>")
    assert info.value.body["code"] == "invalid_ssml"
