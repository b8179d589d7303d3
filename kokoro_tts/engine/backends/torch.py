"""PyTorch back-end: the ``kokoro`` package's ``KModel``.

Built from local ``config.json`` and weights paths, or fetched from the Hub (``repo_id``) for whichever
of the two is not given, where the host can reach it. torch and kokoro are imported here only, when
this back-end is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import ModelUnavailable
from ..lazy import Once
from . import Inference


class _Model(NamedTuple):
    torch: Any  # the module, imported only when this back-end loads
    kmodel: Any


class TorchBackend:
    """torch's thread count is the process' own, so calls cannot be narrowed: one runs at a time."""

    name = "torch"
    lanes = 1

    def __init__(self, repo_id: str, config: str | None, weights: str | None, threads: int) -> None:
        self.repo_id = repo_id
        self.config = config
        self.weights = weights
        self.threads = threads
        self._model = Once(self._open)

    def _open(self) -> _Model:
        import torch
        from kokoro.model import KModel

        torch.set_num_threads(self.threads)
        try:
            model = KModel(repo_id=self.repo_id, config=self.config or None, model=self.weights or None)
        except (OSError, ValueError, RuntimeError, KeyError) as e:
            raise ModelUnavailable(f"cannot load the Kokoro torch model: {e}") from e
        return _Model(torch, model.eval())

    def load(self) -> None:
        self._model.get()

    def infer(self, tokens: Sequence[int], style: np.ndarray, speed: float, narrow: bool = False) -> Inference:
        torch, kmodel = self._model.get()
        ids = torch.tensor([[0, *tokens, 0]], dtype=torch.long)
        ref = torch.from_numpy(np.ascontiguousarray(style, dtype=np.float32).reshape(1, -1))
        with torch.inference_mode():
            audio, durations = kmodel.forward_with_tokens(ids, ref, float(speed))
        return Inference(
            audio.detach().cpu().numpy().astype(np.float32).reshape(-1),
            durations.detach().cpu().numpy().reshape(-1),
        )
