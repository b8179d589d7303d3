"""The web page: one HTML page served at `/`, its script (ES modules) and style from this
package at /assets/ (nothing from another host), talking to the JSON API with the session cookie."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from jinja2.utils import htmlsafe_json_dumps
from werkzeug.wrappers import Response as BaseResponse

from ..context import get_engine
from ..locales import LOCALES, NAMES
from .i18n import Catalogue, strings

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

#: No inline script or style, nothing from elsewhere; audio from this origin or a blob (MediaSource).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/")
def index() -> Response:
    locale = str(get_locale())
    # The template reads its strings from a Catalogue (only ever strings); the script, the same
    # strings as JSON, ready for the page (HTML-safe, as the tojson filter writes it).
    page = render_template(
        "index.html", locale=locale, strings=Catalogue(strings(locale)),
        strings_json=htmlsafe_json_dumps(strings(locale), dumps=current_app.json.dumps),
        locales=NAMES,
        mail_configured=bool(current_app.config.get("MAIL_SERVER")),
        max_chars=get_engine().settings.max_chars,  # the engine's settings; no model is loaded
    )
    response = Response(page, mimetype="text/html")
    if request.args.get("lang") in LOCALES:  # the switch on the page: remembered
        response.set_cookie("lang", locale, max_age=365 * 24 * 3600, samesite="Lax")
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers ask for /favicon.ico whatever the page links: the page's own icon."""
    response = redirect(url_for("web.static", filename="favicon.svg"), code=301)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.after_request
def security_headers(response: BaseResponse) -> BaseResponse:
    """On the page and its files: the CSP, no sniffing, no referrer to other sites, no framing."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response
