"""Each kind of bad input raises its own EngineError, before any synthesis."""

from __future__ import annotations

import numpy as np
import pytest

from kokoro_tts.engine import (
    BadVoicePack,
    EmptyText,
    Engine,
    EngineError,
    EngineSettings,
    InvalidSpeed,
    TextTooLong,
    UnknownFormat,
    UnknownVoice,
    UnsupportedLanguage,
    VoiceUnavailable,
)

from .conftest import VOICE

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "kwargs,error,code",
    [
        ({"text": ""}, EmptyText, "empty_text"),
        ({"text": "  \n\t "}, EmptyText, "empty_text"),
        ({"text": "x" * 5001}, TextTooLong, "text_too_long"),
        ({"fmt": "wma"}, UnknownFormat, "unknown_format"),
        ({"speed": 0.2}, InvalidSpeed, "invalid_speed"),
        ({"speed": 4.5}, InvalidSpeed, "invalid_speed"),
        ({"speed": "fast"}, InvalidSpeed, "invalid_speed"),
        ({"speed": float("nan")}, InvalidSpeed, "invalid_speed"),
        ({"lang": "tlh"}, UnsupportedLanguage, "unsupported_language"),
        ({"voice": "xx_nobody"}, UnknownVoice, "unknown_voice"),
        ({"voice": "jf_alpha(2)+"}, UnknownVoice, "unknown_voice"),
        ({"voice": "af_heart"}, VoiceUnavailable, "voice_unavailable"),
        ({"voice": "jf_alpha+af_bella"}, VoiceUnavailable, "voice_unavailable"),
    ],
)
def test_bad_input_raises_its_error(engine: Engine, kwargs, error, code, monkeypatch):
    inferred: list[object] = []
    monkeypatch.setattr(engine.backend, "infer", lambda *args: inferred.append(args))
    args = {"text": "Hello.", "voice": VOICE, "speed": 1.0, "lang": None, "fmt": "wav"} | kwargs
    with pytest.raises(error) as info:
        engine.validate(**args)
    assert isinstance(info.value, EngineError) and isinstance(info.value, ValueError)
    assert info.value.code == code
    assert str(info.value)
    with pytest.raises(error):  # encoding checks formats the same way; synthesis needs a checked request
        if "fmt" in kwargs:
            engine.encode(np.zeros(10, np.float32), args["fmt"])
        else:
            engine.synthesize(engine.validate(**args))
    assert inferred == []  # raised before any synthesis


def test_text_too_long_has_its_code_and_limit_is_configurable(model_cache):
    small = Engine(EngineSettings(cache_dir=model_cache, max_chars=10, default_voice=VOICE))
    with pytest.raises(TextTooLong) as info:
        small.validate("Hello there, world.")
    assert info.value.code == "text_too_long"
    small.validate("Hello.")


def test_errors_carry_no_http_status():
    """The engine is a library: the web layer maps codes to statuses itself."""
    for cls in (EngineError, *EngineError.__subclasses__()):
        assert not hasattr(cls, "status"), cls


def test_unknown_voice_names_the_available_ones(engine: Engine):
    with pytest.raises(UnknownVoice, match="jf_alpha") as info:
        engine.resolve_voice("zz_who")
    assert "jm_kumo" in str(info.value)
    with pytest.raises(VoiceUnavailable, match="jf_alpha"):
        engine.resolve_voice("af_heart")


def test_wrong_shape_npz_pack(tmp_path, model_cache):
    path = tmp_path / "voices.npz"
    np.savez(path, af_bad=np.zeros((10, 256), np.float32))
    eng = Engine(EngineSettings(cache_dir=model_cache, voices=(str(path),)))
    with pytest.raises(BadVoicePack) as info:
        eng.voices()
    assert info.value.code == "bad_voice_pack" and "(10, 256)" in str(info.value)


def test_wrong_size_raw_pack(tmp_path, model_cache):
    folder = tmp_path / "raw"
    folder.mkdir()
    np.zeros(1000, np.float32).tofile(folder / "af_bad.bin")
    with pytest.raises(BadVoicePack):
        Engine(EngineSettings(cache_dir=model_cache, voices=(str(folder),))).voices()


def test_missing_pack_path(tmp_path, model_cache):
    with pytest.raises(BadVoicePack):
        Engine(EngineSettings(cache_dir=model_cache, voices=(str(tmp_path / "nope.bin"),))).voices()


def test_the_audio_a_request_would_make_is_bounded_before_synthesis(model_cache):
    from kokoro_tts.engine import Engine, EngineSettings, TextTooLong

    engine = Engine(EngineSettings(cache_dir=model_cache, max_audio_seconds=60))
    text = "Twenty words or so, said at an ordinary pace, take a few seconds to hear. " * 8  # ~600 characters
    assert engine.validate(text, voice="jf_alpha", lang="en-us", speed=1.0)  # about 36 s
    with pytest.raises(TextTooLong, match="limit is 60 s"):
        engine.validate(text, voice="jf_alpha", lang="en-us", speed=0.5)  # about 72 s
    with pytest.raises(TextTooLong):
        engine.validate("Wait. [pause:10s] " * 7, voice="jf_alpha", lang="en-us")  # pauses count too
