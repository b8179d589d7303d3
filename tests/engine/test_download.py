"""`tts download` against a local server standing in for the Hugging Face Hub (HF_ENDPOINT):
the voices it serves become available; offline it fails at once, leaving no partial file."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.support.hub import Hub, serving, voice_pt

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stand_in_hub():
    with serving({"voices/af_heart.pt": voice_pt(1), "voices/ff_siwis.pt": voice_pt(2),
                  "voices/af_bella.pt": b"junk"}) as url:
        yield url


def flask(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TTS_", "HF_"))}
    environment.update(APP_ENV="development", INSTANCE_PATH=str(tmp_path / "instance"),
                       TTS_CACHE_DIR=str(tmp_path / "cache"), HF_HOME=str(tmp_path / "hf"), **env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=180)


def test_download_makes_the_voices_available(stand_in_hub, tmp_path):
    first = flask(["tts", "download", "--voices", "af_heart,ff_siwis"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert first.returncode == 0, first.stderr
    assert "2 voices fetched" in first.stdout
    folder = tmp_path / "cache" / "voices"
    assert sorted(p.name for p in folder.iterdir()) == ["af_heart.bin", "ff_siwis.bin"]
    expected = torch.load(io.BytesIO(Hub.files["voices/af_heart.pt"]), weights_only=True).numpy().reshape(-1)
    assert np.array_equal(np.fromfile(folder / "af_heart.bin", dtype="<f4"), expected)

    again = flask(["tts", "download", "--voices", "af_heart,ff_siwis"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert again.returncode == 0 and "0 voices fetched" in again.stdout  # resumable: nothing twice

    listed = flask(["tts", "voices", "--available"], tmp_path)
    ids = {line.split()[0] for line in listed.stdout.splitlines()[1:]}
    assert {"af_heart", "ff_siwis", "jf_alpha"} <= ids and "af_bella" not in ids
    said = flask(["tts", "say", "Bonjour.", "--voice", "ff_siwis", "-o", str(tmp_path / "b.wav")], tmp_path)
    assert said.returncode == 0, said.stderr


def test_a_file_that_is_not_a_voice_leaves_nothing(stand_in_hub, tmp_path):
    result = flask(["tts", "download", "--voices", "af_bella"], tmp_path, HF_ENDPOINT=stand_in_hub)
    assert result.returncode == 1 and "af_bella" in result.stderr and "not a Kokoro voice" in result.stderr
    assert list((tmp_path / "cache" / "voices").iterdir()) == []


def test_offline_fails_at_once_with_one_line_and_no_files(tmp_path):
    result = flask(["tts", "download"], tmp_path, HF_ENDPOINT="http://127.0.0.1:9")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: cannot fetch voice af_heart from http://127.0.0.1:9")
    folder = tmp_path / "cache" / "voices"
    assert not folder.exists() or list(folder.iterdir()) == []
