"""The official voices from the Hugging Face Hub, at a pinned revision, for deployments.

`hexgrad/Kokoro-82M` keeps each voice as a `.pt` tensor. They are fetched through
huggingface_hub (so `HF_ENDPOINT`, mirrors and its resumable cache apply), checked, and written
as raw float32 `.bin` files (a pack format the engine reads without torch) into a voices folder,
each atomically: a folder never holds a partial file, and a second run fetches only what is missing.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .catalogue import catalogue
from .errors import EngineError
from .voice_packs import as_voice

REPO = "hexgrad/Kokoro-82M"
#: The revision the catalogue was made from; a later one could change what a voice id sounds like.
REVISION = "f3ff3571791e39611d31c381e3a41a3af07b4987"
#: Seconds to wait for the Hub before saying it cannot be reached.
CONNECT_TIMEOUT = 10.0


class DownloadFailed(EngineError):
    code = "download_failed"


class HubUnreachable(DownloadFailed):
    """The Hub did not answer at all (offline, a firewall): nothing was tried or written."""


def default_voices_dir(cache_dir: Path) -> Path:
    """Where `tts download` puts the voices and where the engine looks for them."""
    return Path(cache_dir).expanduser() / "voices"


def endpoint() -> str:
    """The Hub's address (HF_ENDPOINT, for a mirror)."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _check_reachable(first: str, revision: str, timeout: float) -> None:
    """One quick request before anything else: offline, fail at once (huggingface_hub would
    retry with back-off for a minute)."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return  # huggingface_hub answers from its cache or fails at once by itself
    url = f"{endpoint()}/{REPO}/resolve/{revision}/voices/{first}.pt"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return  # the Hub answers; huggingface_hub reports what it says
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise HubUnreachable(
            f"cannot fetch voice {first} from {endpoint()}: the Hub cannot be reached ({reason})"
        ) from exc


def _fetch(voice_id: str, revision: str) -> Path:
    """The `.pt` file of one voice in the Hub cache (downloaded, or resumed, if needed)."""
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(REPO, f"voices/{voice_id}.pt", revision=revision, etag_timeout=CONNECT_TIMEOUT))
    except Exception as exc:  # network, HTTP and cache errors all mean: not fetched
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DownloadFailed(f"cannot fetch voice {voice_id} from {endpoint()}: {reason}") from exc


def _read_pt(path: Path) -> np.ndarray:
    import torch  # only the download pays for torch; the server reads the .bin files

    try:
        tensor = torch.load(path, map_location="cpu", weights_only=True)
        return as_voice(tensor.detach().float().numpy(), str(path))
    except Exception as exc:
        raise DownloadFailed(f"{path.name} from the Hub is not a Kokoro voice: {exc}") from exc


def _write_bin(array: np.ndarray, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(np.ascontiguousarray(array, dtype="<f4").tobytes())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def download_voices(
    dest: Path,
    ids: Iterable[str] | None = None,
    revision: str = REVISION,
    progress: Callable[[str, bool], None] | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> list[str]:
    """Fetch voices (default: the whole catalogue) into `dest`; the ids fetched now.

    `progress(voice_id, fetched)` is told about each voice (fetched False: already there).
    """
    wanted = list(ids) if ids is not None else [v.id for v in catalogue()]
    missing = [v for v in wanted if not (dest / f"{v}.bin").exists()]
    if missing:
        _check_reachable(missing[0], revision, timeout)
    dest.mkdir(parents=True, exist_ok=True)
    fetched = []
    for voice_id in wanted:
        target = dest / f"{voice_id}.bin"
        new = not target.exists()
        if new:
            _write_bin(_read_pt(_fetch(voice_id, revision)), target)
            fetched.append(voice_id)
        if progress is not None:
            progress(voice_id, new)
    return fetched
