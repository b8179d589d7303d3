"""Links sent by email: verify an address, reset a password.

Signed (itsdangerous, with the app's secret key), they expire (reset: 1 hour, verification: 7
days) and work once, without a table: a reset link carries a fingerprint of the password hash
(any new password ends it), a verification link one of the address and of its state (verified
ends it).

A reset link is mailed in the background (`send_later`), so that the answer to "forgot password"
takes as long whether or not the address has an account; the other messages are sent during the
request (a resend must say when the SMTP server refuses it).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask_mail import Message
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..context import App, per_app, setting, the_app
from ..extensions import db, mail
from ..models import User
from .errors import ServiceError
from .tokens import fingerprint, password_fingerprint

log = logging.getLogger(__name__)
MAX_AGE = {"reset": 3600, "verify": 7 * 24 * 3600}
#: Where an app keeps the threads that send its mail off the request.
OUTBOX_KEY = "kokoro_outbox"
OUTBOX_THREADS = 2


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(setting("SECRET_KEY"), salt=f"kokoro-tts-{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    if purpose == "reset":
        return password_fingerprint(user)
    return fingerprint(f"{user.email.lower()}:{bool(user.is_verified)}")


def link(user: User, purpose: str) -> str:
    """The page's address (PUBLIC_URL, from the configuration only: a request's Host header is the
    sender's to choose) with a fresh token for `purpose` ("reset" or "verify")."""
    token = _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})
    return f"{str(setting('PUBLIC_URL')).rstrip('/')}/?{purpose}={token}"


def user_for(token: str, purpose: str) -> User:
    """The account a link names, if it is genuine, unexpired and unused; else `invalid_link` or `link_expired`."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise ServiceError("link_expired", "This link has expired; ask for a new one.") from None
    except BadSignature:
        raise ServiceError("invalid_link", "This link is not valid.") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or data.get("f") != _fingerprint(user, purpose):
        raise ServiceError("invalid_link", "This link was already used or is no longer valid.")
    return user


def send(to: str, subject: str, body: str) -> bool:
    """Send a message through SMTP (Flask-Mail); without MAIL_SERVER, write it to the log.

    False if the SMTP server refused it or could not be reached (logged).
    """
    if not setting("MAIL_SERVER", None):
        log.warning("email is not configured (MAIL_SERVER); the message to %s:\n%s\n%s", to, subject, body)
        return True
    try:
        mail.send(Message(subject, recipients=[to], body=body))
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        log.error("could not send email to %s: %s", to, exc)
        return False
    return True


def send_later(to: str, subject: str, body: str) -> None:
    """Send a message off the request, in the app's outbox threads: what the SMTP server takes
    (tens of milliseconds, or a time-out) must not show in the answer. Failures are logged."""
    app = the_app()
    outbox = per_app(OUTBOX_KEY, lambda _: ThreadPoolExecutor(OUTBOX_THREADS, thread_name_prefix="outbox"), app)
    outbox.submit(_send_in, app, to, subject, body)


def _send_in(app: App, to: str, subject: str, body: str) -> None:
    """`send` in an app context of its own; nothing may escape unlogged from a background thread."""
    with app.app_context():
        try:
            send(to, subject, body)
        except Exception:
            log.exception("could not send email to %s", to)


def send_verification(user: User) -> bool:
    url = link(user, "verify")
    body = (
        f"Confirm your email address for Kokoro TTS by opening this link (valid 7 days):\n{url}\n\n"
        f"Confirmez votre adresse e-mail pour Kokoro TTS en ouvrant ce lien (valable 7 jours) :\n{url}\n"
    )
    return send(user.email, "Kokoro TTS: confirm your email address", body)


def send_reset(user: User) -> None:
    """The link is made now (it fingerprints the password hash as it is); the mail leaves later."""
    url = link(user, "reset")
    body = (
        f"To choose a new Kokoro TTS password, open this link (valid 1 hour, once):\n{url}\n"
        "If you did not ask for it, ignore this message: your password stays as it is.\n\n"
        f"Pour choisir un nouveau mot de passe Kokoro TTS, ouvrez ce lien (valable 1 heure, une fois) :\n{url}\n"
        "Si vous ne l'avez pas demandé, ignorez ce message : votre mot de passe reste inchangé.\n"
    )
    send_later(user.email, "Kokoro TTS: reset your password", body)
