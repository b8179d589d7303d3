"""PLS 1.0 lexicons in and out of an account's pronunciation rules, through the API on PostgreSQL:
imported all or nothing, exported so that they come back the same, hostile XML refused cleanly."""

from __future__ import annotations

import io
import time

import pytest
from lxml import etree

from kokoro_tts.extensions import db
from kokoro_tts.models import PronunciationRule, User
from kokoro_tts.services.pls import MAX_BYTES
from kokoro_tts.services.pronunciations import MAX_RULES
from tests.support import pls
from tests.support.pls import ALIASES, EXPECTED, GRAPHEMES, TOMATO, lexicon

pytestmark = pytest.mark.api

RULES = "/api/tts/pronunciations"
IMPORT, EXPORT = f"{RULES}/import", f"{RULES}/export"
PLS_TYPE = {"Content-Type": "application/pls+xml"}
NS = "{http://www.w3.org/2005/01/pronunciation-lexicon}"
OTHER = "bob@example.com"


def send(client, headers, document: bytes, content_type: str = "application/pls+xml"):
    return client.post(IMPORT, data=document, headers={**headers, "Content-Type": content_type})


def rules_of(client, headers) -> list[tuple]:
    rules = client.get(RULES, headers=headers).json["rules"]
    return [(r["text"], r["alias"], r["phonemes"], r["case_sensitive"]) for r in rules]


def refusal(response, code: str) -> dict:
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == code, error
    return error


def test_the_specifications_examples_import_export_and_come_back_the_same(client, auth):
    mine = auth.headers()
    added = []
    for document, content_type in ((TOMATO, "application/pls+xml"), (ALIASES, "application/xml"),
                                   (GRAPHEMES, "text/xml")):
        response = send(client, mine, document, content_type)
        assert response.status_code == 201, response.json
        assert response.json["limit"] == MAX_RULES
        added += [r["text"] for r in response.json["rules"]]
    assert added == list(EXPECTED)  # each grapheme a rule, in the lexicon's order
    assert rules_of(client, mine) == [(text, alias, phonemes, True) for text, (alias, phonemes) in EXPECTED.items()]

    exported = client.get(EXPORT, headers=mine)
    assert exported.status_code == 200
    assert exported.mimetype == "application/pls+xml"
    assert exported.headers["Content-Disposition"] == 'attachment; filename="pronunciations.pls"'
    root = etree.fromstring(exported.data)
    assert root.tag == f"{NS}lexicon" and root.get("version") == "1.0" and root.get("alphabet") == "x-kokoro"
    assert [g.text for g in root.iter(f"{NS}grapheme")] == list(EXPECTED)

    theirs = auth.headers(OTHER)
    again = send(client, theirs, exported.data)
    assert again.status_code == 201, again.json
    assert rules_of(client, theirs) == rules_of(client, mine)
    assert client.get(EXPORT, headers=theirs).data == exported.data


def test_the_page_uploads_a_file_as_a_form(client, auth):
    headers = auth.headers()
    form = {"file": (io.BytesIO(ALIASES), "terms.pls")}
    response = client.post(IMPORT, data=form, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert [r["text"] for r in response.json["rules"]] == ["JPL", "W3C"]
    missing = client.post(IMPORT, data={"other": "x"}, headers=headers, content_type="multipart/form-data")
    assert refusal(missing, "validation_error")["details"]["fields"] == {"file": ["Missing data for required field."]}


def test_an_exported_case_insensitive_rule_says_so_and_comes_back_case_sensitive(client, auth):
    mine, theirs = auth.headers(), auth.headers(OTHER)
    assert client.post(RULES, json={"text": "sql", "alias": "sequel", "case_sensitive": False},
                       headers=mine).status_code == 201
    exported = client.get(EXPORT, headers=mine).data
    assert b"case-insensitive" in exported
    assert send(client, theirs, exported).status_code == 201
    assert rules_of(client, theirs) == [("sql", "sequel", None, True)]


def test_an_empty_account_exports_an_empty_lexicon_that_imports(client, auth):
    headers = auth.headers()
    exported = client.get(EXPORT, headers=headers).data
    assert etree.fromstring(exported).findall(f"{NS}lexeme") == []
    response = send(client, headers, exported)
    assert response.status_code == 201 and response.json["rules"] == []


def test_one_bad_lexeme_adds_nothing_and_is_named(client, auth):
    headers = auth.headers()
    document = lexicon("""
      <lexeme><grapheme>fine</grapheme><phoneme>faɪn</phoneme></lexeme>
      <lexeme><grapheme>click</grapheme><phoneme>ǃa</phoneme></lexeme>
      <lexeme><grapheme>silent</grapheme></lexeme>
      <lexeme><grapheme>sampa</grapheme><phoneme alphabet="x-sampa">s{mp@</phoneme></lexeme>
    """)
    error = refusal(send(client, headers, document), "lexemes_refused")
    assert error["message"] == "Nothing was added. Lexemes refused: 2 (click), 3 (silent), 4 (sampa)."
    lexemes = error["details"]["lexemes"]
    assert [(r["lexeme"], r["graphemes"], r["code"]) for r in lexemes] == [
        (2, ["click"], "invalid_phonemes"), (3, ["silent"], "invalid_rule"), (4, ["sampa"], "invalid_phonemes")]
    assert lexemes[0]["message"] == "lexeme 2: symbols ǃ are not in the model's phoneme set"
    assert "'x-sampa' is not supported" in lexemes[2]["message"]
    assert error["details"]["refused"] == 3
    assert rules_of(client, headers) == []


def test_refusals_are_said_in_the_readers_language(client, auth):
    headers = {**auth.headers(), "Accept-Language": "fr"}
    document = lexicon("<lexeme><grapheme>click</grapheme><phoneme>ǃa</phoneme></lexeme>")
    error = refusal(send(client, headers, document), "lexemes_refused")
    assert error["message"].startswith("Rien n’a été ajouté")
    assert error["details"]["lexemes"][0]["message"].startswith("lexème 1\u202f:")


def test_duplicates_are_refused_whether_already_there_or_twice_in_the_lexicon(client, auth):
    headers = auth.headers()
    assert client.post(RULES, json={"text": "W3C", "alias": "the consortium"}, headers=headers).status_code == 201
    error = refusal(send(client, headers, ALIASES), "lexemes_refused")
    assert [(r["lexeme"], r["code"]) for r in error["details"]["lexemes"]] == [(2, "duplicate_rule")]
    twice = lexicon("""
      <lexeme><grapheme>tomato</grapheme><phoneme>təˈmeɪtoʊ</phoneme></lexeme>
      <lexeme><grapheme>tomato</grapheme><phoneme>təˈmɑːtəʊ</phoneme></lexeme>
      <lexeme><grapheme>colour</grapheme><grapheme>colour</grapheme><alias>color</alias></lexeme>
    """)
    error = refusal(send(client, headers, twice), "lexemes_refused")
    assert [(r["lexeme"], r["code"]) for r in error["details"]["lexemes"]] == [
        (2, "duplicate_rule"), (3, "duplicate_rule")]
    assert error["details"]["lexemes"][0]["message"] == "The lexicon has 'tomato' twice (lexeme 1 first)."
    assert rules_of(client, headers) == [("W3C", "the consortium", None, True)]


def _fill(app, email: str, count: int) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        db.session.add_all(PronunciationRule(user_id=user.id, text=f"w{i}", alias="x") for i in range(count))
        db.session.commit()


def test_past_the_limit_nothing_is_added(app, client, auth):
    headers = auth.headers()
    _fill(app, "ada@example.com", MAX_RULES - 3)
    error = refusal(send(client, headers, GRAPHEMES), "lexemes_refused")  # 7 rules where 3 fit
    # Lexeme 1 fits (2 rules), lexeme 2 (2 rules) does not, and nothing after it does.
    assert [(r["lexeme"], r["code"]) for r in error["details"]["lexemes"]] == [
        (2, "too_many_rules"), (3, "too_many_rules"), (4, "too_many_rules")]
    assert len(rules_of(client, headers)) == MAX_RULES - 3
    assert send(client, headers, TOMATO).status_code == 201  # 2 fit


def test_more_graphemes_than_an_account_holds_is_not_read(client, auth):
    headers = auth.headers()
    body = "".join(f"<lexeme><grapheme>w{i}</grapheme><alias>x</alias></lexeme>" for i in range(MAX_RULES + 1))
    error = refusal(send(client, headers, lexicon(body)), "invalid_pls")
    assert str(MAX_RULES) in error["message"]
    assert rules_of(client, headers) == []


def test_malformed_xml_is_refused_with_its_line_and_column(client, auth):
    headers = auth.headers()
    broken = lexicon("<lexeme><grapheme>a</grapheme><alias>b</lexeme>\n")
    error = refusal(send(client, headers, broken), "invalid_pls")
    line = broken.decode().splitlines().index("<lexeme><grapheme>a</grapheme><alias>b</lexeme>") + 1
    assert error["details"] == {"line": line, "column": 41}  # where the end tag's name starts, from 1
    assert f"line {line}, column 41" in error["message"]
    for document in (b"", b"not xml", "<lexicon>é".encode("latin-1")):
        refusal(send(client, headers, document), "invalid_pls")
    assert "not a PLS lexicon" in refusal(send(client, headers, b"<html/>"), "invalid_pls")["message"]
    assert rules_of(client, headers) == []


@pytest.mark.parametrize("document", [pls.BILLION_LAUGHS, pls.external_entity("/etc/passwd"), pls.EXTERNAL_DTD],
                         ids=["billion-laughs", "external-entity", "external-dtd"])
def test_entities_and_dtds_are_refused_before_anything_is_expanded(client, auth, document):
    headers = auth.headers()
    started = time.monotonic()
    error = refusal(send(client, headers, document), "invalid_pls")
    assert time.monotonic() - started < 5
    assert error["message"] == "A PLS document may not declare a DTD or entities."
    assert rules_of(client, headers) == []


def test_a_document_too_large_or_not_xml_is_refused(app, client, auth):
    headers = auth.headers()
    padding = "<!-- " + "x" * MAX_BYTES + " -->"
    too_large = send(client, headers, lexicon(padding))
    assert too_large.status_code == 413 and too_large.json["error"]["code"] == "payload_too_large"
    as_json = client.post(IMPORT, json={"text": "a"}, headers=headers)
    assert as_json.status_code == 415 and as_json.json["error"]["code"] == "unsupported_media_type"
    assert "application/pls+xml" in as_json.json["error"]["message"]
    assert client.post(IMPORT, data=ALIASES, headers=PLS_TYPE).status_code == 401
    assert client.get(EXPORT).status_code == 401
    assert rules_of(client, headers) == []


def test_ipa_follows_the_lexicons_language(client, auth):
    headers = auth.headers()
    spanish = lexicon("<lexeme><grapheme>perro</grapheme><phoneme>ˈpero</phoneme></lexeme>", lang="es")
    english = lexicon("<lexeme><grapheme>error</grapheme><phoneme>ˈerər</phoneme></lexeme>")
    assert send(client, headers, spanish).status_code == 201
    assert send(client, headers, english).status_code == 201
    assert rules_of(client, headers) == [("perro", None, "pˈero", True), ("error", None, "ˈeɹəɹ", True)]


def test_a_plain_message_of_a_refused_lexeme_is_said_too(client, auth):
    headers = {**auth.headers(), "Accept-Language": "fr"}
    document = lexicon("<lexeme><grapheme>blank</grapheme><alias> </alias></lexeme>")
    lexeme = refusal(send(client, headers, document), "lexemes_refused")["details"]["lexemes"][0]
    assert (lexeme["code"], lexeme["message"]) == ("invalid_rule", "L’alias est vide.")
