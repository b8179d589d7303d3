"""Database models.

`User` is the seed's `users` table exactly (the table that the old `init_db()`
created with `create_all`): same names, types, lengths and nullability, so that
existing deployments can be adopted by the first migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


def utcnow() -> datetime:
    """Naive UTC, as the seed's TIMESTAMP columns (without time zone) hold it."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=True, default=True)
    is_verified: Mapped[bool] = mapped_column(Boolean, nullable=True, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=True, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=True, default=utcnow, onupdate=utcnow
    )
    last_login: Mapped[datetime | None] = mapped_column(DateTime)
    # Callables, so that every row gets fresh containers.
    favorite_voices: Mapped[list[str]] = mapped_column(JSON, nullable=True, default=list)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=True, default=list)
    credits: Mapped[int | None] = mapped_column(Integer)  # NULL: unlimited
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=True, default=dict)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RevokedToken(db.Model):
    """Access tokens ended by logout, kept until they would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
