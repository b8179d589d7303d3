"""Request and response schemas of the operators' API (also its OpenAPI description)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..rest import UTCDateTime
from ..services.operators import STATUSES

REASON = validate.Length(min=1, max=500)
TZ = fields.String(
    load_default="UTC", validate=validate.Length(min=1, max=64),
    metadata={"description": "the IANA time zone of \"this month\" (accounts have none of their own); default UTC"},
)


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AccountQuerySchema(PageQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=255),
                      metadata={"description": "part of the email or the name (any case)"})
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES),
                           metadata={"description": ", ".join(STATUSES)})
    tz = TZ


class DetailQuerySchema(Schema):
    tz = TZ


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    is_active = fields.Boolean(required=True, allow_none=True)
    is_verified = fields.Boolean(required=True, allow_none=True)
    is_admin = fields.Boolean(required=True)
    credits = fields.Integer(required=True, allow_none=True, metadata={"description": "null: unlimited"})
    last_login = UTCDateTime(required=True, allow_none=True, metadata={"description": "null: never"})
    created_at = UTCDateTime(required=True, allow_none=True)
    characters_this_month = fields.Integer(required=True, metadata={"description": "in the time zone `tz`"})


class AccountPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class KeySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    scope = fields.String(required=True)
    created_at = UTCDateTime(required=True)
    last_used_at = UTCDateTime(required=True, allow_none=True)


class TotalsSchema(Schema):
    characters = fields.Integer(required=True)
    seconds = fields.Float(required=True)
    generations = fields.Integer(required=True)


class AccountDetailSchema(AccountSchema):
    api_keys = fields.List(fields.Nested(KeySchema), required=True, metadata={"description": "without secrets"})
    this_month = fields.Nested(TotalsSchema, required=True)


class SetCreditsSchema(Schema):
    credits = fields.Integer(required=True, allow_none=True, strict=True, validate=validate.Range(min=0, max=2**31 - 1),
                             metadata={"description": "the new balance; null: unlimited"})
    reason = fields.String(required=True, validate=REASON, metadata={"description": "kept in the audit log"})


class AddCreditsSchema(Schema):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=-(2**31 - 1), max=2**31 - 1),
                            metadata={"description": "credits to add (negative: to take; never below 0)"})
    reason = fields.String(required=True, validate=REASON, metadata={"description": "kept in the audit log"})


class ReasonSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=REASON,
                           metadata={"description": "kept in the audit log"})


class AuditQuerySchema(PageQuerySchema):
    account = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "only the entries about this account id"})


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    actor = fields.String(required=True, metadata={"description": "the operator's email, or cli / ADMIN_EMAILS"})
    actor_id = fields.Integer(required=True, allow_none=True)
    action = fields.String(required=True, metadata={
        "description": "credits_set, credits_added, activated, deactivated, verified, verification_sent, deleted, "
                       "promoted, demoted"})
    target = fields.String(required=True, allow_none=True, metadata={"description": "the account's email"})
    target_id = fields.Integer(required=True, allow_none=True, metadata={"description": "null once deleted"})
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
