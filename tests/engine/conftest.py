"""Fixtures for the speech-engine tests: one real engine (embedded int8 model) per test session.

The embedded model is assembled into a session temp dir (about 1 s), so the tests write nothing
outside pytest's temp dirs and download nothing.
"""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
import soundfile as sf

from kokoro_tts.tts.engine import Engine, EngineSettings

VOICE = "jf_alpha"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory):
    """Where the embedded model is assembled; removed after the session (pytest keeps old tmp dirs)."""
    path = tmp_path_factory.mktemp("kokoro-cache")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(model_cache) -> Engine:
    eng = Engine(EngineSettings(cache_dir=model_cache, threads=2, default_voice=VOICE))
    eng.load()
    return eng


@pytest.fixture(scope="session")
def hello(engine: Engine):
    """One short synthesis shared by the format tests."""
    return engine.synthesize("Hello there, world.", voice=VOICE, lang="en-us")


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode any container soundfile reads; streamed FLAC has no total length, so read it raw."""
    with sf.SoundFile(io.BytesIO(data)) as f:
        rate = f.samplerate
        if f.frames < 1 << 40:
            return f.read(dtype="float32"), rate
        out = np.zeros(rate * 600, dtype=np.float32)
        n = sf._snd.sf_readf_float(f._file, sf._ffi.cast("float *", out.ctypes.data), len(out))
        return out[:n], rate
