"""Fixtures for the speech-engine tests: one real engine (embedded int8 model) per test session.

The embedded model is assembled into a session temp dir (about 1 s), so the tests write nothing
outside pytest's temp dirs and download nothing.
"""

from __future__ import annotations

import shutil

import pytest

from kokoro_tts.engine import Engine, EngineSettings

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
    return engine.synthesize(engine.validate("Hello there, world.", voice=VOICE, lang="en-us"))
