"""The parts of a job a worker has spoken, kept in the audio store until the job is finished.

A part is one object (`<user>/jobs/<job>/<part>.npz`: its 16-bit samples and its words), written
whole or not at all before the job's row counts it as done: whatever kills the worker, every
part the row counts can be read back, and a part written twice holds the same audio.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from ...storage import StorageError
from .. import audio_store


def _key(user_id: int, job_id: int, index: int) -> str:
    return f"{user_id}/jobs/{job_id}/{index:06d}.npz"


def save(user_id: int, job_id: int, index: int, audio: np.ndarray, words: list[Any]) -> None:
    samples = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    np.savez(buffer, audio=samples, words=np.array(json.dumps(words)))
    audio_store.store().put(_key(user_id, job_id, index), buffer.getvalue())


def load(user_id: int, job_id: int, index: int) -> tuple[np.ndarray, list[Any]]:
    """A part's float32 audio and words; StorageError if the store has lost it."""
    chunks = audio_store.store().read(_key(user_id, job_id, index))
    if chunks is None:
        raise StorageError(f"part {index} of job {job_id} is missing from the store")
    with np.load(io.BytesIO(b"".join(chunks)), allow_pickle=False) as data:
        audio = data["audio"].astype(np.float32) / 32767.0
        words = json.loads(str(data["words"]))
    return audio, words


def delete_all(user_id: int, job_id: int) -> None:
    audio_store.store().delete_prefix(f"{user_id}/jobs/{job_id}")
