"""The original service's users table, exactly as the old init_db() (create_all) made it.

On a database that init_db() already set up, the table is adopted: its columns are
checked, nothing is created or rewritten, and every row stays.

Revision ID: 0001_users_baseline
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_users_baseline"
down_revision = None
branch_labels = None
depends_on = None

ORIGINAL_COLUMNS = {
    "id", "email", "hashed_password", "name", "is_active", "is_verified", "created_at",
    "updated_at", "last_login", "favorite_voices", "history", "credits", "preferences",
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("users"):
        found = {column["name"] for column in inspector.get_columns("users")}
        missing = ORIGINAL_COLUMNS - found
        if missing:
            raise RuntimeError(
                "An existing 'users' table lacks the original service's columns "
                f"{sorted(missing)}; it was not made by init_db(). Nothing was changed."
            )
        return  # adopted: Alembic stamps this revision and goes on

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("is_verified", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("last_login", sa.DateTime(), nullable=True),
        sa.Column("favorite_voices", sa.JSON(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=True),
        sa.Column("credits", sa.Integer(), nullable=True),
        sa.Column("preferences", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_index("ix_users_id", "users", ["id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_id", table_name="users")
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
