"""customer analytics: runs, the model registry and its checks, latest scores per customer,
and the value x churn strategies

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _id(table: str) -> list[Any]:
    return [
        sa.Column("id", PK, primary_key=True, autoincrement=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, nullable: bool = True) -> list[Any]:
    return [
        sa.Column(column, PK, nullable=nullable),
        sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}"),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_runs",
        *_id("analytics_runs"),
        sa.Column("as_of", TS, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("summary", sa.JSON()),
        sa.Column("error", sa.Text()),
    )
    op.create_index("ix_analytics_runs_as_of", "analytics_runs", ["as_of"])
    op.create_table(
        "model_registry",
        *_id("model_registry"),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_fk("model_registry", "run_id", "analytics_runs"),
        sa.Column("trained_at", TS, nullable=False),
        sa.Column("as_of", TS, nullable=False),
        sa.Column("window_start", TS),
        sa.Column("window_end", TS),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artifact", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.UniqueConstraint("kind", "version", name="uq_model_registry_version"),
    )
    op.create_table(
        "model_checks",
        *_id("model_checks"),
        *_fk("model_checks", "model_id", "model_registry", nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("as_of", TS, nullable=False),
        sa.Column("score_psi", sa.Float()),
        sa.Column("input_psi", sa.JSON()),
        sa.Column("outcome_auc", sa.Float()),
        sa.Column("details", sa.JSON()),
    )
    op.create_index("ix_model_checks_model", "model_checks", ["model_id", "checked_at"])
    op.create_table(
        "customer_scores",
        *_fk("customer_scores", "customer_id", "customers", nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_scores"),
        *_fk("customer_scores", "run_id", "analytics_runs", nullable=False),
        sa.Column("as_of", TS, nullable=False),
        sa.Column("rfm_r", sa.Integer()),
        sa.Column("rfm_f", sa.Integer()),
        sa.Column("rfm_m", sa.Integer()),
        sa.Column("rfm_segment", sa.String(40)),
        sa.Column("lifecycle_stage", sa.String(20)),
        sa.Column("customer_class", sa.String(20)),
        sa.Column("value_tier", sa.String(20)),
        sa.Column("clv", sa.Float()),
        sa.Column("expected_purchases", sa.Float()),
        sa.Column("p_alive", sa.Float()),
        sa.Column("churn_probability", sa.Float()),
        sa.Column("churn_reasons", sa.Text()),
        sa.Column("value_churn_cell", sa.String(40)),
        sa.Column("next_products", sa.JSON()),
    )
    op.create_index("ix_customer_scores_cell", "customer_scores", ["value_churn_cell"])
    op.create_index("ix_customer_scores_churn", "customer_scores", ["churn_probability"])
    op.create_table(
        "value_churn_strategies",
        sa.Column("cell", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("cell", name="pk_value_churn_strategies"),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "value_churn_strategies",
        "customer_scores",
        "model_checks",
        "model_registry",
        "analytics_runs",
    ):
        op.drop_table(name)
