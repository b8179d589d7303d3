"""A job's SSML document, kept beside its transcript.

`jobs.text` stays what the job speaks (parts, progress and refunds count its characters);
`jobs.markup` is the SSML document it was read from, None for plain text and documents, so that
each part is spoken with its breaks, voices and rates.

Revision ID: 0007_job_markup
Revises: 0006_jobs
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_job_markup"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("markup", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("markup")
