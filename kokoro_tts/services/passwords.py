"""bcrypt hashing, with a constant-cost check for unknown accounts."""

from __future__ import annotations

from functools import lru_cache

from ..context import setting
from ..extensions import bcrypt


def _rounds() -> int:
    return int(setting("BCRYPT_LOG_ROUNDS"))


def hash_password(password: str) -> str:
    return bcrypt.generate_password_hash(password, _rounds()).decode("utf-8")


@lru_cache(maxsize=8)
def _dummy_hash(rounds: int) -> str:
    return bcrypt.generate_password_hash("not-a-real-password", rounds).decode("utf-8")


def check_password(hashed: str | None, password: str) -> bool:
    """True when `password` matches `hashed`.

    With no hash (unknown email) it still pays for one bcrypt check, so that a
    wrong password and an unknown account take about the same time.
    """
    if not hashed:
        bcrypt.check_password_hash(_dummy_hash(_rounds()), password)
        return False
    try:
        return bcrypt.check_password_hash(hashed, password)
    except ValueError:  # a malformed hash in an old row: no way in, no 500
        return False
