"""import jobs and per-address login counts in the store, shared by every server process

`patron serve --workers N` runs several processes on one port; a request may reach any of
them. Import jobs (status, progress, report) and the per-address login rate limit lived in
one process's memory; these tables let every process answer for them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_rate",
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("bucket", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("address", "bucket", name="pk_login_rate"),
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False),
        sa.Column("bytes_read", sa.BigInteger, nullable=False),
        sa.Column("total_bytes", sa.BigInteger, nullable=False),
        sa.Column("batch_id", PK),
        sa.Column("report", sa.JSON),
        sa.Column("error", sa.Text),
        sa.Column("worker_host", sa.String(255), nullable=False),
        sa.Column("worker_pid", sa.Integer, nullable=False),
        sa.Column("heartbeat_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name="fk_import_jobs_batch_id_import_batches"
        ),
    )
    op.create_index("ix_import_jobs_started", "import_jobs", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_import_jobs_started", table_name="import_jobs")
    op.drop_table("import_jobs")
    op.drop_table("login_rate")
