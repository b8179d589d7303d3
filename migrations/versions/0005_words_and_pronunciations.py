"""Word timings kept with each generation, and pronunciation rules per account.

`generations.words` holds `[[word, start, end], ...]` (seconds), so captions can be made for any
history item, whatever became of its audio. `pronunciation_rules` holds each account's rules:
say `text` as `alias` or as `phonemes`; one rule per text and account.

Revision ID: 0005_words_and_pronunciations
Revises: 0004_pending_generations
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_words_and_pronunciations"
down_revision = "0004_pending_generations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("words", sa.JSON(), nullable=True))
    op.create_table(
        "pronunciation_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.Column("alias", sa.String(length=500), nullable=True),
        sa.Column("phonemes", sa.String(length=500), nullable=True),
        sa.Column("case_sensitive", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "text", name="uq_pronunciation_rules_user_text"),
    )
    op.create_index("ix_pronunciation_rules_user_id", "pronunciation_rules", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_pronunciation_rules_user_id", table_name="pronunciation_rules")
    op.drop_table("pronunciation_rules")
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("words")
