"""Who is calling: a JWT access token or an API key, both as `Authorization: Bearer`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_jwt_extended import current_user, verify_jwt_in_request

from ..models import User
from .api_keys import is_api_key, user_for_key


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def caller(optional: bool = False) -> User | None:
    """The authenticated user (JWT or API key); None only when `optional` and no credentials."""
    if "caller" in g:
        return g.caller
    token = _bearer()
    if token and is_api_key(token):
        user: User | None = user_for_key(token)
    else:
        # Raises the usual 401s (missing, expired, revoked ...) through the JWT loaders.
        found = verify_jwt_in_request(optional=optional)
        user = current_user if found else None
    g.caller = user
    return user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like `jwt_required()`, but an API key also gets in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caller()
        return view(*args, **kwargs)

    return wrapper


def rate_limit_key() -> str:
    """Per-account rate limits (after authentication); the address otherwise."""
    user = g.get("caller")
    return f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"
