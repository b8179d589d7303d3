"""PyTorch back-end: the ``kokoro`` package's ``KModel``.

Built from local ``config.json`` and weights paths, or fetched from the Hub (``repo_id``) for whichever
of the two is not given, where the host can reach it. torch and kokoro are imported here only, when
this back-end is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from ..errors import ModelUnavailable


class TorchBackend:
    name = "torch"

    def __init__(self, repo_id: str, config: str | None, weights: str | None, threads: int) -> None:
        self.repo_id = repo_id
        self.config = config
        self.weights = weights
        self.threads = threads
        self._model = None
        self._torch = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            import torch
            from kokoro.model import KModel

            torch.set_num_threads(self.threads)
            try:
                model = KModel(repo_id=self.repo_id, config=self.config or None, model=self.weights or None)
            except (OSError, ValueError, RuntimeError, KeyError) as e:
                raise ModelUnavailable(f"cannot load the Kokoro torch model: {e}") from e
            self._torch = torch
            self._model = model.eval()

    def infer(self, tokens: Sequence[int], style: np.ndarray, speed: float) -> np.ndarray:
        if self._model is None:
            self.load()
        torch = self._torch
        ids = torch.tensor([[0, *tokens, 0]], dtype=torch.long)
        ref = torch.from_numpy(np.ascontiguousarray(style, dtype=np.float32).reshape(1, -1))
        with torch.inference_mode():
            audio, _ = self._model.forward_with_tokens(ids, ref, float(speed))
        return audio.detach().cpu().numpy().astype(np.float32).reshape(-1)
