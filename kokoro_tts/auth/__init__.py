"""Accounts over HTTP: registration, login, tokens, preferences, API keys (routes over the
account services)."""

from ..rest import Blueprint

bp = Blueprint(
    "auth", __name__, url_prefix="/api/auth", description="Accounts and access tokens"
)

from . import api_keys, routes  # noqa: E402,F401  (they attach themselves to bp)
