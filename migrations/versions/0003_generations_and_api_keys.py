"""History in its own table (moving the entries of users.history), and API keys.

Every entry of the old `users.history` JSON column becomes a `generations` row; the
entry itself is kept verbatim in `extra.legacy_entry`, so no field is lost. The column is emptied only after its entries are copied, in
the same transaction; downgrade puts them back.

Revision ID: 0003_generations_and_api_keys
Revises: 0002_revoked_tokens
Create Date: 2026-11-26
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003_generations_and_api_keys"
down_revision = "0002_revoked_tokens"
branch_labels = None
depends_on = None

generations = sa.table(
    "generations",
    sa.column("id", sa.Integer), sa.column("user_id", sa.Integer), sa.column("text", sa.Text),
    sa.column("voice", sa.String), sa.column("speed", sa.Float), sa.column("lang", sa.String),
    sa.column("format", sa.String), sa.column("characters", sa.Integer),
    sa.column("duration", sa.Float), sa.column("source", sa.String),
    sa.column("extra", sa.JSON), sa.column("created_at", sa.DateTime),
)
users = sa.table(
    "users", sa.column("id", sa.Integer), sa.column("history", sa.JSON),
    sa.column("created_at", sa.DateTime),
)


def _number(value, kind, default=None):
    try:
        return kind(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _when(value, fallback):
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # a Unix timestamp
        try:
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return fallback
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    return fallback


def _row(user_id, entry, fallback_time):
    """One old history entry as a generations row; the entry itself is kept verbatim."""
    fields = entry if isinstance(entry, dict) else {}
    text = fields.get("text")
    text = text if isinstance(text, str) else ""
    return {
        "user_id": user_id,
        "text": text,
        "voice": str(fields.get("voice") or "")[:255],
        "speed": _number(fields.get("speed"), float, 1.0),
        "lang": (str(fields["lang"])[:16] if fields.get("lang") else None),
        "format": str(fields.get("format") or "wav")[:8],
        "characters": _number(fields.get("characters"), int, len(text)),
        "duration": _number(fields.get("duration"), float),
        "source": "legacy",
        "extra": {"legacy_entry": entry},
        "created_at": _when(fields.get("created_at", fields.get("timestamp")), fallback_time),
    }


def upgrade() -> None:
    op.create_table(
        "generations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("voice", sa.String(length=255), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("audio_path", sa.String(length=512), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_generations_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_generations_user_id", "generations", ["user_id"])
    op.create_index("ix_generations_created_at", "generations", ["created_at"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_api_keys_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # An old server still running during the deploy must not append history between
        # the copy below and the emptying of the column: its writes wait for this commit.
        op.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
    now = datetime.now(UTC).replace(tzinfo=None)
    moved = []
    for user_id, history, created_at in bind.execute(
        sa.select(users.c.id, users.c.history, users.c.created_at).order_by(users.c.id)
    ):
        if isinstance(history, str):  # some drivers hand JSON back as text
            history = json.loads(history or "[]")
        if not history:
            continue
        if not isinstance(history, list):
            history = [history]
        for entry in history:
            moved.append(_row(user_id, entry, created_at or now))
    if moved:
        bind.execute(sa.insert(generations), moved)
        bind.execute(sa.update(users).where(users.c.history.isnot(None)).values(history=[]))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(generations.c.user_id, generations.c.extra)
        .where(generations.c.source == "legacy")
        .order_by(generations.c.id)
    ).all()
    restored: dict[int, list] = {}
    for user_id, extra in rows:
        restored.setdefault(user_id, []).append((extra or {}).get("legacy_entry"))
    for user_id, history in restored.items():
        bind.execute(sa.update(users).where(users.c.id == user_id).values(history=history))
    op.drop_table("api_keys")
    op.drop_table("generations")
