"""Model files and back-ends: the embedded model cache, the torch KModel path, no torch for onnx."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from kokoro_tts.engine import Engine, EngineSettings
from kokoro_tts.engine.chunking import vocab
from kokoro_tts.engine.model_files import embedded_model_path, expected_sha256

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_embedded_model_is_assembled_once_and_reused(model_cache, engine):
    path = embedded_model_path(model_cache)
    assert path.parent == model_cache and path.stat().st_size > 90_000_000
    assert expected_sha256() in (path.parent / (path.name + ".ok")).read_text()
    mtime = path.stat().st_mtime_ns
    assert embedded_model_path(model_cache) == path and path.stat().st_mtime_ns == mtime
    assert not list(model_cache.glob("*.tmp"))


def test_corrupt_cached_model_is_rebuilt(tmp_path):
    digest = expected_sha256()
    bad = tmp_path / f"kokoro-v1.0.int8-{digest[:12]}.onnx"
    bad.write_bytes(b"not a model")
    path = embedded_model_path(tmp_path)
    assert path == bad and path.stat().st_size > 90_000_000
    path.unlink()  # 92 MB; pytest keeps the temp dirs of recent runs


@pytest.mark.slow
def test_onnx_default_does_not_import_torch(model_cache, engine):
    code = textwrap.dedent(
        f"""
        import sys
        from kokoro_tts.engine import Engine, EngineSettings
        e = Engine(EngineSettings(cache_dir={str(model_cache)!r}, threads=1))
        r = e.synthesize(e.validate("Hello.", voice="jf_alpha", lang="en-us"))
        assert len(r.audio) > 0
        assert "torch" not in sys.modules, "torch was imported"
        assert "kokoro" not in sys.modules
        app_parts = [m for m in sys.modules if m.startswith("kokoro_tts.") and not m.startswith("kokoro_tts.engine")]
        assert app_parts == ["kokoro_tts.extensions"], app_parts  # no route, service or Flask app
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def small_kokoro_config() -> dict:
    """Kokoro-82M's config, with the parts that may shrink shrunk (the decoder needs 512 channels)."""
    return {
        "istftnet": {
            "upsample_kernel_sizes": [20, 12],
            "upsample_rates": [10, 6],
            "gen_istft_hop_size": 5,
            "gen_istft_n_fft": 20,
            "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
            "resblock_kernel_sizes": [3, 7, 11],
            "upsample_initial_channel": 512,
        },
        "dim_in": 64,
        "dropout": 0.2,
        "hidden_dim": 512,
        "max_conv_dim": 512,
        "max_dur": 50,
        "multispeaker": True,
        "n_layer": 1,
        "n_mels": 80,
        "n_token": 178,
        "style_dim": 128,
        "text_encoder_kernel_size": 5,
        "plbert": {
            "hidden_size": 64,
            "num_attention_heads": 2,
            "intermediate_size": 128,
            "max_position_embeddings": 512,
            "num_hidden_layers": 1,
            "dropout": 0.1,
        },
        "vocab": vocab(),
    }


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
@pytest.mark.system  # imports torch: the second back-end, slow to load
def test_torch_backend_from_local_files(tmp_path, request):
    import kokoro.model as kmodel
    import torch  # a requirement: the torch back-end is part of the engine

    torch.manual_seed(0)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(small_kokoro_config()))
    empty = tmp_path / "empty.pth"
    torch.save({}, empty)
    model = kmodel.KModel("hexgrad/Kokoro-82M", config=str(config), model=str(empty))  # random weights
    weights = tmp_path / "kokoro-test.pth"  # about 200 MB: removed after the test
    request.addfinalizer(lambda: weights.unlink(missing_ok=True))
    torch.save(
        {k: getattr(model, k).state_dict() for k in ("bert", "bert_encoder", "predictor", "text_encoder", "decoder")},
        weights,
    )

    engine = Engine(
        EngineSettings(
            backend="torch",
            torch_config=str(config),
            torch_weights=str(weights),
            threads=1,
            cache_dir=tmp_path / "cache",
            default_voice="jf_alpha",
        )
    )
    assert engine.backend.name == "torch"
    result = engine.synthesize(engine.validate("Hello.", lang="en-us"))
    assert result.audio.dtype == np.float32 and result.audio.ndim == 1
    raw, durations = engine.backend.infer([50, 83, 54], engine.resolve_voice("jf_alpha").style_for(3), 1.0)
    assert raw.dtype == np.float32 and raw.ndim == 1 and len(raw) > 0
    assert len(raw) % 600 == 0  # 600 samples (25 ms) per predicted frame
    assert durations is not None and len(durations) == 5 and int(durations.sum()) * 600 == len(raw)
    assert not (tmp_path / "cache").exists()  # the torch path never touches the onnx cache
