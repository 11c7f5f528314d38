"""What the warehouse holds: the store's facts, column by column, with their Arrow types.

The warehouse is derived: every table here can be rebuilt from the operational store at any
time. Money stays decimal (sums are exact); times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import Table

from patron.store.schema import customers, interactions, order_lines, orders, products

MONEY = pa.decimal128(18, 4)
TIME = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class FactTable:
    """One warehouse table copied from one store table."""

    name: str
    source: Table
    columns: tuple[tuple[str, pa.DataType], ...]
    # Facts that follow their customer through merges and unmerges are refreshed for the
    # customers a merge touched; the others only change with the batches that load them.
    follows_customer: bool = False
    # Customers are small next to their facts and change without a batch (merges, people's
    # edits): they are copied whole on every sync.
    whole: bool = False
    # Columns the sync derives instead of reading them from the store table.
    computed: frozenset[str] = frozenset()

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(name, kind) for name, kind in self.columns])

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


FACT_TABLES: tuple[FactTable, ...] = (
    FactTable(
        "customers",
        customers,
        (
            ("id", pa.int64()),
            ("status", pa.string()),
            ("merged_into_id", pa.int64()),
            ("gender", pa.string()),
            ("birth_date", pa.date32()),
            ("member_tier", pa.string()),
            ("province", pa.string()),
            ("city", pa.string()),
            ("external", pa.bool_()),
            ("created_at", TIME),
            ("updated_at", TIME),
            # When the customer first became one: the earliest sign-up date their source
            # records give (created_at is when patron first saw them, often years later).
            ("first_seen_at", TIME),
        ),
        whole=True,
        computed=frozenset({"first_seen_at"}),
    ),
    FactTable(
        "products",
        products,
        (
            ("id", pa.int64()),
            ("source_id", pa.int64()),
            ("sku", pa.string()),
            ("name", pa.string()),
            ("category", pa.string()),
            ("brand", pa.string()),
            ("price", MONEY),
            ("batch_id", pa.int64()),
        ),
    ),
    FactTable(
        "orders",
        orders,
        (
            ("id", pa.int64()),
            ("source_id", pa.int64()),
            ("customer_id", pa.int64()),
            ("ordered_at", TIME),
            ("total_amount", MONEY),
            ("currency", pa.string()),
            ("channel", pa.string()),
            ("store", pa.string()),
            ("status", pa.string()),
            ("batch_id", pa.int64()),
        ),
        follows_customer=True,
    ),
    FactTable(
        "order_lines",
        order_lines,
        (
            ("id", pa.int64()),
            ("order_id", pa.int64()),
            ("product_id", pa.int64()),
            ("sku", pa.string()),
            ("quantity", MONEY),
            ("unit_price", MONEY),
            ("amount", MONEY),
            ("discount", MONEY),
            ("batch_id", pa.int64()),
        ),
    ),
    FactTable(
        "interactions",
        interactions,
        (
            ("id", pa.int64()),
            ("customer_id", pa.int64()),
            ("source_id", pa.int64()),
            ("occurred_at", TIME),
            ("type", pa.string()),
            ("channel", pa.string()),
            ("touchpoint", pa.string()),
            ("batch_id", pa.int64()),
        ),
        follows_customer=True,
    ),
)
TABLES_BY_NAME = {t.name: t for t in FACT_TABLES}
