"""Long-form jobs, and chapter marks on generations.

`jobs` holds each job's text, its parts and how far the workers got (PostgreSQL is the source
of truth; the queue only says which job to look at). `generations.chapters` holds a job's
chapter marks, `[{"title", "start", "end"}, ...]` in seconds.

Revision ID: 0006_jobs
Revises: 0005_words_and_pronunciations
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_jobs"
down_revision = "0005_words_and_pronunciations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("chapters", sa.JSON(), nullable=True))
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("voice", sa.String(length=255), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("normalize", sa.Boolean(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.Column("chars_done", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("parts_done", sa.Integer(), nullable=False),
        sa.Column("chapters", sa.JSON(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column(
            "generation_id", sa.Integer(), sa.ForeignKey("generations.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_jobs_user_id", "jobs", ["user_id"])
    op.create_index("ix_jobs_status", "jobs", ["status"])
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"])


def downgrade() -> None:
    op.drop_table("jobs")
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("chapters")
