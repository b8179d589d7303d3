"""Voice packs of each layout, blends, the catalogue, settings and the per-app engine."""

from __future__ import annotations

import os

import numpy as np
import pytest
from flask import Flask

from kokoro_tts.context import get_engine
from kokoro_tts.engine import Engine, EngineSettings, catalogue
from kokoro_tts.engine.voice_packs import VoicePack, parse_spec

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def alpha(engine: Engine) -> np.ndarray:
    return engine.resolve_voice("jf_alpha").style


def test_catalogue_has_the_54_official_voices():
    voices = catalogue()
    assert len(voices) == 54
    assert len({v.id for v in voices}) == 54
    heart = next(v for v in voices if v.id == "af_heart")
    assert (heart.name, heart.language, heart.gender, heart.grade) == ("Heart", "en-us", "female", "A")
    assert {v.language for v in voices} == {"en-us", "en-gb", "ja", "zh", "es", "fr", "hi", "it", "pt-br"}


def test_parse_spec_normalises_weights():
    assert parse_spec("af_bella(2)+af_sky(1)") == [("af_bella", 2 / 3), ("af_sky", 1 / 3)]
    assert parse_spec("a_x + a_y") == [("a_x", 0.5), ("a_y", 0.5)]
    assert parse_spec("af_sky") == [("af_sky", 1.0)]


def test_official_npz_bin_pack(tmp_path, alpha, model_cache):
    """voices-v1.0.bin is an npz under another name; (510, 256) arrays are accepted and reshaped."""
    path = tmp_path / "voices-v1.0.bin"
    with open(path, "wb") as f:
        np.savez(f, af_heart=alpha.reshape(510, 256), af_sky=alpha * 0.5)
    eng = Engine(EngineSettings(cache_dir=model_cache, voices=(str(path),)))
    assert eng.store.available() == ["af_heart", "af_sky"]
    assert eng.default_voice() == "af_heart"
    heart = eng.resolve_voice(None)
    assert heart.style.shape == (510, 1, 256) and heart.language == "en-us"
    np.testing.assert_array_equal(heart.style, alpha)


def test_raw_bin_folder_pack(tmp_path, alpha, model_cache):
    folder = tmp_path / "raw"
    folder.mkdir()
    alpha.astype("<f4").tofile(folder / "bf_test.bin")
    assert EngineSettings.from_mapping({"TTS_VOICES": f"{folder}{os.pathsep}embedded"}).voices == (
        str(folder),
        "embedded",
    )
    eng = Engine(EngineSettings.from_mapping({"TTS_VOICES": [str(folder), "embedded"], "TTS_CACHE_DIR": model_cache}))
    voices = {v.id: v for v in eng.voices()}
    assert voices["bf_test"].available and voices["bf_test"].language == "en-gb"
    assert voices["jf_alpha"].available
    np.testing.assert_array_equal(eng.resolve_voice("bf_test").style, alpha)


def test_pt_folder_pack(tmp_path, alpha):
    import torch  # a requirement: the torch back-end is part of the engine

    folder = tmp_path / "voices"
    folder.mkdir()
    torch.save(torch.from_numpy(alpha.copy()), folder / "af_heart.pt")
    pack = VoicePack(str(folder))
    assert pack.names() == ["af_heart"]
    np.testing.assert_array_equal(pack.get("af_heart"), alpha)


def test_settings_defaults_and_mapping(tmp_path):
    s = EngineSettings.from_mapping({})
    assert s.backend == "onnx" and s.onnx_model is None and s.voices is None
    assert s.torch_repo == "hexgrad/Kokoro-82M" and s.max_chars == 5000
    assert 1 <= s.threads <= 2
    assert s.cache_dir.name == "kokoro-tts"
    s = EngineSettings.from_mapping(
        {"TTS_THREADS": "1", "TTS_MAX_CHARS": "100", "TTS_BACKEND": "TORCH", "TTS_CACHE_DIR": str(tmp_path)}
    )
    assert (s.threads, s.max_chars, s.backend, s.cache_dir) == (1, 100, "torch", tmp_path)
    with pytest.raises(ValueError):
        EngineSettings.from_mapping({"TTS_BACKEND": "tensorflow"})


def test_get_engine_is_one_lazy_engine_per_app(tmp_path):
    app = Flask(__name__)
    app.config.update(TTS_CACHE_DIR=str(tmp_path / "cache"), TTS_MAX_CHARS=42)
    engine = get_engine(app)
    assert get_engine(app) is engine
    assert app.extensions["kokoro_engine"] is engine
    assert engine.settings.max_chars == 42
    assert not engine.backend._model.done and not (tmp_path / "cache").exists()  # type: ignore[attr-defined]


def test_official_onnx_given_by_path(model_cache, engine: Engine):
    """TTS_ONNX_MODEL points at a model file; here the assembled export stands in for kokoro-v1.0.onnx."""
    path = next(p for p in model_cache.glob("*.onnx") if "-durations-" not in p.name)
    eng = Engine(EngineSettings(onnx_model=str(path), cache_dir=model_cache / "unused"))
    audio = eng.synthesize(eng.validate("Hello.", voice="jf_alpha", lang="en-us")).audio
    assert audio.dtype == np.float32 and len(audio) > 2400
    # Only the copy that outputs durations is cached (not the embedded model, which is not used).
    cached = [p.name for p in (model_cache / "unused").iterdir()]
    assert len(cached) == 1 and cached[0].startswith(f"{path.stem}-durations-")


def test_a_broken_voice_pack_is_a_server_error_without_paths(tmp_path):
    """The server's own files are at fault: a 503 for every caller, and no path in the answer."""
    from tests.support.app import make_app

    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://", TTS_VOICES=str(tmp_path / "missing.npz"))
    response = app.test_client().get("/api/tts/voices")
    assert response.status_code == 503 and response.json["error"]["code"] == "bad_voice_pack"
    assert str(tmp_path) not in response.get_data(as_text=True)
