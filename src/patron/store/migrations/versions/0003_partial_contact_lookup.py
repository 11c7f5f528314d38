"""contact point lookups index phones and e-mails only

Addresses are never looked up by their exact text, and their long values made the lookup
index the costliest part of an import.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHERE = sa.text("kind IN ('email', 'phone')")


def upgrade() -> None:
    op.drop_index("ix_contact_points_lookup", table_name="contact_points")
    op.create_index(
        "ix_contact_points_lookup",
        "contact_points",
        ["kind", "value"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_contact_points_lookup", table_name="contact_points")
    op.create_index("ix_contact_points_lookup", "contact_points", ["kind", "value"])
