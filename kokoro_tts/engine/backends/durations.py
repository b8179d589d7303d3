"""Expose the per-token durations an ONNX export of Kokoro computes but does not output.

The model predicts how many frames (600 samples, 25 ms) each token lasts, rounds them and clips
them at 1 (``Round`` then ``Clip`` in its graph) before expanding the tokens to frames; word
timings are those durations summed. The export outputs only ``audio``, so the clipped durations
are added as a second graph output, once, into a copy cached beside the other model files.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

#: Name of the added output.
OUTPUT = "durations"
#: Samples per duration frame at 24 kHz.
FRAME_SAMPLES = 600


def _cache_path(model: Path, cache_dir: Path) -> Path:
    """Keyed on the model's name, size and modification time: another file, another copy."""
    stat = model.stat()
    return cache_dir / f"{model.stem}-durations-{stat.st_size:x}-{stat.st_mtime_ns:x}.onnx"


def _duration_tensor(graph: object) -> str | None:
    """The output of the ``Clip`` that follows a ``Round``: the per-token frame counts."""
    rounded = {out for node in graph.node if node.op_type == "Round" for out in node.output}  # type: ignore[attr-defined]
    for node in graph.node:  # type: ignore[attr-defined]
        if node.op_type == "Clip" and node.input and node.input[0] in rounded:
            return str(node.output[0])
    return None


def with_durations(model: Path, cache_dir: Path) -> tuple[Path, bool]:
    """(path of a model that also outputs ``durations``, True), or (``model``, False) if its graph
    has no such tensor (another export): timings are then estimated by the caller.

    The copy is written to a temporary name then renamed, so workers building it at once never
    read half a file.
    """
    target = _cache_path(model, cache_dir)
    if target.is_file():
        return target, True
    import onnx

    proto = onnx.load(str(model))
    name = _duration_tensor(proto.graph)
    if name is None:
        log.warning("%s has no duration tensor: word timings will be estimated", model.name)
        return model, False
    proto.graph.output.append(onnx.helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, None))
    proto.graph.node.append(onnx.helper.make_node("Identity", [name], [OUTPUT], name="expose_durations"))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(proto, str(tmp))
        os.replace(tmp, target)
    except OSError as exc:  # a read-only cache: speak anyway, timings estimated
        log.warning("cannot cache the model with durations in %s (%s): word timings will be estimated",
                    target.parent, exc)
        return model, False
    finally:
        tmp.unlink(missing_ok=True)
    return target, True
