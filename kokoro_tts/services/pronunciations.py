"""Pronunciation rules of an account: list, add (checked), delete, and the engine's form of them.

A rule's phonemes are checked against the model's vocabulary when it is added, so a rule never
makes a generation fail later. Rules apply to their account's generations only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..engine import EngineError
from ..engine.errors import Message
from ..engine.pronounce import PronunciationRule as EngineRule
from ..engine.pronounce import check_phonemes
from ..extensions import db
from ..models import PronunciationRule, User
from . import pls
from .errors import ServiceError
from .owned import owned

MAX_RULES = 500
#: The longest text a rule replaces, and the longest alias or phonemes (the columns' sizes).
MAX_TEXT, MAX_SAID = 100, 500
#: Refused lexemes named in an import's refusal, at most (its `details.refused` counts them all).
MAX_NAMED = 50


def list_rules(user: User) -> list[PronunciationRule]:
    query = select(PronunciationRule).where(PronunciationRule.user_id == user.id).order_by(PronunciationRule.id)
    return list(db.session.scalars(query))


#: A rule checked: its text, alias and phonemes.
Entry = tuple[str, str | None, str | None]


def _checked(data: dict[str, object]) -> Entry:
    text = " ".join(str(data["text"]).split())
    alias, phonemes = data.get("alias"), data.get("phonemes")
    if not text:
        raise ServiceError("invalid_rule", "A rule needs the text it replaces.", {"fields": {"text": ["empty"]}})
    if (alias is None) == (phonemes is None):
        raise ServiceError("invalid_rule", "A rule has either an alias or phonemes, not both nor neither.")
    if alias is not None and not str(alias).strip():
        raise ServiceError("invalid_rule", "The alias is empty.", {"fields": {"alias": ["empty"]}})
    _check_lengths(text, alias, phonemes)
    if phonemes is not None:
        try:
            phonemes = check_phonemes(str(phonemes), f"phonemes {phonemes!r}")
        except EngineError as exc:
            raise ServiceError(exc.code, exc.message, {"fields": {"phonemes": [exc.message]}}) from exc
    return text, (str(alias).strip() if alias is not None else None), phonemes


def _check_lengths(text: str, alias: object, phonemes: object) -> None:
    """The columns' sizes (the JSON route's schema says them too; a lexicon is read here only)."""
    if len(text) > MAX_TEXT:
        raise ServiceError("invalid_rule", Message("A rule's text is at most {n} characters.", n=MAX_TEXT))
    if len(str(alias if alias is not None else phonemes)) > MAX_SAID:
        raise ServiceError("invalid_rule", Message("An alias or phonemes are at most {n} characters.", n=MAX_SAID))


def _lock_and_count(user: User) -> int:
    """The account's rules now; its row is locked until the commit, so that two requests at once
    cannot both pass the count."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    return db.session.scalar(select(func.count()).where(PronunciationRule.user_id == user.id)) or 0


def create(user: User, data: dict[str, object]) -> PronunciationRule:
    """Add a rule: refused if it is malformed (`invalid_rule`, `invalid_phonemes`), if its text has one
    (`duplicate_rule`) or past MAX_RULES (`too_many_rules`)."""
    text, alias, phonemes = _checked(data)
    if _lock_and_count(user) >= MAX_RULES:
        raise ServiceError("too_many_rules", Message("An account has at most {n} pronunciation rules.", n=MAX_RULES))
    rule = PronunciationRule(user_id=user.id, text=text, alias=alias, phonemes=phonemes,
                             case_sensitive=bool(data.get("case_sensitive", True)))
    db.session.add(rule)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("duplicate_rule", Message("You already have a rule for {text!r}.", text=text)) from None
    return rule


def _duplicate(text: str, taken: set[str], seen: dict[str, int]) -> ServiceError | None:
    if text in taken:
        return ServiceError("duplicate_rule", Message("You already have a rule for {text!r}.", text=text))
    if text in seen:
        return ServiceError("duplicate_rule", Message("The lexicon has {text!r} twice (lexeme {n} first).",
                                                      text=text, n=seen[text]))
    return None


def _entries(lexeme: pls.Lexeme, taken: set[str], seen: dict[str, int]) -> list[Entry]:
    """The rules of a lexeme, checked as `create` checks one; ServiceError for the first problem."""
    if lexeme.problem:
        raise ServiceError(*lexeme.problem)
    entries = []
    for grapheme in lexeme.graphemes:
        entry = _checked({"text": grapheme, "alias": lexeme.alias, "phonemes": lexeme.phonemes})
        duplicate = _duplicate(entry[0], taken, seen)
        if duplicate:
            raise duplicate
        seen[entry[0]] = lexeme.position
        entries.append(entry)
    return entries


def _rejected(lexeme: pls.Lexeme, error: ServiceError) -> dict[str, object]:
    return {"lexeme": lexeme.position, "graphemes": list(lexeme.graphemes), "code": error.code,
            "message": error.message}


def _sorted(lexemes: list[pls.Lexeme], taken: set[str], room: int) -> tuple[list[Entry], list[dict[str, object]]]:
    """The rules of the lexemes that can be added, and the refusals of the others (those past the
    account's `room` too)."""
    rules: list[Entry] = []
    refused: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for lexeme in lexemes:
        try:
            entries = _entries(lexeme, taken, seen)
        except ServiceError as exc:
            refused.append(_rejected(lexeme, exc))
            continue
        room -= len(entries)
        if room < 0:  # this lexeme and every one after it
            full = Message("An account has at most {n} pronunciation rules.", n=MAX_RULES)
            refused.append(_rejected(lexeme, ServiceError("too_many_rules", full)))
            continue
        rules += entries
    return rules, refused


def _named(refused: dict[str, Any]) -> str:
    graphemes = ", ".join(refused["graphemes"])
    return f"{refused['lexeme']} ({graphemes})" if graphemes else str(refused["lexeme"])


def _refusal(refused: list[dict[str, Any]]) -> ServiceError:
    named = ", ".join(_named(r) for r in refused[:10])
    message = Message("Nothing was added. Lexemes refused: {lexemes}.",
                      lexemes=named + (", …" if len(refused) > 10 else ""))
    return ServiceError("lexemes_refused", message, {"lexemes": refused[:MAX_NAMED], "refused": len(refused)})


def import_pls(user: User, document: bytes) -> list[PronunciationRule]:
    """Add a PLS lexicon's lexemes as rules, all or none: `invalid_pls` for a document that cannot
    be read, `lexemes_refused` naming each lexeme that cannot be a rule (as `create` refuses one,
    a grapheme twice in the lexicon, or past MAX_RULES)."""
    lexemes = pls.read(document, MAX_RULES)
    count = _lock_and_count(user)
    taken = set(db.session.scalars(select(PronunciationRule.text).where(PronunciationRule.user_id == user.id)))
    rules, refused = _sorted(lexemes, taken, MAX_RULES - count)
    if refused:
        raise _refusal(refused)
    made = [PronunciationRule(user_id=user.id, text=text, alias=alias, phonemes=phonemes, case_sensitive=True)
            for text, alias, phonemes in rules]
    db.session.add_all(made)
    try:
        db.session.flush()
        ids = [rule.id for rule in made]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("duplicate_rule", "A rule of the lexicon was added meanwhile; nothing was added.") from None
    query = select(PronunciationRule).where(PronunciationRule.id.in_(ids)).order_by(PronunciationRule.id)
    return list(db.session.scalars(query))


def export_pls(user: User) -> bytes:
    """The account's rules as a PLS 1.0 document that `import_pls` reads back the same (but for the
    case flag, which PLS has not: see `pls.write`)."""
    return pls.write([pls.Said(r.text, r.alias, r.phonemes, r.case_sensitive) for r in list_rules(user)])


def delete(user: User, rule_id: int) -> None:
    db.session.delete(owned(PronunciationRule, rule_id, user.id, "rule_not_found", "No such pronunciation rule."))
    db.session.commit()


def for_engine(user: User) -> tuple[EngineRule, ...]:
    """The account's rules as the engine applies them."""
    return tuple(
        EngineRule(r.text, alias=r.alias, phonemes=r.phonemes, case_sensitive=r.case_sensitive)
        for r in list_rules(user)
    )
