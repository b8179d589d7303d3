"""Synthesis with the real embedded model: loudness, length, speed, streams, languages."""

from __future__ import annotations

import numpy as np
import pytest

from kokoro_tts.engine import SAMPLE_RATE, Engine, Piece

from .conftest import VOICE

pytestmark = pytest.mark.unit


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))


def test_audio_is_speech_not_silence(hello):
    assert hello.audio.dtype == np.float32
    assert hello.audio.ndim == 1
    assert hello.sample_rate == SAMPLE_RATE == 24000
    assert 0.5 < hello.duration < 5
    assert rms(hello.audio) > 0.02
    assert np.abs(hello.audio).max() <= 1.5


def test_leading_and_trailing_silence_trimmed(hello):
    edge = int(0.05 * SAMPLE_RATE)
    assert np.abs(hello.audio[:edge]).max() > 0.01 or np.abs(hello.audio[edge : 2 * edge]).max() > 0.01
    assert np.abs(hello.audio[-2 * edge :]).max() > 0.01


@pytest.mark.slow
def test_audio_grows_with_text(engine: Engine, hello):
    longer = engine.synthesize(
        engine.validate("Hello there, world. This sentence adds quite a few more words to say.", VOICE, lang="en-us")
    )
    assert longer.duration > hello.duration * 1.8


@pytest.mark.slow
def test_audio_shrinks_with_speed(engine: Engine, hello):
    fast = engine.synthesize(engine.validate("Hello there, world.", voice=VOICE, lang="en-us", speed=2.0))
    slow = engine.synthesize(engine.validate("Hello there, world.", voice=VOICE, lang="en-us", speed=0.5))
    assert fast.duration < hello.duration * 0.75
    assert slow.duration > hello.duration * 1.4


@pytest.mark.slow
def test_stream_pieces_join_to_the_whole(engine: Engine):
    text = "One sentence here. Another one follows.\n\nA new paragraph ends it."
    req = engine.validate(text, voice=VOICE, lang="en-us")
    whole = engine.synthesize(req)
    pieces = list(engine.stream(req))
    assert all(isinstance(p, Piece) for p in pieces)
    assert len(pieces) >= 2
    joined = np.concatenate([p.audio for p in pieces])
    assert len(joined) == len(whole.audio)
    assert sum(p.chars for p in pieces) == len(text)
    # the paragraph break is a pause before the last piece
    assert np.abs(pieces[-1].audio[: int(0.5 * SAMPLE_RATE)]).max() < 0.01


def test_closing_a_stream_stops_synthesis(engine: Engine):
    text = "First sentence is short. " + "Then there is a lot more to say after that. " * 6
    seen: list[Piece] = []
    stream = engine.stream(engine.validate(text, voice=VOICE, lang="en-us"), on_piece=seen.append)
    first = next(stream)
    stream.close()
    assert len(seen) == 1
    assert 0 < first.chars < len(text)
    with pytest.raises(StopIteration):
        next(stream)


def test_voice_language_is_used_when_no_language_given(engine: Engine):
    result = engine.synthesize(engine.validate("こんにちは。", voice=VOICE))
    assert engine.validate("こんにちは。", voice=VOICE).lang == "ja"
    assert rms(result.audio) > 0.02


@pytest.mark.parametrize("lang,text", [("fr", "Bonjour tout le monde."), ("es", "Hola a todos.")])
def test_espeak_languages_speak(engine: Engine, lang, text):
    assert rms(engine.synthesize(engine.validate(text, voice=VOICE, lang=lang)).audio) > 0.02


@pytest.mark.slow
def test_blend_differs_from_its_parts(engine: Engine):
    a = engine.resolve_voice("jf_alpha")
    b = engine.resolve_voice("jm_kumo")
    blend = engine.resolve_voice("jf_alpha(3)+jm_kumo(1)")
    assert blend.weights == (0.75, 0.25)
    np.testing.assert_allclose(blend.style, 0.75 * a.style + 0.25 * b.style, rtol=1e-5, atol=1e-6)
    equal = engine.resolve_voice("jf_alpha + jm_kumo")
    assert equal.weights == (0.5, 0.5)
    text = "Hello there, world."
    voices = ("jf_alpha", "jm_kumo", blend.spec)
    audios = [engine.synthesize(engine.validate(text, v, lang="en-us")).audio for v in voices]
    for part in audios[:2]:
        n = min(len(part), len(audios[2]))
        assert len(part) != len(audios[2]) or not np.allclose(part[:n], audios[2][:n], atol=1e-3)


def test_voices_list_marks_available(engine: Engine):
    voices = {v.id: v for v in engine.voices()}
    assert len(voices) >= 54
    assert voices["af_heart"].name == "Heart" and voices["af_heart"].grade == "A"
    assert voices["af_heart"].available is False
    assert voices["jf_alpha"].available is True and voices["jf_alpha"].language == "ja"
    assert {v for v, info in voices.items() if info.available} == {
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    }


def test_warmup_reports_timings(engine: Engine):
    timings = engine.warmup()
    assert timings["audio"] > 0 and timings["synthesis"] > 0


@pytest.mark.slow
def test_concurrent_requests_share_one_engine(engine: Engine):
    """Side by side (one core each) the requests say what each says alone (on every core)."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [("Hello there, world.", "en-us"), ("Bonjour tout le monde.", "fr"), ("Hello again.", "en-us")]
    alone = [engine.synthesize(engine.validate(t, VOICE, lang=lang)).audio for t, lang in texts]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda t: engine.synthesize(engine.validate(t[0], VOICE, lang=t[1])), texts))
    for shared, solo in zip(results, alone, strict=True):
        assert rms(shared.audio) > 0.02 and len(shared.audio) == len(solo)
        assert np.abs(shared.audio - solo).max() < 0.05


@pytest.mark.slow
def test_narrow_and_wide_calls_make_the_same_audio(engine: Engine):
    tokens = engine.validate("Hello there.", VOICE, lang="en-us")
    chunk = next(iter(engine.chunks(tokens.text, tokens.lang)))
    style = tokens.voice.style_for(len(chunk.tokens))
    wide = engine.backend.infer(chunk.tokens, style, 1.0, narrow=False).audio
    narrow = engine.backend.infer(chunk.tokens, style, 1.0, narrow=True).audio
    assert engine.backend.lanes == 2 and len(wide) == len(narrow) and np.abs(wide - narrow).max() < 0.05
