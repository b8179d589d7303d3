"""The OpenAI-compatible endpoints, through the official `openai` SDK over real HTTP."""

from __future__ import annotations

import io

import openai
import pytest
import soundfile as sf

from tests.support.app import credits_of, set_credits

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"


@pytest.fixture
def sdk(auth, client, live_url):
    headers = auth.headers()
    key = client.post("/api/auth/api-keys", json={"name": "sdk"}, headers=headers).json["key"]
    return openai.OpenAI(api_key=key, base_url=f"{live_url}/v1", max_retries=0)


@pytest.mark.slow
def test_speech_create(app, sdk, client, auth):
    set_credits(app, EMAIL, 1000)
    text = "Hello from the OpenAI client."
    audio = sdk.audio.speech.create(model="tts-1", voice="alloy", input=text, response_format="wav")
    samples, rate = sf.read(io.BytesIO(audio.content))
    assert rate == 24000 and len(samples) > 24000 * 0.5
    assert credits_of(app, EMAIL) == 1000 - len(text)
    history = client.get("/api/tts/history", headers=auth.headers_for_login()).json["items"]
    assert history[0]["text"] == text and history[0]["source"] == "openai"
    assert history[0]["lang"] == "en-us"


@pytest.mark.slow
def test_speech_streaming_response(sdk):
    with sdk.audio.speech.with_streaming_response.create(
        model="kokoro", voice="jf_alpha", input="Streaming works. Piece by piece.", response_format="mp3",
    ) as response:
        assert response.headers["content-type"] == "audio/mpeg"
        data = b"".join(response.iter_bytes())
    samples, rate = sf.read(io.BytesIO(data))
    assert rate == 24000 and len(samples) > 24000 * 0.5


def test_errors_in_openai_shape(app, sdk, live_url):
    bad = openai.OpenAI(api_key="sk-kokoro-wrong", base_url=f"{live_url}/v1", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        bad.audio.speech.create(model="tts-1", voice="alloy", input="Hi.")
    assert info.value.body["code"] == "invalid_api_key"
    assert info.value.body["type"] == "invalid_request_error"

    with pytest.raises(openai.BadRequestError) as info:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="Hi.", response_format="wma")
    assert info.value.body["code"] == "unknown_format"

    with pytest.raises(openai.BadRequestError) as info:
        sdk.audio.speech.create(model="whisper-1", voice="alloy", input="Hi.")
    assert info.value.body["code"] == "model_not_found"

    set_credits(app, EMAIL, 1)
    with pytest.raises(openai.APIStatusError) as info:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="Too long for one credit.")
    assert info.value.status_code == 402
    assert info.value.body["code"] == "insufficient_credits"
    assert info.value.body["type"] == "insufficient_quota"


def test_models_and_voices(sdk, client):
    ids = [m.id for m in sdk.models.list()]
    assert {"kokoro", "tts-1", "tts-1-hd"} <= set(ids)
    voices = client.get("/v1/audio/voices").json
    assert "jf_alpha" in voices["voices"] and voices["aliases"]["alloy"] == "af_alloy"
