"""Pronunciation rules of your account: applied to every generation you make, and no one else's."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ..openapi import ATTACHMENT, BODY, errors, link, links
from ..rest import OTHER_BODIES, check_json_values, read_body
from ..security import auth_required, current_caller
from ..services import pls, pronunciations
from ..services.errors import invalid_fields
from . import bp
from .schemas import DeletedSchema, PlsUploadSchema, RuleInSchema, RuleListSchema, RuleSchema

_XML = {"schema": {"type": "string"}}
_EXAMPLE = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" '
            'xml:lang="en-US">\n  <lexeme><grapheme>tomato</grapheme><phoneme>təˈmeɪtoʊ</phoneme></lexeme>\n'
            '  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>\n</lexicon>\n')


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


def _lexicon() -> bytes:
    """The PLS document: the body itself, or the `file` of a multipart form (the page's upload)."""
    if request.mimetype != "multipart/form-data":
        return read_body()
    upload = request.files.get("file")
    if upload is None:
        raise invalid_fields({"file": ["Missing data for required field."]})
    check_json_values({"file": upload.filename or ""})  # a NUL in the name is a 400, as for jobs
    return upload.read()


@bp.post("/pronunciations/import")
@auth_required
@bp.response(201, RuleListSchema, description="The rules added (`rules`), in the lexicon's order.")
@bp.doc(requestBody={"required": True, "content": {
    **{t: {**_XML, "example": _EXAMPLE} for t in OTHER_BODIES["tts.import_rules"] if t.endswith("xml")},
    "multipart/form-data": {"schema": PlsUploadSchema},
}})
@bp.doc(**errors(*BODY, 401, 503, notes={
    400: "`invalid_pls`: not well-formed XML (`details.line`, `details.column`), a DTD or entities (refused: no "
         "entity is expanded), not a `<lexicon>`, or more lexemes than an account has rules; `lexemes_refused`: "
         "nothing was added, `details.lexemes` says why of each lexeme refused (`lexeme`: its position, "
         "`graphemes`, `code`: `invalid_phonemes`, `invalid_rule`, `duplicate_rule` or `too_many_rules`, "
         "`message`); or the `file` field missing.",
    413: "`payload_too_large`: the document is over 1 MiB (or the body over MAX_CONTENT_LENGTH).",
    415: "`unsupported_media_type`: neither a PLS document (application/pls+xml, application/xml, text/xml) "
         "nor a multipart form with its `file`.",
}))
def import_rules():
    """Add a W3C PLS 1.0 lexicon's lexemes as rules, all or none.

    Each grapheme becomes a rule, said as its lexeme's preferred phoneme or alias (the first with
    `prefer="true"`, else the first). Phonemes in `ipa` are mapped to Kokoro's set, `x-kokoro` ones are
    Kokoro's set as stored (what the export writes); other alphabets are refused."""
    added = pronunciations.import_pls(current_caller(), _lexicon())
    return {"rules": added, "limit": pronunciations.MAX_RULES}


@bp.get("/pronunciations/export")
@auth_required
@bp.response(200, content_type=pls.CONTENT_TYPE, description="Your rules as a PLS 1.0 lexicon, an attachment.")
@bp.doc(responses={200: {"content": {pls.CONTENT_TYPE: _XML}, "headers": ATTACHMENT}})
@bp.doc(**errors(401, 503))
def export_rules():
    """Your rules as a W3C PLS 1.0 lexicon, phonemes in Kokoro's set (`alphabet="x-kokoro"`): importing it
    gives the same rules, all case-sensitive (PLS has no case flag; case-insensitive ones say so in a
    comment)."""
    return Response(pronunciations.export_pls(current_caller()), content_type=f"{pls.CONTENT_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="pronunciations.pls"'})
