"""identity resolution: merges and their undo record, matching runs, the review queue,
households and data quality history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", PK, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "match_runs",
        _id(),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("high", sa.Float, nullable=False),
        sa.Column("low", sa.Float, nullable=False),
        sa.Column("model", sa.JSON),
        sa.Column("watermark", sa.BigInteger),
        sa.Column("records", sa.Integer),
        sa.Column("pairs", sa.Integer),
        sa.Column("merges", sa.Integer),
        sa.Column("reviews", sa.Integer),
        sa.Column("households", sa.Integer),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_match_runs"),
    )
    op.create_table(
        "customer_merges",
        _id(),
        sa.Column("survivor_id", PK, nullable=False),
        sa.Column("merged_id", PK, nullable=False),
        sa.Column("match_probability", sa.Float),
        sa.Column("match_weight", sa.Float),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("run_id", PK),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("merged_at", TS, nullable=False),
        sa.Column("moved", sa.JSON, nullable=False),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("undone_at", TS),
        sa.Column("undone_by", sa.String(100)),
        sa.Column("undo_reason", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_customer_merges"),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["customers.id"], name="fk_customer_merges_survivor_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["customers.id"], name="fk_customer_merges_merged_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name="fk_customer_merges_run_id_match_runs"
        ),
    )
    op.create_index("ix_customer_merges_survivor", "customer_merges", ["survivor_id"])
    op.create_index("ix_customer_merges_merged", "customer_merges", ["merged_id"])
    op.create_table(
        "match_reviews",
        _id(),
        sa.Column("record_l", PK, nullable=False),
        sa.Column("record_r", PK, nullable=False),
        sa.Column("customer_l", PK, nullable=False),
        sa.Column("customer_r", PK, nullable=False),
        sa.Column("match_probability", sa.Float, nullable=False),
        sa.Column("match_weight", sa.Float, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("run_id", PK),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("note", sa.Text),
        sa.Column("merge_id", PK),
        sa.PrimaryKeyConstraint("id", name="pk_match_reviews"),
        sa.UniqueConstraint("record_l", "record_r", name="uq_match_reviews_pair"),
        sa.ForeignKeyConstraint(
            ["record_l"], ["source_records.id"], name="fk_match_reviews_record_l_source_records"
        ),
        sa.ForeignKeyConstraint(
            ["record_r"], ["source_records.id"], name="fk_match_reviews_record_r_source_records"
        ),
        sa.ForeignKeyConstraint(
            ["customer_l"], ["customers.id"], name="fk_match_reviews_customer_l_customers"
        ),
        sa.ForeignKeyConstraint(
            ["customer_r"], ["customers.id"], name="fk_match_reviews_customer_r_customers"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name="fk_match_reviews_run_id_match_runs"
        ),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["customer_merges.id"], name="fk_match_reviews_merge_id_customer_merges"
        ),
    )
    op.create_index("ix_match_reviews_status", "match_reviews", ["status", "match_probability"])
    op.create_table(
        "households",
        _id(),
        sa.Column("address_key", sa.Text, nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_households"),
    )
    op.create_table(
        "household_members",
        sa.Column("customer_id", PK, nullable=False),
        sa.Column("household_id", PK, nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_household_members"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_household_members_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name="fk_household_members_household_id_households"
        ),
    )
    op.create_index("ix_household_members_household", "household_members", ["household_id"])
    op.create_table(
        "quality_snapshots",
        _id(),
        sa.Column("taken_at", TS, nullable=False),
        sa.Column("source", sa.String(100)),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quality_snapshots"),
    )
    op.create_index("ix_quality_snapshots_taken", "quality_snapshots", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_quality_snapshots_taken", table_name="quality_snapshots")
    op.drop_table("quality_snapshots")
    op.drop_index("ix_household_members_household", table_name="household_members")
    op.drop_table("household_members")
    op.drop_table("households")
    op.drop_index("ix_match_reviews_status", table_name="match_reviews")
    op.drop_table("match_reviews")
    op.drop_index("ix_customer_merges_merged", table_name="customer_merges")
    op.drop_index("ix_customer_merges_survivor", table_name="customer_merges")
    op.drop_table("customer_merges")
    op.drop_table("match_runs")
