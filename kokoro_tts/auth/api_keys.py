"""The API key routes: create (the secret shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from flask_jwt_extended import current_user

from ..openapi import BODY, errors, link, links
from ..security import token_required
from ..services import api_keys
from . import bp
from .schemas import ApiKeyCreatedSchema, ApiKeyListSchema, NewApiKeySchema


@bp.post("/api-keys")
@token_required
@bp.arguments(NewApiKeySchema)
@bp.response(201, ApiKeyCreatedSchema)
@bp.doc(**links(201, RevokeApiKey=link("delete", "/api/auth/api-keys/{key_id}", key_id="$response.body#/id")))
@bp.doc(**errors(*BODY, 401, 403, 503, notes={403: "`forbidden`: only an operator may create an admin key."}))
def create_api_key(data: dict[str, Any]):
    """Create a key; the answer is the only time the key itself is shown."""
    return api_keys.create(current_user, data["name"], data["scope"])


@bp.get("/api-keys")
@token_required
@bp.response(200, ApiKeyListSchema)
@bp.doc(**errors(401, 503))
def list_api_keys():
    """The account's keys, without their secrets."""
    return {"items": api_keys.of_user(current_user)}


@bp.delete("/api-keys/<int:key_id>")
@token_required
@bp.response(204)
@bp.doc(**errors(401, 404, 503, notes={404: "`api_key_not_found`: no such key of yours."}))
def delete_api_key(key_id: int):
    """Revoke a key at once."""
    api_keys.revoke(current_user, key_id)
