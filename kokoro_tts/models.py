"""Database models.

`User` is the original service's `users` table exactly (the table that the old `init_db()`
created with `create_all`): same names, types, lengths and nullability, so that
existing deployments can be adopted by the first migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    exists,
    true,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from .extensions import db

if TYPE_CHECKING:  # Flask-SQLAlchemy's db.Model is the declarative Base below, which mypy can see
    from .extensions import Base as Model
else:
    Model = db.Model


def utcnow() -> datetime:
    """Naive UTC, as the original `users` table's TIMESTAMP columns (without time zone) hold it."""
    return datetime.now(UTC).replace(tzinfo=None)


class Operator(Model):
    """An account that may run the service (the admin API, the Administration screen).

    A table of its own rather than a column of `users`, which stays the original service's table
    exactly (migrations adopt it as it is). Granted only by `users promote` or `ADMIN_EMAILS`.
    """

    __tablename__ = "operators"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: who granted it: "cli" (users promote) or "ADMIN_EMAILS"
    granted_by: Mapped[str] = mapped_column(String(32))


class User(Model):
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
    #: An operator (a row in `operators`), read with the account itself.
    is_admin: Mapped[bool] = column_property(exists().where(Operator.user_id == id))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def recent_history(self, limit: int) -> list[Generation]:
        """The original `history` field, now read from the generations table (newest first)."""
        return list(db.session.scalars(
            db.select(Generation)
            .where(Generation.user_id == self.id)
            .order_by(Generation.created_at.desc(), Generation.id.desc())
            .limit(limit)
        ))


def lock_user(user_id: int) -> User:
    """The user's row, locked until commit and re-read from the database.

    For read-modify-write of its JSON columns: concurrent requests queue on the lock
    instead of overwriting each other. SQLite has no row locks and pysqlite opens no
    transaction for a SELECT, so there a no-op write takes the database's write lock first.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(db.update(User).where(User.id == user_id).values(id=User.id))
    return db.session.scalars(
        db.select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).one()


class RevokedToken(Model):
    """Access tokens ended by logout, kept until they would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


PENDING, DONE = "pending", "done"
#: Largest id a row can have (PostgreSQL INTEGER): a larger id in a path names nothing (404).
MAX_ID = 2**31 - 1


class Generation(Model):
    """One synthesis: the history of an account, one row per generation.

    `characters` is what was charged (after any refund). `audio_path` is relative to
    the audio folder; NULL when the audio is gone (retention) or never existed
    (entries moved from the old `users.history` column). `status` is `pending` from the
    charge until the generation is settled (`done`); see `services/ledger.py`.
    """

    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    voice: Mapped[str] = mapped_column(String(255))
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    lang: Mapped[str | None] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    characters: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16), default="api")
    status: Mapped[str] = mapped_column(String(16), default=DONE, server_default=DONE, index=True)
    audio_path: Mapped[str | None] = mapped_column(String(512))
    # Fields of a moved `users.history` entry that have no column of their own.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Word timings, [[word, start, end], ...] in seconds (NULL: none were made).
    words: Mapped[list[Any] | None] = mapped_column(JSON)
    # Chapter marks of a long-form job's result, [{"title", "start", "end"}, ...] in seconds.
    chapters: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class PronunciationRule(Model):
    """Say `text` (whole words) as `alias` or as `phonemes`, in every generation of one account."""

    __tablename__ = "pronunciation_rules"
    __table_args__ = (UniqueConstraint("user_id", "text", name="uq_pronunciation_rules_user_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(100))
    alias: Mapped[str | None] = mapped_column(String(500))
    phonemes: Mapped[str | None] = mapped_column(String(500))
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiKey(Model):
    """A long-lived key for programs (the OpenAI SDK's `api_key`); only its hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "user" (speech and history) or "admin" (the admin API as well; only an operator makes one)
    scope: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


QUEUED, RUNNING, FAILED, CANCELLED = "queued", "running", "failed", "cancelled"
#: A job in one of these states will not change again.
FINISHED = (DONE, FAILED, CANCELLED)


class Job(Model):
    """A long-form job: text spoken part by part by a worker, then joined into one history item.

    `characters` were reserved (charged) when it was submitted; what is not spoken is refunded
    when it is cancelled or fails. `parts` are ``[[start, end, chapter], ...]`` slices of `text`,
    spoken in order; `parts_done` of them are in the store (`services/jobs`), so a worker that
    dies loses only the part it was on. `worker` is the worker holding the job: progress is
    recorded only by it, so a job taken over is never run twice at once.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    #: the SSML document `text` was read from (None: plain text or a document)
    markup: Mapped[str | None] = mapped_column(Text)
    #: the document's author and cover image (PNG or JPEG), for the tags of the audio; the cover is
    #: read only by the worker that finishes the job (deferred), and dropped when it ends
    author: Mapped[str | None] = mapped_column(String(200))
    cover: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    voice: Mapped[str] = mapped_column(String(255))
    speed: Mapped[float] = mapped_column(Float)
    lang: Mapped[str | None] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    normalize: Mapped[bool] = mapped_column(Boolean, default=True)
    characters: Mapped[int] = mapped_column(Integer)
    chars_done: Mapped[int] = mapped_column(Integer, default=0)
    parts: Mapped[list[Any]] = mapped_column(JSON)
    parts_done: Mapped[int] = mapped_column(Integer, default=0)
    chapters: Mapped[list[Any]] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    generation_id: Mapped[int | None] = mapped_column(ForeignKey("generations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Model):
    """One operator action, or one credit change not caused by a generation: who, when, what, the
    state before and after, and why. Written in the transaction of the change it records; no route
    edits or deletes it. Who and whom are kept as text too, so an entry outlives both accounts."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the operator's email, or "cli" / "ADMIN_EMAILS" for changes made outside the API
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target: Mapped[str | None] = mapped_column(String(255))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))
