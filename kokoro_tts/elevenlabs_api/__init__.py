"""ElevenLabs-compatible speech API under /v1, so that ElevenLabs' SDKs and the agent frameworks
built on them work against this service with `base_url` set to it and an API key of ours as
their key (sent in `xi-api-key`).

Errors here come in ElevenLabs' shape (see `errors.error_shape`).
"""

from ..rest import Blueprint

__all__ = ["bp", "ws_bp"]

bp = Blueprint(
    "elevenlabs", __name__, url_prefix="/v1",
    description="ElevenLabs-compatible speech endpoints (authenticate with an API key in `xi-api-key`)",
)

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
from .socket import ws_bp  # noqa: E402
