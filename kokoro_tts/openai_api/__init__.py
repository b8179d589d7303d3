"""OpenAI-compatible speech API under /v1, so that OpenAI's SDKs and the programs
built on them work against this service with an API key as their `api_key`.

Errors here come in OpenAI's shape (see `errors.OPENAI_PREFIX`).
"""

from ..rest import Blueprint

bp = Blueprint(
    "openai", __name__, url_prefix="/v1",
    description="OpenAI-compatible speech endpoints (authenticate with an API key)",
)

from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
