"""matching runs report their stage and the process running them, with a heartbeat

Runs started from the web app run in a background thread of one server process; any process
may be asked about them, and a run whose process stopped must not block the next one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
COLUMNS = (
    ("stage", sa.String(40)),
    ("stage_done", sa.BigInteger()),
    ("stage_total", sa.BigInteger()),
    ("worker_host", sa.String(255)),
    ("worker_pid", sa.Integer()),
    ("heartbeat_at", TS),
)


def upgrade() -> None:
    with op.batch_alter_table("match_runs") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_runs") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
