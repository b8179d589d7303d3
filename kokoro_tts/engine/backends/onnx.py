"""onnxruntime back-end: the embedded int8 export, or an official ``kokoro-v1.0.onnx`` by path.

Exports differ in input names (``tokens`` or ``input_ids``) and in the type of ``speed``; they are
read from the model. Sessions are created on first use and serve every thread (onnxruntime's ``run``
is thread-safe): one with every inference thread for a call alone, and, with more than one thread,
one with a single thread for calls that run side by side under load (about 110 MB more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelUnavailable
from ..lazy import Once
from ..model_files import embedded_model_path
from . import Inference
from .durations import OUTPUT, with_durations

_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
}


@dataclass(frozen=True)
class _Model:
    """A loaded session and the input names and dtypes of this export."""

    session: Any
    inputs: dict[str, tuple[str, type]]
    outputs: list[str]


class OnnxBackend:
    name = "onnx"

    def __init__(self, model_path: str | None, cache_dir: Path, threads: int) -> None:
        self.model_path = model_path
        self.cache_dir = Path(cache_dir)
        self.threads = threads
        self.lanes = threads
        self._model = Once(lambda: self._open(threads))
        self._narrow = Once(lambda: self._open(1)) if threads > 1 else self._model

    def _path(self) -> Path:
        if self.model_path:
            path = Path(self.model_path).expanduser()
            if not path.is_file():
                raise ModelUnavailable(f"ONNX model not found: {path}")
            return path
        return embedded_model_path(self.cache_dir)

    def _open(self, threads: int) -> _Model:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        # The arena keeps the peak of the longest call for good; without it memory goes back
        # after each call (measured: 2.1 GB kept after two long calls, against ~0.5 GB).
        opts.enable_cpu_mem_arena = False
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        path, _ = with_durations(self._path(), self.cache_dir.expanduser())
        session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        return _Model(session, self._roles(session), names[:1] + [n for n in names if n == OUTPUT])

    def load(self) -> None:
        self._model.get()
        self._narrow.get()

    @staticmethod
    def _roles(session: Any) -> dict[str, tuple[str, type]]:
        """Map tokens/style/speed to the model's input names and dtypes."""
        roles: dict[str, tuple[str, type]] = {}
        for inp in session.get_inputs():
            dtype = _DTYPES.get(inp.type, np.float32)
            name = inp.name.lower()
            if name in ("tokens", "input_ids"):
                roles["tokens"] = (inp.name, dtype)
            elif name in ("style", "ref_s", "voice"):
                roles["style"] = (inp.name, dtype)
            elif name == "speed":
                roles["speed"] = (inp.name, dtype)
        missing = {"tokens", "style", "speed"} - set(roles)
        if missing:
            names = [i.name for i in session.get_inputs()]
            raise ModelUnavailable(f"ONNX model has inputs {names}; cannot find {sorted(missing)}")
        return roles

    def infer(self, tokens: Sequence[int], style: np.ndarray, speed: float, narrow: bool = False) -> Inference:
        model = (self._narrow if narrow else self._model).get()
        (tok_name, tok_type), (sty_name, sty_type), (spd_name, spd_type) = (
            model.inputs["tokens"],
            model.inputs["style"],
            model.inputs["speed"],
        )
        feed: dict[str, np.ndarray] = {
            tok_name: np.array([[0, *tokens, 0]], dtype=tok_type),
            sty_name: np.asarray(style, dtype=sty_type).reshape(1, -1),
            spd_name: np.array([speed], dtype=spd_type),
        }
        out = model.session.run(model.outputs, feed)
        durations = np.asarray(out[1]).reshape(-1) if len(out) > 1 else None
        return Inference(np.asarray(out[0], dtype=np.float32).reshape(-1), durations)
