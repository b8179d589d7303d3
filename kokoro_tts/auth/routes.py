"""The account routes: the original service's four (register, login, me, preferences), plus
logout, password change and account deletion."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_jwt_extended import (
    current_user,
    get_jwt,
    get_jwt_request_location,
    set_access_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import CSRFError, JWTExtendedException
from jwt.exceptions import PyJWTError
from sqlalchemy.exc import IntegrityError

from ..extensions import db, limiter
from ..models import User
from ..openapi import BODY, errors
from ..rest import PUBLIC
from ..schemas import UsageQuerySchema, UsageSchema
from ..security import auth_required, current_caller, token_required
from ..services import accounts, usage
from ..services.tokens import issue_token, revoke_token
from ..translate import N_, say
from . import bp
from .schemas import (
    ChangePasswordSchema,
    ForgotPasswordSchema,
    LoginSchema,
    MeSchema,
    MessageSchema,
    PasswordSchema,
    PreferencesAnswerSchema,
    PreferencesSchema,
    RegisterSchema,
    ResetPasswordSchema,
    SessionSchema,
    TokenSchema,
    UserSchema,
    VerifyEmailSchema,
)

#: What login-like and register-like routes document (the bearer and the browser-session ones).
LOGIN_ERRORS = errors(*BODY, 401, 403, 429, 503, notes={
    401: "`invalid_credentials`: incorrect email or password.",
    403: "`account_inactive`: this account is deactivated.",
})
REGISTER_ERRORS = errors(*BODY, 409, 429, 503, notes={409: "`email_taken`: an account with this email exists."})


def _session_response(user: User, status: int = 200) -> Response:
    """The browser's answer: the user in the body, a new token only in the HttpOnly cookie, which
    lives as long as the token (flask-jwt-extended's default is a year)."""
    response = jsonify({"token_type": "cookie", "user": MeSchema().dump(user)})  # the page's: is_admin too
    response.status_code = status
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    set_access_cookies(response, issue_token(user), max_age=int(lifetime.total_seconds()))
    return response


def _token_response(user: User) -> dict[str, Any] | Response:
    """A new token in the body; for a caller that came with the session cookie, in a new cookie
    instead (scripts of the page never see a token)."""
    if get_jwt_request_location() == "cookies":
        return _session_response(user)
    return {"access_token": issue_token(user), "token_type": "bearer", "user": user}


def _commit_revocation() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # the same token logged out twice at once: it is revoked
        db.session.rollback()


def password_check_key() -> str:
    """Password confirmations are limited per account, like logins per address."""
    return f"password:{current_user.id}"


def account_key() -> str:
    """The account a login or a reset names (its email, as accounts are found), else the address.

    Logins and resets are limited per address and per account (OWASP's guidance): one address
    cannot lock everyone out, and an attacker going through addresses still meets the account's.
    """
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else None
    if isinstance(email, str) and email.strip():
        return f"account:{email.strip().lower()}"
    return f"ip:{request.remote_addr}"


def _refused_credentials(response: Response) -> bool:
    return response.status_code == 401


def login_limits(view: Any) -> Any:
    """LOGIN_RATE_LIMIT per address (every attempt), LOGIN_ACCOUNT_RATE_LIMIT per account (failures)."""
    per_account = limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], key_func=account_key,
                                deduct_when=_refused_credentials)
    return limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])(per_account(view))


@bp.post("/register")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@bp.arguments(RegisterSchema)
@bp.response(201, TokenSchema)
@bp.doc(**PUBLIC)
@bp.doc(**REGISTER_ERRORS)
def register(data: dict[str, Any]):
    """Create an account and return an access token for it."""
    return _token_response(accounts.register(data["email"], data["password"], data["name"]))


@bp.post("/login")
@login_limits
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
@bp.doc(**PUBLIC)
@bp.doc(**LOGIN_ERRORS)
def login(data: dict[str, Any]):
    """Exchange email and password for an access token."""
    return _token_response(accounts.authenticate(data["email"], data["password"]))


@bp.get("/me")
@token_required
@bp.response(200, MeSchema)
@bp.doc(**errors(401, 503))
def me():
    """The account of the token's owner."""
    return current_user


@bp.get("/me/usage")
@auth_required
@bp.arguments(UsageQuerySchema, location="query")
@bp.response(200, UsageSchema)
@bp.doc(**errors(400, 401, 503, notes={
    400: "`validation_error` (a date that is not YYYY-MM-DD), `invalid_time_zone` (not an IANA name), "
         "`invalid_range` (`from` after `to`, or more than 366 days).",
}))
def my_usage(query: dict[str, Any]):
    """Your characters, seconds of audio and generations per day and per source, from `from` to `to`
    (the last 30 days by default), counted in the days of the time zone `tz` (default UTC)."""
    return usage.usage(usage.span(query["first"], query["last"], query["tz"]), current_caller().id)


@bp.put("/preferences")
@token_required
@bp.arguments(PreferencesSchema)
@bp.response(200, PreferencesAnswerSchema)
@bp.doc(**errors(*BODY, 401, 503))
def update_preferences(changes: dict[str, Any]):
    """Merge `default_voice` and `default_speed` into the preferences (null removes one).

    `default_voice` must be a catalogue voice (or one a loaded pack has), or a blend of them. A
    catalogue voice this server cannot speak yet is kept (it may be installed later), and
    `notices` says so.
    """
    return accounts.update_preferences(current_user, changes)


@bp.post("/logout")
@token_required
@bp.response(200, MessageSchema)
@bp.doc(**errors(401, 503))
def logout():
    """End this token; others of the account stay valid."""
    revoke_token(get_jwt())
    _commit_revocation()
    return {"message": say(N_("Logged out."))}


@bp.post("/session")
@login_limits
@bp.arguments(LoginSchema)
@bp.response(200, SessionSchema)
@bp.doc(**PUBLIC)
@bp.doc(**LOGIN_ERRORS)
def open_session(data: dict[str, Any]):
    """Log in for a browser: the access token is set as an `HttpOnly`, `SameSite=Lax` cookie
    (`Secure` in production), never in the body, with a readable `csrf_access_token` cookie whose
    value every write must send back as the `X-CSRF-TOKEN` header (403 `csrf_failed` without)."""
    return _session_response(accounts.authenticate(data["email"], data["password"]))


@bp.post("/session/register")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"])
@bp.arguments(RegisterSchema)
@bp.response(201, SessionSchema)
@bp.doc(**PUBLIC)
@bp.doc(**REGISTER_ERRORS)
def register_session(data: dict[str, Any]):
    """Create an account and open a browser session for it (the cookies of `POST /session`)."""
    return _session_response(accounts.register(data["email"], data["password"], data["name"]), 201)


@bp.delete("/session")
@bp.response(204)
@bp.doc(**PUBLIC)
@bp.doc(**errors(403, 503, notes={403: "`csrf_failed`: the session cookie came without its `X-CSRF-TOKEN`."}))
def close_session():
    """Log out of a browser: the session's token is revoked and its cookies cleared (an expired
    or already revoked session only has its cookies cleared)."""
    try:
        if verify_jwt_in_request(optional=True, locations=["cookies"]):
            revoke_token(get_jwt())
            _commit_revocation()
    except CSRFError:
        raise
    except (JWTExtendedException, PyJWTError):
        pass  # nothing left to revoke
    response = Response(status=204)
    unset_jwt_cookies(response)
    return response


@bp.put("/password")
@token_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=password_check_key)
@bp.arguments(ChangePasswordSchema)
@bp.response(200, TokenSchema)
@bp.doc(**errors(*BODY, 401, 403, 429, 503, notes={403: "`wrong_password`: `current_password` is not correct."}))
def change_password(data: dict[str, Any]):
    """Change the password; every token and API key issued before stops working. Returns a new token."""
    user = accounts.change_password(current_user, data["current_password"], data["new_password"])
    return _token_response(user)


@bp.delete("/me")
@token_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=password_check_key)
@bp.arguments(PasswordSchema)
@bp.response(200, MessageSchema)
@bp.doc(**errors(*BODY, 401, 403, 429, 503, notes={403: "`wrong_password`: `password` is not correct."}))
def delete_account(data: dict[str, Any]):
    """Delete the account and everything it owns (history, audio, keys); the password confirms it."""
    accounts.delete(current_user, data["password"])
    return {"message": say(N_("Account deleted."))}


@bp.post("/password/forgot")
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_RATE_LIMIT"])
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_ACCOUNT_RATE_LIMIT"], key_func=account_key)
@bp.arguments(ForgotPasswordSchema)
@bp.response(202, MessageSchema)
@bp.doc(**PUBLIC)
@bp.doc(**errors(*BODY, 429, 503))
def forgot_password(data: dict[str, Any]):
    """Mail a single-use link (valid 1 hour) to choose a new password. The answer is the same
    whether or not an account has this address."""
    accounts.request_password_reset(data["email"])
    return {"message": say(N_("If an account has this address, a link to reset its password is on its way."))}


@bp.post("/password/reset")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@bp.arguments(ResetPasswordSchema)
@bp.response(200, MessageSchema)
@bp.doc(**PUBLIC)
@bp.doc(**errors(*BODY, 429, 503, notes={400: "`invalid_link` (forged or already used), `link_expired`."}))
def reset_password(data: dict[str, Any]):
    """Set a new password with the emailed link's token; every older session, token and API key
    of the account stops working, like a password change."""
    accounts.reset_password(data["token"], data["new_password"])
    return {"message": say(N_("Password changed; log in with the new one."))}


@bp.post("/verify")
@bp.arguments(VerifyEmailSchema)
@bp.response(200, UserSchema)
@bp.doc(**PUBLIC)
@bp.doc(**errors(*BODY, 503, notes={400: "`invalid_link` (forged or already used), `link_expired`."}))
def verify_email(data: dict[str, Any]):
    """Mark the address verified with the emailed link's token (sent at registration)."""
    return accounts.verify_email(data["token"])


@bp.post("/verify/resend")
@token_required
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_RATE_LIMIT"], key_func=password_check_key)
@bp.response(202, MessageSchema)
@bp.doc(**errors(401, 409, 429, 503, notes={409: "`already_verified`.", 503: "`email_unavailable` too."}))
def resend_verification():
    """Send the verification link again."""
    accounts.resend_verification(current_user)
    return {"message": say(N_("A verification link is on its way."))}
