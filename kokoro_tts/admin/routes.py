"""The operators' routes: accounts (list, detail, credits, state, deletion), usage, the audit log.

Every route is `admin_required`, outermost, so that anyone else hears 403 `forbidden` before any
input of theirs is read. The audit log is only read here: the actions below write it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context

from ..openapi import BODY, errors
from ..schemas import UsageQuerySchema, UsageSchema
from ..security import admin_required, current_caller
from ..services import audit, operators, usage
from . import bp
from .schemas import (
    AccountDetailSchema,
    AccountPageSchema,
    AccountQuerySchema,
    AccountSchema,
    AddCreditsSchema,
    AuditPageSchema,
    AuditQuerySchema,
    DetailQuerySchema,
    ReasonSchema,
    SetCreditsSchema,
)

ACCOUNT = "/accounts/<int:account_id>"
FORBIDDEN = "`forbidden`: not an operator, or an API key without the admin scope."
NOT_FOUND = "`account_not_found`: no account with this id."
USAGE_400 = ("`validation_error` (a date that is not YYYY-MM-DD), `invalid_time_zone` (not an IANA name), "
             "`invalid_range` (`from` after `to`, or more than 366 days).")
READ = {403: FORBIDDEN, 404: NOT_FOUND}


@bp.get("/accounts")
@admin_required
@bp.arguments(AccountQuerySchema, location="query")
@bp.response(200, AccountPageSchema)
@bp.doc(**errors(400, 401, 403, 503, notes={403: FORBIDDEN}))
def list_accounts(query: dict[str, Any]):
    """Accounts, by id, a page at a time: `q` searches email and name, `status` filters; each with the
    characters it spoke this month."""
    return operators.search(query["q"], query["status"], query["page"], query["per_page"], query["tz"])


@bp.get(ACCOUNT)
@admin_required
@bp.arguments(DetailQuerySchema, location="query")
@bp.response(200, AccountDetailSchema)
@bp.doc(**errors(400, 401, 403, 404, 503, notes=READ))
def get_account(query: dict[str, Any], account_id: int):
    """One account: its state, credits, API keys (without secrets) and this month's totals."""
    return operators.detail(account_id, query["tz"])


@bp.put(f"{ACCOUNT}/credits")
@admin_required
@bp.arguments(SetCreditsSchema)
@bp.response(200, AccountSchema)
@bp.doc(**errors(*BODY, 401, 403, 404, 503, notes=READ))
def set_credits(data: dict[str, Any], account_id: int):
    """Set the balance (null: unlimited), with a reason; recorded in the audit log with the balance before."""
    user = operators.set_credits(current_caller(), account_id, data["credits"], data["reason"])
    return operators.summary_of(user)


@bp.post(f"{ACCOUNT}/credits")
@admin_required
@bp.arguments(AddCreditsSchema)
@bp.response(200, AccountSchema)
@bp.doc(**errors(*BODY, 401, 403, 404, 409, 503, notes={
    **READ, 409: "`credits_unlimited`: the account has unlimited credits; set a number instead."}))
def add_credits(data: dict[str, Any], account_id: int):
    """Add credits (negative: take them, never below 0), with a reason; recorded in the audit log."""
    user = operators.add_credits(current_caller(), account_id, data["amount"], data["reason"])
    return operators.summary_of(user)


def _state(account_id: int, active: bool, data: dict[str, Any]) -> dict[str, Any]:
    user = operators.set_active(current_caller(), account_id, active, data["reason"])
    return operators.summary_of(user)


@bp.post(f"{ACCOUNT}/activate")
@admin_required
@bp.arguments(ReasonSchema, required=False)
@bp.response(200, AccountSchema)
@bp.doc(**errors(*BODY, 401, 403, 404, 503, notes=READ))
def activate(data: dict[str, Any], account_id: int):
    """Let the account log in and use its keys again."""
    return _state(account_id, True, data)


@bp.post(f"{ACCOUNT}/deactivate")
@admin_required
@bp.arguments(ReasonSchema, required=False)
@bp.response(200, AccountSchema)
@bp.doc(**errors(*BODY, 401, 403, 404, 409, 503, notes={
    **READ, 409: "`own_account`: operators cannot deactivate themselves."}))
def deactivate(data: dict[str, Any], account_id: int):
    """Stop the account: its tokens, browser sessions and API keys are refused from their next request."""
    return _state(account_id, False, data)


@bp.post(f"{ACCOUNT}/verify")
@admin_required
@bp.arguments(ReasonSchema, required=False)
@bp.response(200, AccountSchema)
@bp.doc(**errors(*BODY, 401, 403, 404, 503, notes=READ))
def mark_verified(data: dict[str, Any], account_id: int):
    """Mark the account's address verified."""
    user = operators.mark_verified(current_caller(), account_id, data["reason"])
    return operators.summary_of(user)


@bp.post(f"{ACCOUNT}/verification")
@admin_required
@bp.response(204)
@bp.doc(**errors(401, 403, 404, 409, 503, notes={
    **READ, 409: "`already_verified`.", 503: "`email_unavailable`: the email could not be sent."}))
def resend_verification(account_id: int):
    """Send the account its verification link again."""
    operators.resend_verification(current_caller(), account_id)


@bp.delete(ACCOUNT)
@admin_required
@bp.arguments(ReasonSchema, required=False)
@bp.response(204)
@bp.doc(**errors(*BODY, 401, 403, 404, 409, 503, notes={
    **READ, 409: "`own_account`: operators cannot delete themselves."}))
def delete_account(data: dict[str, Any], account_id: int):
    """Delete the account and all it owns (history, audio, keys); the audit log keeps its email."""
    operators.delete(current_caller(), account_id, data["reason"])


@bp.get(f"{ACCOUNT}/usage")
@admin_required
@bp.arguments(UsageQuerySchema, location="query")
@bp.response(200, UsageSchema)
@bp.doc(**errors(400, 401, 403, 404, 503, notes={400: USAGE_400, **READ}))
def account_usage(query: dict[str, Any], account_id: int):
    """One account's usage per day and per source (as `GET /api/auth/me/usage` gives its own)."""
    user = operators.account(account_id)
    return usage.usage(usage.span(query["first"], query["last"], query["tz"]), user.id)


@bp.get("/usage")
@admin_required
@bp.arguments(UsageQuerySchema, location="query")
@bp.response(200, UsageSchema)
@bp.doc(**errors(400, 401, 403, 503, notes={400: USAGE_400, 403: FORBIDDEN}))
def service_usage(query: dict[str, Any]):
    """The whole service's usage per day and per source, from `from` to `to` (the last 30 days by default)."""
    return usage.usage(usage.span(query["first"], query["last"], query["tz"]))


@bp.get("/audit")
@admin_required
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, AuditPageSchema)
@bp.doc(**errors(400, 401, 403, 503, notes={403: FORBIDDEN}))
def audit_log(query: dict[str, Any]):
    """The audit log, newest first, a page at a time: every operator action and every credit change
    not caused by a generation (who, when, what, before and after, why). Nothing edits it."""
    return audit.page(query["page"], query["per_page"], query["account"])


@bp.get("/audit.csv")
@admin_required
@bp.arguments(AuditQuerySchema(only=("account",)), location="query")
@bp.response(200, content_type="text/csv", description="The whole log as CSV (before and after as JSON).")
@bp.doc(responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
@bp.doc(**errors(400, 401, 403, 503, notes={403: FORBIDDEN}))
def audit_csv(query: dict[str, Any]):
    """The audit log as a CSV file, newest first."""
    rows = audit.csv_rows(query.get("account"))
    return Response(stream_with_context(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
