"""Pronunciation rules of your account: applied to every generation you make, and no one else's."""

from __future__ import annotations

from typing import Any

from ..openapi import BODY, errors, link, links
from ..security import auth_required, current_caller
from ..services import pronunciations
from . import bp
from .schemas import DeletedSchema, RuleInSchema, RuleListSchema, RuleSchema


@bp.get("/pronunciations")
@auth_required
@bp.response(200, RuleListSchema)
@bp.doc(**errors(401, 503))
def list_rules():
    """Your pronunciation rules, oldest first."""
    return {"rules": pronunciations.list_rules(current_caller()), "limit": pronunciations.MAX_RULES}


@bp.post("/pronunciations")
@auth_required
@bp.arguments(RuleInSchema)
@bp.response(201, RuleSchema)
@bp.doc(**links(201, DeleteRule=link("delete", "/api/tts/pronunciations/{rule_id}", rule_id="$response.body#/id")))
@bp.doc(**errors(*BODY, 401, 409, 503, notes={
    400: "`invalid_rule` (neither or both of alias and phonemes), `invalid_phonemes` (symbols the model "
         "does not know, named), or a field at fault.",
    409: "`duplicate_rule`: you have a rule for this text; `too_many_rules`: you have the most allowed.",
}))
def add_rule(data: dict[str, Any]):
    """Say whole words as other words (`alias`) or as phonemes, in all your generations."""
    return pronunciations.create(current_caller(), data)


@bp.delete("/pronunciations/<int:rule_id>")
@auth_required
@bp.response(200, DeletedSchema)
@bp.doc(**errors(401, 404, 503, notes={404: "`rule_not_found`: no such rule of yours."}))
def delete_rule(rule_id: int):
    """Delete one of your rules."""
    pronunciations.delete(current_caller(), rule_id)
    return {"deleted": 1}
