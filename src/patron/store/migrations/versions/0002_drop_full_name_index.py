"""drop the customers.full_name index

Name search goes through the pinyin key index (a Chinese prefix's pinyin is a prefix of the
stored key) and filters on the written name; the second random-key index only slowed imports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_index("ix_customers_full_name")


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.create_index("ix_customers_full_name", ["full_name"], unique=False)
