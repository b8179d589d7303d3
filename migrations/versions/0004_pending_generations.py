"""A generation's state: `pending` from the charge until it is settled, then `done`.

The charge and the pending row are written in one transaction, so a charge is never without
its record; a row left pending by a dead worker or a database outage is settled later by the
service (see `services/ledger.py`). Existing rows are settled ones.

Revision ID: 0004_pending_generations
Revises: 0003_generations_and_api_keys
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_pending_generations"
down_revision = "0003_generations_and_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="done"))
        batch.create_index("ix_generations_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_status")
        batch.drop_column("status")
