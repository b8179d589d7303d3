"""The API key routes: create (the secret shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from flask_jwt_extended import current_user

from ..rest import MAX_ID
from ..security import token_required
from ..services import api_keys
from . import bp
from .schemas import ApiKeyCreatedSchema, ApiKeyListSchema, NewApiKeySchema


@bp.post("/api-keys")
@token_required
@bp.arguments(NewApiKeySchema)
@bp.response(201, ApiKeyCreatedSchema)
def create_api_key(data: dict[str, Any]):
    """Create a key; the answer is the only time the key itself is shown."""
    return api_keys.create(current_user, data["name"])


@bp.get("/api-keys")
@token_required
@bp.response(200, ApiKeyListSchema)
def list_api_keys():
    """The account's keys, without their secrets."""
    return {"items": api_keys.of_user(current_user)}


@bp.delete(f"/api-keys/<int(max={MAX_ID}):key_id>")
@token_required
@bp.response(204)
def delete_api_key(key_id: int):
    """Revoke a key at once."""
    api_keys.revoke(current_user, key_id)
