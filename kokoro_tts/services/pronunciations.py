"""Pronunciation rules of an account: list, add (checked), delete, and the engine's form of them.

A rule's phonemes are checked against the model's vocabulary when it is added, so a rule never
makes a generation fail later. Rules apply to their account's generations only.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..engine import EngineError
from ..engine.errors import Message
from ..engine.pronounce import PronunciationRule as EngineRule
from ..engine.pronounce import check_phonemes
from ..extensions import db
from ..models import PronunciationRule, User
from .errors import ServiceError
from .owned import owned

MAX_RULES = 500


def list_rules(user: User) -> list[PronunciationRule]:
    query = select(PronunciationRule).where(PronunciationRule.user_id == user.id).order_by(PronunciationRule.id)
    return list(db.session.scalars(query))


def _checked(data: dict[str, object]) -> tuple[str, str | None, str | None]:
    text = " ".join(str(data["text"]).split())
    alias, phonemes = data.get("alias"), data.get("phonemes")
    if not text:
        raise ServiceError("invalid_rule", "A rule needs the text it replaces.", {"fields": {"text": ["empty"]}})
    if (alias is None) == (phonemes is None):
        raise ServiceError("invalid_rule", "A rule has either an alias or phonemes, not both nor neither.")
    if alias is not None and not str(alias).strip():
        raise ServiceError("invalid_rule", "The alias is empty.", {"fields": {"alias": ["empty"]}})
    if phonemes is not None:
        try:
            phonemes = check_phonemes(str(phonemes), f"phonemes {phonemes!r}")
        except EngineError as exc:
            raise ServiceError(exc.code, exc.message, {"fields": {"phonemes": [exc.message]}}) from exc
    return text, (str(alias).strip() if alias is not None else None), phonemes


def create(user: User, data: dict[str, object]) -> PronunciationRule:
    """Add a rule: refused if it is malformed (`invalid_rule`, `invalid_phonemes`), if its text has one
    (`duplicate_rule`) or past MAX_RULES (`too_many_rules`)."""
    text, alias, phonemes = _checked(data)
    # The account's row is locked until the commit, so two requests at once cannot both pass the count.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    count = db.session.scalar(select(func.count()).where(PronunciationRule.user_id == user.id)) or 0
    if count >= MAX_RULES:
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


def delete(user: User, rule_id: int) -> None:
    db.session.delete(owned(PronunciationRule, rule_id, user.id, "rule_not_found", "No such pronunciation rule."))
    db.session.commit()


def for_engine(user: User) -> tuple[EngineRule, ...]:
    """The account's rules as the engine applies them."""
    return tuple(
        EngineRule(r.text, alias=r.alias, phonemes=r.phonemes, case_sensitive=r.case_sensitive)
        for r in list_rules(user)
    )
