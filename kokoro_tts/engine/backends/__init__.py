"""Inference back-ends: one interface, chosen by ``TTS_BACKEND``.

Modules are imported on demand so the ONNX default never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np

from ..settings import EngineSettings


class Inference(NamedTuple):
    """One call's audio, and the frames each token of the padded input lasts (None: not known)."""

    audio: np.ndarray
    durations: np.ndarray | None = None


class Backend(Protocol):
    """Runs Kokoro-82M on one chunk: token ids (no padding), a (1, 256) style row, a speed."""

    name: str
    #: Calls that may run side by side, one core each (``infer(..., narrow=True)``); 1 if the
    #: back-end cannot keep a call to one core.
    lanes: int

    def load(self) -> None:
        """Load the model now (idempotent, thread-safe); otherwise the first ``infer`` does."""

    def infer(self, tokens: Sequence[int], style: np.ndarray, speed: float, narrow: bool = False) -> Inference:
        """24 kHz mono float32 audio for one chunk, with its token durations; `narrow`: on one
        core, as others run beside it."""


def make_backend(settings: EngineSettings) -> Backend:
    """Build (but do not load) the back-end the settings name."""
    if settings.backend == "torch":
        from .torch import TorchBackend

        return TorchBackend(
            repo_id=settings.torch_repo,
            config=settings.torch_config,
            weights=settings.torch_weights,
            threads=settings.threads,
        )
    from .onnx import OnnxBackend

    return OnnxBackend(model_path=settings.onnx_model, cache_dir=settings.cache_dir, threads=settings.threads)
