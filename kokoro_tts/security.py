"""Who is calling, and the guards routes put on.

Two kinds of credentials, both sent as `Authorization: Bearer`: a JWT access token (people and
the account routes) and an API key (programs, speech routes; also in ElevenLabs' `xi-api-key`
header). The web page's JWT comes in an
HttpOnly cookie instead (`POST /api/auth/session`), and every write with it must carry the CSRF
double-submit header, or it is a 403 `csrf_failed`. Bearer security is declared once
for the whole OpenAPI document; public routes say so with `rest.PUBLIC`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, g, request
from flask_jwt_extended import current_user, get_jwt_request_location, jwt_required, verify_jwt_in_request
from flask_jwt_extended.exceptions import CSRFError

from .engine.errors import Message
from .errors import refusal
from .extensions import jwt
from .locales import preferred
from .models import User
from .services import api_keys, tokens
from .services.errors import CredentialsRefused, ServiceError

View = TypeVar("View", bound=Callable[..., Any])


#: ElevenLabs' header for an API key: its SDKs send our API keys in it.
XI_API_KEY = "xi-api-key"


def _bearer() -> str | None:
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    return auth.token.strip()


def caller(optional: bool = False) -> User | None:
    """The authenticated user (JWT or API key); None only when `optional` and no credentials."""
    if "caller" in g:
        return g.caller
    token = _bearer()
    user: User | None
    xi_key = request.headers.get(XI_API_KEY, "").strip()
    key_text = xi_key if xi_key and not token else token if token and api_keys.is_api_key(token) else None
    if key_text:  # `xi-api-key` (ElevenLabs' clients) takes only an API key
        key, user = api_keys.key_and_user(key_text)
        g.key_scope = key.scope
    else:
        # Raises the usual 401s (missing, expired, revoked ...) through the JWT loaders.
        found = verify_jwt_in_request(optional=optional)
        user = current_user if found else None
    g.caller = user
    _remember_language(user)
    return user


def by_page() -> bool:
    """Whether the caller came with the web page's session cookie (its generations' source: page)."""
    return get_jwt_request_location() == "cookies"


def current_caller() -> User:
    """The caller of a guarded route."""
    user = caller()
    assert user is not None  # caller() without `optional` raises instead
    return user


def auth_required(view: View) -> View:
    """Guard a route: a JWT access token or an API key gets in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caller()
        return view(*args, **kwargs)

    return cast(View, wrapper)


def admin_required(view: View) -> View:
    """Guard an admin route: an operator's token or session, or an operator's key of the admin scope;
    anyone else authenticated is refused with 403 `forbidden`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_caller()
        if not user.is_admin:
            raise ServiceError("forbidden", "Only an operator of this service can do this.")
        if g.get("key_scope", api_keys.ADMIN) != api_keys.ADMIN:
            raise ServiceError("forbidden", "This API key was not created with the admin scope.")
        return view(*args, **kwargs)

    return cast(View, wrapper)


def token_required(view: View) -> View:
    """Guard an account route: only a JWT access token gets in (an API key cannot manage its account)."""
    return cast(View, jwt_required()(view))


def rate_limit_key() -> str:
    """Per-account rate limits (after authentication); the address otherwise."""
    user = g.get("caller")
    return f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"


def _token_user(payload: dict[str, Any]) -> User | None:
    """The account a token names, read once per request."""
    if "token_user" not in g:
        g.token_user = tokens.token_user(payload)
        _remember_language(g.token_user)
    return g.token_user


def _remember_language(user: User | None) -> None:
    """The account's language, read while the account is fresh: a message said later (say, once
    the database has gone away) must not need the database to choose its language."""
    if user is not None and "account_language" not in g:
        g.account_language = preferred(user)


def _refused(code: str, message: str) -> Response:
    return refusal(CredentialsRefused(code, message))


def register_jwt_callbacks(app: Flask) -> None:
    """Every token refusal answers in the API's error envelope, its status from the one table."""

    @jwt.token_in_blocklist_loader
    def _is_refused(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        g.token_rejection = tokens.rejection(_token_user(payload), payload)
        return g.token_rejection is not None

    @jwt.user_lookup_loader
    def _user(_header: dict[str, Any], payload: dict[str, Any]) -> User | None:
        return _token_user(payload)

    @jwt.revoked_token_loader
    def _revoked(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
        return _refused(*(g.get("token_rejection") or ("token_revoked", "Token refused.")))

    @jwt.user_lookup_error_loader
    def _no_user(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
        return _refused("user_not_found", "The account of this token no longer exists.")

    @jwt.expired_token_loader
    def _expired(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
        return _refused("token_expired", "The access token has expired; log in again.")

    @jwt.invalid_token_loader
    def _invalid(reason: str) -> Response:
        return _refused("invalid_token", f"The access token is not valid: {reason}.")

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return refusal(ServiceError(
            "csrf_failed", Message("{reason}: a write with the session cookie must send its X-CSRF-TOKEN header.",
                                   reason=str(error))
        ))

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        return _refused(
            "missing_token", f"Authentication required: {reason}. Send 'Authorization: Bearer <token>'."
        )
