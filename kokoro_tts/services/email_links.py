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
from datetime import timedelta

from flask_babel import force_locale, format_timedelta, get_locale
from flask_mail import Message as Email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..context import App, per_app, setting, the_app
from ..engine.errors import Message
from ..extensions import db, mail
from ..locales import preferred
from ..models import User
from ..translate import N_, say
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
        mail.send(Email(subject, recipients=[to], body=body))
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


VERIFY_SUBJECT = N_("Kokoro TTS: confirm your email address")
VERIFY_BODY = N_("Confirm your email address for Kokoro TTS by opening this link (valid {valid}):\n{url}\n")
RESET_SUBJECT = N_("Kokoro TTS: reset your password")
RESET_BODY = N_("To choose a new Kokoro TTS password, open this link (valid {valid}, once):\n{url}\n"
                "If you did not ask for it, ignore this message: your password stays as it is.\n")


def _compose(user: User, purpose: str, subject: str, body: str) -> tuple[str, str]:
    """A message in its reader's language (theirs if they chose one, else this request's), its
    link made now (a reset link fingerprints the password hash as it is)."""
    url = link(user, purpose)
    with force_locale(preferred(user) or str(get_locale())):
        valid = format_timedelta(timedelta(seconds=MAX_AGE[purpose]), threshold=1)
        return say(subject), say(Message(body, valid=valid, url=url))


def send_verification(user: User) -> bool:
    subject, body = _compose(user, "verify", VERIFY_SUBJECT, VERIFY_BODY)
    return send(user.email, subject, body)


def send_reset(user: User) -> None:
    """Composed now, in the request; the mail leaves later."""
    subject, body = _compose(user, "reset", RESET_SUBJECT, RESET_BODY)
    send_later(user.email, subject, body)
