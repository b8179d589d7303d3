"""SSML through the API: charged for the words it speaks, marks timed, bad or hostile documents a
clean 400 with nothing charged; the OpenAI route and the SDK read it too."""

from __future__ import annotations

import base64
import io
import time

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


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_a_job_refuses_hostile_ssml_and_charges_nothing(app, auth, client):
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    for document in HOSTILE:
        response = client.post("/api/tts/jobs", json={"text": document, "voice": "jf_alpha"}, headers=headers)
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_ssml", document[:40]
    assert client.get("/api/tts/jobs", headers=headers).json["items"] == []
    assert credits_of(app, EMAIL) == 1000


@pytest.mark.slow
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


@pytest.mark.system
def test_a_job_speaks_ssml_part_by_part_with_its_breaks(app, auth, database_url, tmp_path):
    """A job in parts of about 60 characters: a break, a voice and a rate carry across the parts."""
    from kokoro_tts.context import ENGINE_KEY, get_engine
    from kokoro_tts.services.jobs.queue import job_queue
    from tests.support.app import make_app
    from tests.support.audio import longest_silence

    web = make_app(SQLALCHEMY_DATABASE_URI=database_url, TTS_AUDIO_DIR=str(tmp_path), JOB_PART_CHARS=60)
    web.extensions[ENGINE_KEY] = get_engine(app)
    client = web.test_client()
    headers = auth.headers()
    set_credits(app, EMAIL, 1000)
    document = ('<speak xml:lang="en-US"><p>The keeper climbed the stairs of the lighthouse at dusk. '
                '<voice name="jm_kumo">He lit the great lamp and watched the sea. <break time="1500ms"/> '
                'A ship answered with its horn.</voice></p><p><prosody rate="slow">Then the night was quiet.'
                '</prosody></p></speak>')
    spoken = parse(document).text
    try:
        job = client.post("/api/tts/jobs", json={"text": document, "voice": "jf_alpha", "format": "wav"},
                          headers=headers)
        assert job.status_code == 202, job.json
        body = job.json
        assert body["characters"] == len(spoken) and body["title"].startswith("The keeper climbed")
        deadline = time.monotonic() + 300
        while body["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            body = client.get(f"/api/tts/jobs/{body['id']}", headers=headers).json
        assert body["status"] == "done", body
        audio = client.get(f"/api/tts/history/{body['generation_id']}/audio", headers=headers)
        samples, rate = sf.read(io.BytesIO(audio.data), dtype="float32")
        assert rate == 24000 and 1.5 <= longest_silence(samples) <= 1.62
        assert credits_of(app, EMAIL) == 1000 - len(spoken)
        item = client.get(f"/api/tts/history/{body['generation_id']}", headers=headers).json
        assert item["text"] == spoken
    finally:
        queue = job_queue(web)
        if queue.worker is not None:
            queue.worker.stop()
        make_app()
