"""A job's author and cover image, for the tags of its audio.

`jobs.author` is the document's author (an EPUB's dc:creator), `jobs.cover` its cover image (PNG
or JPEG, at most 2 MiB), both None when the document gives none. They are written into the
result's tags (MP3, Opus, FLAC, M4A/M4B); the cover is dropped from the row when the job ends.

Revision ID: 0008_job_book_tags
Revises: 0007_job_markup
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_job_book_tags"
down_revision = "0007_job_markup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("author", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("cover", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cover")
        batch.drop_column("author")
