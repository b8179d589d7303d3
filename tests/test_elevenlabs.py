"""The ElevenLabs-compatible routes through ElevenLabs' own Python SDK (from PyPI), `base_url` set
to a running server and one of our API keys as its key."""

from __future__ import annotations

import base64
import io
import warnings

import numpy as np
import pytest
import soundfile as sf
from elevenlabs import VoiceSettings
from elevenlabs.client import ElevenLabs
from elevenlabs.core.api_error import ApiError

from kokoro_tts.elevenlabs_api.formats import _companded
from tests.support.app import credits_of, set_credits

with warnings.catch_warnings():  # the standard library's G.711, as an independent decoder (Python < 3.13)
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

pytestmark = pytest.mark.api

EMAIL = "ada@example.com"
TEXT = "The keeper lit the lamp, and the harbour woke."
SAY = {"voice_id": "jf_alpha", "text": TEXT, "language_code": "en"}


@pytest.fixture
def client(app, auth, live_url):
    key = auth.client.post("/api/auth/api-keys", json={"name": "el"}, headers=auth.headers()).json["key"]
    set_credits(app, EMAIL, 10_000)
    return ElevenLabs(api_key=key, base_url=live_url)


def pcm(data: bytes) -> np.ndarray:
    return np.frombuffer(data, "<i2").astype(np.float32) / 32768


@pytest.mark.slow
def test_convert_mp3_is_charged_for_the_text(app, client):
    audio = b"".join(client.text_to_speech.convert(**SAY, model_id="eleven_multilingual_v2",
                                                   output_format="mp3_44100_128"))
    samples, rate = sf.read(io.BytesIO(audio), dtype="float32")
    assert rate == 24000 and len(samples) > 24000 and np.sqrt(np.mean(samples**2)) > 0.02
    assert credits_of(app, EMAIL) == 10_000 - len(TEXT)


@pytest.mark.slow
def test_pcm_and_telephony_rates_are_the_ones_asked(client):
    native = pcm(b"".join(client.text_to_speech.convert(**SAY, output_format="pcm_24000")))
    seconds = len(native) / 24000
    low = pcm(b"".join(client.text_to_speech.convert(**SAY, output_format="pcm_16000")))
    assert abs(len(low) / 16000 - seconds) < 0.02
    ulaw = b"".join(client.text_to_speech.convert(**SAY, output_format="ulaw_8000"))
    decoded = pcm(audioop.ulaw2lin(ulaw, 2))
    assert abs(len(decoded) / 8000 - seconds) < 0.02 and np.sqrt(np.mean(decoded**2)) > 0.02
    alaw = b"".join(client.text_to_speech.convert(**SAY, output_format="alaw_8000"))
    assert abs(len(pcm(audioop.alaw2lin(alaw, 2))) / 8000 - seconds) < 0.02


def test_g711_matches_the_reference_on_every_sample():
    every = np.arange(-32768, 32768, dtype=np.int16)
    raw = every.astype("<i2").tobytes()
    assert _companded(every, "ulaw") == audioop.lin2ulaw(raw, 2)
    assert _companded(every, "alaw") == audioop.lin2alaw(raw, 2)


@pytest.mark.slow
def test_speed_from_voice_settings(client):
    plain = pcm(b"".join(client.text_to_speech.convert(**SAY, output_format="pcm_24000")))
    fast = pcm(b"".join(client.text_to_speech.convert(**SAY, output_format="pcm_24000",
                                                      voice_settings=VoiceSettings(speed=1.5, stability=0.3))))
    assert 0.55 < len(fast) / len(plain) < 0.8


@pytest.mark.slow
def test_stream_sends_audio_as_it_is_made(app, client):
    chunks = list(client.text_to_speech.stream(**SAY, output_format="pcm_22050"))
    assert len(chunks) >= 1 and len(pcm(b"".join(chunks))) / 22050 > 1
    assert credits_of(app, EMAIL) == 10_000 - len(TEXT)


def _rising(starts: list[float], ends: list[float]) -> bool:
    return all(a <= b for a, b in zip(starts, starts[1:], strict=False)) and all(
        s <= e for s, e in zip(starts, ends, strict=True))


@pytest.mark.slow
def test_timestamps_cover_the_text_character_by_character(client):
    answer = client.text_to_speech.convert_with_timestamps(**SAY, output_format="pcm_24000")
    seconds = len(pcm(base64.b64decode(answer.audio_base_64))) / 24000
    aligned = answer.alignment
    assert "".join(aligned.characters) == TEXT
    assert _rising(aligned.character_start_times_seconds, aligned.character_end_times_seconds)
    assert aligned.character_start_times_seconds[0] < 0.3
    assert abs(aligned.character_end_times_seconds[-1] - seconds) < 0.1
    assert answer.normalized_alignment.characters == aligned.characters


@pytest.mark.slow
def test_streamed_timestamps_come_with_their_chunks(client):
    chunks = list(client.text_to_speech.stream_with_timestamps(**SAY, output_format="pcm_24000"))
    characters = [c for chunk in chunks if chunk.alignment for c in chunk.alignment.characters]
    starts = [t for chunk in chunks if chunk.alignment for t in chunk.alignment.character_start_times_seconds]
    assert "".join(characters) == TEXT and starts == sorted(starts)
    audio = b"".join(base64.b64decode(chunk.audio_base_64) for chunk in chunks)
    assert len(pcm(audio)) / 24000 > 1


def test_voices_and_models_in_their_shape(client):
    voices = client.voices.get_all().voices
    assert "jf_alpha" in {v.voice_id for v in voices} and all(v.name and v.category == "premade" for v in voices)
    assert client.voices.get("jm_kumo").voice_id == "jm_kumo"
    assert "eleven_multilingual_v2" in {m.model_id for m in client.models.list()}
    with pytest.raises(ApiError) as info:
        client.voices.get("nobody")
    assert info.value.status_code == 404 and info.value.body["detail"]["status"] == "voice_not_found"


def test_refusals_in_their_shape_charge_nothing(app, client, live_url):
    with pytest.raises(ApiError) as info:
        b"".join(client.text_to_speech.convert(**SAY, output_format="wav_44100"))
    assert info.value.status_code == 400 and "ulaw_8000" in info.value.body["detail"]["message"]
    with pytest.raises(ApiError) as info:
        b"".join(client.text_to_speech.convert(**SAY, model_id="eleven_monolingual_v9"))
    assert info.value.body["detail"]["status"] == "model_not_found"
    wrong = ElevenLabs(api_key="kk_not-a-key", base_url=live_url)
    with pytest.raises(ApiError) as info:
        b"".join(wrong.text_to_speech.convert(**SAY))
    assert info.value.status_code == 401 and info.value.body["detail"]["status"] == "invalid_api_key"
    assert credits_of(app, EMAIL) == 10_000


def test_openai_clients_keep_their_models_list(client, live_url):
    import httpx

    assert httpx.get(f"{live_url}/v1/models").json()["object"] == "list"
